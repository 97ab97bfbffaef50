"""Putting rendered files on a running OpenBGPD, as :mod:`routesieve.outputs.deploy_bird`
does for BIRD: keep the previous files, write the new ones, check the whole
configuration with ``bgpd -n -f MAIN``, reload with ``bgpctl -s SOCKET reload``, and put
the previous files back when either fails.

The main configuration includes the rendered ``sets.conf``, ``sessions.conf`` and
``filters.conf`` from the folder, in that order (docs/routers.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from routesieve.outputs.deploy_bird import FileDeployment


@dataclass(frozen=True, slots=True)
class OpenbgpdDeployment(FileDeployment):
    """OpenBGPD: ``bgpd -n -f`` checks, ``bgpctl reload`` reloads."""

    bgpd: str = "bgpd"
    bgpctl: str = "bgpctl"

    def check(self) -> None:
        self._check_with("bgpd -n -f", self.bgpd, "-n", "-f", str(self.main_config))

    def reload(self) -> str:
        return self._reload_with(
            "bgpctl reload",
            lambda text: "fail" not in text.lower(),
            self.bgpctl,
            "-s",
            str(self.socket),
            "reload",
        )
