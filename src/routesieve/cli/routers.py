"""render, deploy and rollback: router configuration from the verdicts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import click

from routesieve.cli.common import CONFIG, FORCE, OFFLINE, ROUTES, fail, load_inputs, main
from routesieve.cli.reporting import rtr_validation, session_specs
from routesieve.config import Config
from routesieve.engine.evaluate import evaluate
from routesieve.model import Route, Verdict
from routesieve.outputs.deploy_bird import BirdDeployment, DeployError
from routesieve.outputs.deploy_plan import describe, manifest_of, plan
from routesieve.outputs.diff import TITLES, Seen, diff_runs
from routesieve.outputs.filterspec import RouterPolicy, router_policy
from routesieve.outputs.write_files import write_atomically
from routesieve.problems import InputError
from routesieve.runs.store import newest_run, read_run, runs_dir, save_run
from routesieve.snapshot import Snapshot


def _renderer(target: str) -> Callable[[RouterPolicy], dict[str, str]]:
    if target == "bird2":
        from routesieve.outputs.bird import render_bird2

        return render_bird2
    if target == "frr":
        from routesieve.outputs.frr import render_frr

        return render_frr
    from routesieve.outputs.openbgpd import render_openbgpd

    return render_openbgpd


def _router_policy(
    config: Config, snapshot: Snapshot, routes: Sequence[Route]
) -> tuple[RouterPolicy, list[Verdict]]:
    policy = config.to_policy()
    result = evaluate(routes, snapshot, policy)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    verdicts = list(result)
    limits = {peer.asn: peer.max_prefix for peer in config.peers}
    rp = router_policy(
        verdicts, policy, snapshot, session_specs(config), limits, rtr_validation(config)
    )
    return rp, verdicts


def _changes_since_last_run(config: Config, verdicts: Sequence[Verdict]) -> None:
    """What the routes did since the newest stored run (``routesieve diff``'s comparison)."""
    before = newest_run(runs_dir(config))
    if before is None:
        return
    try:
        old = read_run(before)
    except InputError as exc:
        click.echo(f"warning: cannot compare with the last run: {exc}", err=True)
        return
    d = diff_runs(old.routes, (Seen.of(v) for v in verdicts))
    counts = ", ".join(f"{TITLES[k]} {n}" for k, n in d.counts().items())
    click.echo(f"routes since the run of {old.time or before.name}: {counts}")


@main.command("render")
@CONFIG
@ROUTES
@click.option(
    "--target",
    type=click.Choice(["bird2", "frr", "openbgpd"]),
    required=True,
    help="The router software to write configuration for.",
)
@click.option(
    "--output",
    "output_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the files into (created if missing; each file atomically).",
)
@OFFLINE
@FORCE
def render_command(
    config_path: Path,
    route_paths: tuple[Path, ...],
    target: str,
    output_dir: Path,
    offline: bool,
    force: bool,
) -> None:
    """Router configuration from the verdicts: guard, ROA table, accept lists, sessions."""
    config, snapshot, routes = load_inputs(
        config_path, route_paths, offline=offline, refuse_stale=True, force=force
    )
    try:
        files = _renderer(target)(_router_policy(config, snapshot, routes)[0])
    except ValueError as exc:  # what the target cannot express, said by the renderer
        fail(1, f"{config.path}: cannot render for {target}: {exc}")
    for path in write_atomically(output_dir, files):
        click.echo(f"wrote {path}")


BIRD_CONFIG = click.option(
    "--bird-config",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The main BIRD configuration that includes the rendered files (for bird -p).",
)
SOCKET = click.option(
    "--socket",
    type=click.Path(path_type=Path),
    default=None,
    help="BIRD's control socket; without it the files are checked but BIRD is not reloaded.",
)
FOLDER = click.option(
    "--dir",
    "folder",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder the main configuration includes the rendered files from.",
)


@main.command("deploy")
@CONFIG
@ROUTES
@click.option("--target", type=click.Choice(["bird2"]), default="bird2", show_default=True)
@FOLDER
@BIRD_CONFIG
@SOCKET
@click.option(
    "--max-shrink",
    type=click.FloatRange(0, 1),
    default=0.25,
    show_default=True,
    help="Refuse when a peer's accept list would lose more than this share.",
)
@click.option(
    "--max-age-hours",
    type=click.FloatRange(min=0),
    default=48.0,
    show_default=True,
    help="Refuse when a data source is older than this.",
)
@click.option("--force", is_flag=True, help="Deploy even when a safety check refuses.")
@OFFLINE
def deploy_command(
    config_path: Path,
    route_paths: tuple[Path, ...],
    target: str,
    folder: Path,
    bird_config: Path,
    socket: Path | None,
    max_shrink: float,
    max_age_hours: float,
    force: bool,
    offline: bool,
) -> None:
    """Render, compare with what is deployed, check with BIRD, then reload it."""
    config, snapshot, routes = load_inputs(
        config_path, route_paths, offline=offline, refuse_stale=True, force=force
    )
    rp, verdicts = _router_policy(config, snapshot, routes)
    files = _renderer(target)(rp)
    dep = BirdDeployment(folder, bird_config, socket)
    _changes_since_last_run(config, verdicts)
    try:
        new = manifest_of(rp, target)
        change = plan(
            dep.read_manifest(),
            new,
            snapshot.provenance,
            datetime.now(UTC),
            max_shrink,
            max_age_hours,
        )
        for line in describe(change):
            click.echo(line)
        if change.refusals and not force:
            raise DeployError([*change.refusals, "nothing deployed (use --force to override)"])
        for reason in change.refusals:
            click.echo(f"warning: deploying anyway (--force): {reason}", err=True)
        click.echo(f"deployed to {folder}: {dep.deploy(files, new)}")
    except DeployError as exc:
        fail(1, str(exc))
    try:
        stored = save_run(
            verdicts,
            runs_dir(config),
            datetime.now(UTC).replace(microsecond=0),
            config_path=config.path,
            route_files=route_paths,
            provenance=snapshot.provenance,
        )
    except OSError as exc:
        click.echo(f"warning: deployed, but the run could not be stored: {exc}", err=True)
    else:
        click.echo(f"run stored: {stored}", err=True)


@main.command("rollback")
@FOLDER
@BIRD_CONFIG
@SOCKET
def rollback_command(folder: Path, bird_config: Path, socket: Path | None) -> None:
    """Put back the files the last deploy replaced, check them and reload BIRD."""
    try:
        click.echo(
            f"rolled back {folder}: {BirdDeployment(folder, bird_config, socket).rollback()}"
        )
    except DeployError as exc:
        fail(1, str(exc))
