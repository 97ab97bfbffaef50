"""Render for each configured daemon, guard and deploy, with every check of
``routesieve deploy``.

The targets are BIRD (``[run] bird_dir``: ``bird -p``, ``birdc configure``), OpenBGPD
(``[run] openbgpd_dir``: ``bgpd -n``, ``bgpctl reload``) and FRR (``[run] frr_config``:
``frr-reload.py --test``, ``frr-reload.py --reload``), each with its own folder and
manifest. Files are rendered from the live verdicts; when they equal what the folder
already holds nothing happens. Otherwise the plan's guards (a list emptied or shrunk
beyond ``max_shrink``, a data source older than ``max_age_hours``) may refuse it, and
the deployment checks with the daemon's own check and puts the previous files back
when the check or the reload fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from routesieve.cli.reporting import session_specs
from routesieve.config import Config
from routesieve.config.run_settings import resolve
from routesieve.model import Verdict
from routesieve.outputs.bird import render_bird2
from routesieve.outputs.deploy_bird import BirdDeployment, DeployError, FileDeployment
from routesieve.outputs.deploy_frr import FrrDeployment, whole_config
from routesieve.outputs.deploy_openbgpd import OpenbgpdDeployment
from routesieve.outputs.deploy_plan import PeerChange, manifest_of, plan
from routesieve.outputs.filterspec import RouterPolicy, router_policy
from routesieve.outputs.frr import render_frr
from routesieve.outputs.openbgpd import render_openbgpd
from routesieve.snapshot import Snapshot


@dataclass(frozen=True)
class DeployOutcome:
    """``done``: reloaded (the targets named in ``message``); ``refusals``: why a target
    was not (each names its target when there are several)."""

    done: bool
    refusals: tuple[str, ...] = ()
    changes: tuple[PeerChange, ...] = ()
    message: str = ""


@dataclass
class Target:
    """One daemon: its renderer (manifest name ``kind``) and its deployment."""

    kind: str
    render: Callable[[RouterPolicy], dict[str, str]]
    deployment: FileDeployment
    refused: dict[str, str] | None = field(default=None)  # the files refused last

    def unchanged(self, files: dict[str, str]) -> bool:
        for name, text in files.items():
            path: Path = self.deployment.folder / name
            try:
                if path.read_text(encoding="utf-8") != text:
                    return False
            except OSError:
                return False
        return True


def targets(config: Config) -> list[Target]:
    run = config.run
    base = config.path.parent
    out: list[Target] = []
    folder, main = resolve(run.bird_dir, base), resolve(run.bird_config, base)
    if folder is not None and main is not None:
        bird = BirdDeployment(folder, main, resolve(run.bird_socket, base))
        out.append(Target("bird2", render_bird2, bird))
    folder, main = resolve(run.openbgpd_dir, base), resolve(run.openbgpd_config, base)
    if folder is not None and main is not None:
        bgpd = OpenbgpdDeployment(folder, main, resolve(run.openbgpd_socket, base))
        out.append(Target("openbgpd", render_openbgpd, bgpd))
    main = resolve(run.frr_config, base)
    if main is not None:
        reload_script = resolve(run.frr_reload, base) or run.frr_reload
        frr = FrrDeployment(
            main.parent, main, resolve(run.frr_vty_socket, base), frr_reload=reload_script
        )
        out.append(Target("frr", whole_frr(main), frr))
    return out


def whole_frr(main: Path) -> Callable[[RouterPolicy], dict[str, str]]:
    """FRR's renderer: the whole ``frr.conf`` (``frr.local.conf`` then the rendered files)."""

    def render(rp: RouterPolicy) -> dict[str, str]:
        return {main.name: whole_config(main.parent, render_frr(rp))}

    return render


class Deployer:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.targets = targets(config)

    def deploy(self, verdicts: list[Verdict], snapshot: Snapshot) -> DeployOutcome | None:
        """None when nothing is configured, nothing changed, or the same files were
        refused already (so a refusal is told once)."""
        if not self.targets:
            return None
        config = self.config
        limits = {peer.asn: peer.max_prefix for peer in config.peers}
        rp = router_policy(verdicts, config.to_policy(), snapshot, session_specs(config), limits)
        named = [(t.kind, o) for t in self.targets if (o := self._one(t, rp, snapshot)) is not None]
        if not named:
            return None
        if len(self.targets) == 1:
            return named[0][1]
        return DeployOutcome(
            any(o.done for _, o in named),
            tuple(f"{kind}: {r}" for kind, o in named for r in o.refusals),
            tuple(dict.fromkeys(c for _, o in named for c in o.changes)),
            "; ".join(f"{kind}: {o.message}" for kind, o in named if o.done),
        )

    def _one(self, t: Target, rp: RouterPolicy, snapshot: Snapshot) -> DeployOutcome | None:
        config = self.config
        files = t.render(rp)
        if t.unchanged(files) or files == t.refused:
            return None
        new = manifest_of(rp, t.kind)
        try:
            deployed = t.deployment.read_manifest()
        except DeployError as exc:
            t.refused = files
            return DeployOutcome(False, tuple(exc.reasons))
        change = plan(
            deployed,
            new,
            snapshot.provenance,
            datetime.now(UTC),
            config.run.max_shrink,
            float(config.run.max_age_hours),
        )
        if change.refusals:
            t.refused = files
            return DeployOutcome(False, change.refusals, change.changed)
        try:
            message = t.deployment.deploy(files, new)
        except DeployError as exc:
            t.refused = files
            return DeployOutcome(False, tuple(exc.reasons), change.changed)
        t.refused = None
        return DeployOutcome(True, (), change.changed, message)
