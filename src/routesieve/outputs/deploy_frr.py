"""Putting a whole ``frr.conf`` on a running FRR with FRR's own ``frr-reload.py``.

``vtysh -f`` only adds to FRR's running configuration (a prefix-list entry that is gone
from the file would stay), so the whole file is compared with ``show running-config``
and only the difference is applied: ``frr-reload.py --test FILE`` checks it (vtysh
parses the file and the difference is computed), ``frr-reload.py --reload FILE``
applies it. The file is ``frr.local.conf`` beside it (the operator's own lines:
hostname, router-id, anything else bgpd must keep), then the rendered ``filters.conf``
and ``sessions.conf`` (:func:`whole_config`). The previous file is kept; when the check
fails it is put back, and when the reload fails it is put back and applied again, so
FRR returns to the last good configuration.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routesieve.outputs.deploy_bird import DeployError, FileDeployment

LOCAL = "frr.local.conf"  # the operator's own part, before the rendered files
RELOAD = Path("/usr/lib/frr/frr-reload.py")


def whole_config(folder: Path, rendered: Mapping[str, str]) -> str:
    """The whole ``frr.conf``: the operator's ``frr.local.conf`` (if any), then the
    rendered filters (prefix-lists, route-maps) before the sessions that use them."""
    local = folder / LOCAL
    try:
        head = local.read_text(encoding="utf-8") if local.exists() else ""
    except OSError as exc:
        raise DeployError([f"{local}: cannot read: {exc}"]) from None
    parts = [head, rendered.get("filters.conf", ""), rendered.get("sessions.conf", "")]
    return "".join(p if p.endswith("\n") or not p else p + "\n" for p in parts)


@dataclass(frozen=True, slots=True)
class FrrDeployment(FileDeployment):
    """FRR: ``frr-reload.py --test`` checks, ``frr-reload.py --reload`` applies the
    difference. ``main_config`` is the whole ``frr.conf``; ``socket`` the folder of the
    vty sockets (None: FRR's default)."""

    frr_reload: Path = RELOAD
    vtysh: str = "vtysh"

    def _reload_args(self, mode: str) -> list[str]:
        vtysh = shutil.which(self.vtysh) or self.vtysh
        args = [
            str(self.frr_reload),
            mode,
            "--bindir",
            str(Path(vtysh).parent),
            "--confdir",
            str(self.main_config.parent),
            "--rundir",
            str(self.folder),
            "--daemon",
            "bgpd",
        ]
        if self.socket is not None:
            args += ["--vty_socket", str(self.socket)]
        return [*args, str(self.main_config)]

    def check(self) -> None:
        self._check_with("frr-reload.py --test", *self._reload_args("--test"))

    def reload(self) -> str:
        done = self._run(*self._reload_args("--reload"))
        text = (done.stdout + done.stderr).strip()
        if done.returncode != 0:
            raise DeployError([f"frr-reload.py --reload {self.main_config} failed: {text}"])
        return "reloaded with frr-reload.py"

    def deploy(self, files: Mapping[str, str], manifest: Mapping[str, Any]) -> str:
        """Like :meth:`FileDeployment.deploy`; a failed reload (FRR may hold part of the
        new file) re-applies the previous file once it is back."""
        try:
            return FileDeployment.deploy(self, files, manifest)
        except DeployError as exc:
            if not any(r.startswith("frr-reload.py --reload") for r in exc.reasons):
                raise
            if not self.main_config.exists():
                raise
            try:
                self.reload()
            except DeployError as again:
                raise DeployError([*exc.reasons, *again.reasons]) from None
            raise DeployError([*exc.reasons, "the previous file was applied again"]) from None
