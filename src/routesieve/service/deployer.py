"""Render for BIRD, guard and deploy, with every check of ``routesieve deploy``.

Files are rendered from the live verdicts; when they equal what BIRD's include folder
already holds nothing happens. Otherwise the plan's guards (a list emptied or shrunk
beyond ``max_shrink``, a data source older than ``max_age_hours``) may refuse it, and
``BirdDeployment`` checks with ``bird -p`` and puts the previous files back when the
check or ``birdc configure`` fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from routesieve.cli.reporting import session_specs
from routesieve.config import Config
from routesieve.config.run_settings import resolve
from routesieve.model import Verdict
from routesieve.outputs.bird import render_bird2
from routesieve.outputs.deploy_bird import BirdDeployment, DeployError
from routesieve.outputs.deploy_plan import PeerChange, manifest_of, plan
from routesieve.outputs.filterspec import router_policy
from routesieve.snapshot import Snapshot


@dataclass(frozen=True)
class DeployOutcome:
    """``done``: reloaded; ``refusals``: why not (empty and not done: nothing to do)."""

    done: bool
    refusals: tuple[str, ...] = ()
    changes: tuple[PeerChange, ...] = ()
    message: str = ""


class Deployer:
    def __init__(self, config: Config) -> None:
        run = config.run
        base = config.path.parent
        folder = resolve(run.bird_dir, base)
        main = resolve(run.bird_config, base)
        self.config = config
        self.bird = (
            None
            if folder is None or main is None
            else BirdDeployment(folder, main, resolve(run.bird_socket, base))
        )
        self._refused: dict[str, str] | None = None

    def _unchanged(self, files: dict[str, str]) -> bool:
        assert self.bird is not None
        for name, text in files.items():
            path: Path = self.bird.folder / name
            try:
                if path.read_text(encoding="utf-8") != text:
                    return False
            except OSError:
                return False
        return True

    def deploy(self, verdicts: list[Verdict], snapshot: Snapshot) -> DeployOutcome | None:
        """None when nothing is configured, nothing changed, or the same files were
        refused already (so a refusal is told once)."""
        if self.bird is None:
            return None
        config = self.config
        limits = {peer.asn: peer.max_prefix for peer in config.peers}
        rp = router_policy(verdicts, config.to_policy(), snapshot, session_specs(config), limits)
        files = render_bird2(rp)
        if self._unchanged(files) or files == self._refused:
            return None
        new = manifest_of(rp, "bird2")
        change = plan(
            self.bird.read_manifest(),
            new,
            snapshot.provenance,
            datetime.now(UTC),
            config.run.max_shrink,
            float(config.run.max_age_hours),
        )
        if change.refusals:
            self._refused = files
            return DeployOutcome(False, change.refusals, change.changed)
        try:
            message = self.bird.deploy(files, new)
        except DeployError as exc:
            self._refused = files
            return DeployOutcome(False, tuple(exc.reasons), change.changed)
        self._refused = None
        return DeployOutcome(True, (), change.changed, message)
