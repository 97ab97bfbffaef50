"""Putting rendered files on a running BIRD: keep the previous ones, check, reload.

The order is the one an operator would follow by hand: keep a copy of what is deployed,
write the new files (each atomically), let BIRD check the whole configuration
(``bird -p -c``), and only then ask the running daemon to reload (``birdc configure``).
If the check or the reload fails, the previous files are put back, so BIRD keeps running
with the last good filters and the next reload cannot pick up a broken file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routesieve.outputs.deploy_plan import MANIFEST
from routesieve.outputs.write_files import write_atomically

PREVIOUS = ".previous"
TIMEOUT = 120


class DeployError(Exception):
    """The deployment was refused or failed; ``reasons`` say why, one per line."""

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__("\n".join(self.reasons))


@dataclass(frozen=True, slots=True)
class FileDeployment(ABC):
    """Rendered files on a daemon that includes them from ``folder``: the daemon's own
    check and reload are :meth:`check` and :meth:`reload` (BIRD here, OpenBGPD in
    :mod:`routesieve.outputs.deploy_openbgpd`)."""

    folder: Path  # where the rendered files live; the main configuration includes them
    main_config: Path  # the main configuration, as the running daemon reads it
    socket: Path | None  # the control socket; None: check only, no reload

    @abstractmethod
    def check(self) -> None:
        """Have the daemon check the whole configuration; :class:`DeployError` if refused."""

    @abstractmethod
    def reload(self) -> str:
        """Have the running daemon take the configuration; its answer."""

    def _check_with(self, name: str, *args: str) -> None:
        """Run the daemon's check ``name args`` (``name`` as the message shows it)."""
        done = self._run(*args)
        if done.returncode != 0:
            text = (done.stderr or done.stdout).strip()
            raise DeployError([f"{name} {self.main_config} refused the configuration: {text}"])

    def _reload_with(self, name: str, ok: Callable[[str], bool], *args: str) -> str:
        """Run the daemon's reload ``args``; its answer must pass ``ok``."""
        if self.socket is None:
            return "not reloaded (no control socket given)"
        done = self._run(*args)
        text = (done.stdout + done.stderr).strip()
        if done.returncode != 0 or not ok(text):
            raise DeployError([f"{name} failed: {text}"])
        return text.splitlines()[-1] if text else "reloaded"

    def read_manifest(self) -> dict[str, Any] | None:
        path = self.folder / MANIFEST
        if not path.exists():
            return None
        try:
            loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DeployError([f"{path}: cannot read the deployed manifest: {exc}"]) from None
        return loaded

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(
                list(args), capture_output=True, text=True, timeout=TIMEOUT, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DeployError([f"{args[0]}: {exc}"]) from None

    def _keep_previous(self, names: Sequence[str]) -> None:
        keep = self.folder / PREVIOUS
        keep.mkdir(parents=True, exist_ok=True)
        for name in names:
            current = self.folder / name
            if current.exists():
                shutil.copy2(current, keep / name)
            else:
                (keep / name).unlink(missing_ok=True)

    def _restore(self, names: Sequence[str]) -> None:
        keep = self.folder / PREVIOUS
        files = {n: (keep / n).read_text(encoding="utf-8") for n in names if (keep / n).exists()}
        write_atomically(self.folder, files)
        for name in names:
            if name not in files:
                (self.folder / name).unlink(missing_ok=True)

    def deploy(self, files: Mapping[str, str], manifest: Mapping[str, Any]) -> str:
        """Install ``files`` and the manifest; returns BIRD's answer to the reload."""
        contents = dict(files)
        contents[MANIFEST] = json.dumps(manifest, indent=1, sort_keys=True) + "\n"
        names = sorted(contents)
        self._keep_previous(names)
        write_atomically(self.folder, contents)
        try:
            self.check()
            return self.reload()
        except DeployError as exc:
            self._restore(names)
            raise DeployError([*exc.reasons, "the previous files were put back"]) from None

    def rollback(self) -> str:
        """Put the previous files back, check them and reload."""
        keep = self.folder / PREVIOUS
        names = sorted(p.name for p in keep.iterdir()) if keep.is_dir() else []
        if not names:
            raise DeployError([f"{keep}: nothing to roll back to"])
        self._restore(names)
        self.check()
        return self.reload()


@dataclass(frozen=True, slots=True)
class BirdDeployment(FileDeployment):
    """BIRD 2: ``bird -p -c`` checks, ``birdc configure`` reloads."""

    bird: str = "bird"
    birdc: str = "birdc"

    def check(self) -> None:
        self._check_with("bird -p -c", self.bird, "-p", "-c", str(self.main_config))

    def reload(self) -> str:
        return self._reload_with(
            "birdc configure",
            lambda text: "Reconfigured" in text or "Reconfiguration" in text,
            self.birdc,
            "-s",
            str(self.socket),
            "configure",
        )
