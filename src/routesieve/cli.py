"""The command line: parse arguments, call the layers, map errors to exit codes.

Exit codes: 0 success, 1 an input file could not be used, 2 bad usage or configuration.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import IO, NoReturn

import click

from routesieve.collect.files import read_routes
from routesieve.collect.routers import Collector
from routesieve.collect.store import newest, write_snapshot
from routesieve.config import Config, ConfigError, load_config
from routesieve.engine.evaluate import decide, evaluate
from routesieve.engine.explain import explain_row
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.model import ParseError, Prefix, Route
from routesieve.outputs.deploy_bird import BirdDeployment, DeployError
from routesieve.outputs.deploy_plan import describe, manifest_of, plan
from routesieve.outputs.filterspec import RouterPolicy, SessionSpec, router_policy
from routesieve.outputs.table import write_explanation, write_table
from routesieve.outputs.verdict_formats import write_csv, write_jsonl
from routesieve.outputs.write_files import write_atomically
from routesieve.problems import InputError, Problem
from routesieve.snapshot import Snapshot
from routesieve.sources.load import load_snapshot

SHOWN_PROBLEMS = 20


def _warn(problems: Sequence[Problem], what: str) -> None:
    if not problems:
        return
    click.echo(f"warning: {len(problems)} problems reading {what}:", err=True)
    for p in problems[:SHOWN_PROBLEMS]:
        click.echo(f"  {p}", err=True)
    if len(problems) > SHOWN_PROBLEMS:
        click.echo(f"  … and {len(problems) - SHOWN_PROBLEMS} more", err=True)


def _fail(code: int, message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _load(config_path: Path, route_paths: Sequence[Path]) -> tuple[Config, Snapshot, list[Route]]:
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        _fail(2, str(exc))
    try:
        loaded = load_snapshot(config, int(time.time()))
        _warn(loaded.problems, "the data files (those lines or objects were skipped)")
        routes: list[Route] = []
        problems: list[Problem] = []
        if not route_paths:
            collected = newest(config.collect_dir)
            if collected is None:
                _fail(
                    1,
                    f"no --routes given, and no collected routes in {config.collect_dir} "
                    "(run 'routesieve collect' first)",
                )
            click.echo(f"routes: {collected}", err=True)
            route_paths = [collected]
        for path in route_paths:
            result = read_routes(path)
            routes.extend(result.items)
            problems.extend(result.problems)
        _warn(
            problems,
            "the route files (unreadable lines skipped; unreadable routes kept as X-MALFORMED)",
        )
    except InputError as exc:
        _fail(1, str(exc))
    # the snapshot lives for the whole run: keep the collector from walking it again
    gc.freeze()
    return config, loaded.snapshot, routes


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file written atomically (a temporary file renamed into place)."""
    if path is None:
        yield sys.stdout
        return
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


CONFIG = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The routesieve TOML configuration.",
)
ROUTES = click.option(
    "--routes",
    "route_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Received routes: JSON lines, bgpdump -m text or MRT, compressed or not. Repeatable. "
    "Without it, the newest snapshot written by 'routesieve collect'.",
)
FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl", "csv"]),
    default=None,
    help="Output format; table on a terminal, jsonl otherwise.",
)
OUTPUT = click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (atomically) instead of standard output.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="routesieve")
def main() -> None:
    """routesieve: decide, route by route, what to accept from BGP peers, and why."""


def _run_evaluate(
    config_path: Path, route_paths: Sequence[Path], fmt: str | None, output: Path | None
) -> None:
    config, snapshot, routes = _load(config_path, route_paths)
    policy = config.to_policy()
    result = evaluate(routes, snapshot, policy)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    if fmt is None:
        fmt = "table" if output is None and sys.stdout.isatty() else "jsonl"
    writers: dict[str, Callable[[IO[str]], int]] = {
        "jsonl": lambda out: write_jsonl(result, out),
        "csv": lambda out: write_csv(result, out),
        "table": lambda out: write_table(
            result,
            policy,
            snapshot.provenance,
            out,
            datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        ),
    }
    with _output(output) as out:
        writers[fmt](out)


@main.command("evaluate")
@CONFIG
@ROUTES
@FORMAT
@OUTPUT
def evaluate_command(
    config_path: Path, route_paths: tuple[Path, ...], fmt: str | None, output: Path | None
) -> None:
    """A verdict for every received route: accept or reject, rule, reason, evidence."""
    _run_evaluate(config_path, route_paths, fmt, output)


@main.command("explain")
@CONFIG
@ROUTES
@click.option("--prefix", "prefix_text", required=True, help="The prefix to explain (exact).")
@click.option("--peer", "peer", type=int, default=None, help="Only routes from this peer AS.")
def explain_command(
    config_path: Path, route_paths: tuple[Path, ...], prefix_text: str, peer: int | None
) -> None:
    """Every rule, pass or fail, with its evidence, for each route of one prefix."""
    try:
        wanted = Prefix.parse(prefix_text)
    except ParseError as exc:
        _fail(2, f"--prefix: {exc}")
    config, snapshot, routes = _load(config_path, route_paths)
    d = decide(routes, snapshot, config.to_policy())
    builder = VerdictBuilder(d)
    found = 0
    for row in d.table.appearance.tolist():
        route = d.table.first[row]
        if route.prefix != wanted or (peer is not None and int(d.table.peer[row]) != peer):
            continue
        write_explanation(explain_row(d, row, builder), sys.stdout)
        found += 1
    if not found:
        who = f" from AS{peer}" if peer is not None else ""
        _fail(1, f"no received route for {wanted}{who} in {', '.join(map(str, route_paths))}")


def _renderer(target: str) -> Callable[[RouterPolicy], dict[str, str]]:
    if target == "bird2":
        from routesieve.outputs.bird import render_bird2

        return render_bird2
    if target == "frr":
        from routesieve.outputs.frr import render_frr

        return render_frr
    from routesieve.outputs.openbgpd import render_openbgpd

    return render_openbgpd


def _router_policy(config: Config, snapshot: Snapshot, routes: Sequence[Route]) -> RouterPolicy:
    policy = config.to_policy()
    result = evaluate(routes, snapshot, policy)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    sessions = {
        peer.asn: tuple(
            SessionSpec(
                s.name,
                None if s.neighbor is None else str(s.neighbor),
                s.exchange,
                s.route_server,
            )
            for s in peer.sessions
        )
        for peer in config.peers
    }
    limits = {peer.asn: peer.max_prefix for peer in config.peers}
    return router_policy(list(result), policy, snapshot, sessions, limits)


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
def render_command(
    config_path: Path, route_paths: tuple[Path, ...], target: str, output_dir: Path
) -> None:
    """Router configuration from the verdicts: guard, ROA table, accept lists, sessions."""
    config, snapshot, routes = _load(config_path, route_paths)
    files = _renderer(target)(_router_policy(config, snapshot, routes))
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
) -> None:
    """Render, compare with what is deployed, check with BIRD, then reload it."""
    config, snapshot, routes = _load(config_path, route_paths)
    rp = _router_policy(config, snapshot, routes)
    files = _renderer(target)(rp)
    dep = BirdDeployment(folder, bird_config, socket)
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
        _fail(1, str(exc))


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
        _fail(1, str(exc))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@main.command("collect")
@CONFIG
@click.option(
    "--serve",
    is_flag=True,
    help="Keep running: listen for BMP, and write a snapshot every --interval.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds between snapshots with --serve.",
)
@click.option(
    "--bmp-wait",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Without --serve: how long BMP stations listen before the snapshot.",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=None,
    help="With --serve: stop after this many snapshots (default: run until stopped).",
)
def collect_command(
    config_path: Path, serve: bool, interval: float, bmp_wait: float, count: int | None
) -> None:
    """Read the received routes from the routers of [[routers]] into a dated snapshot."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        _fail(2, str(exc))
    if not config.routers:
        _fail(2, f"{config_path}: no [[routers]] configured, nothing to collect")
    collector = Collector(config.routers)
    written = 0
    # a service manager stops us with SIGTERM: leave through the same door as Ctrl-C
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        collector.start()
        if any(r.kind == "bmp" for r in config.routers):
            time.sleep(interval if serve else bmp_wait)
        while True:
            routes, problems = collector.collect()
            _warn(problems, "the routers (routes kept with a problem become X-MALFORMED)")
            path = write_snapshot(
                routes, config.collect_dir, datetime.now(UTC), config.collect_keep
            )
            click.echo(f"collected {len(routes)} routes into {path}")
            written += 1
            if not serve or (count is not None and written >= count):
                break
            time.sleep(interval)
    except InputError as exc:
        _fail(1, str(exc))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        collector.stop()


@main.command("demo")
@FORMAT
@OUTPUT
def demo_command(fmt: str | None, output: Path | None) -> None:
    """Evaluate the bundled AS214312 example (every rule code appears)."""
    example = resources.files("routesieve") / "data" / "example"
    with resources.as_file(example) as folder:
        _run_evaluate(folder / "routesieve.toml", [folder / "routes.jsonl"], fmt or "table", output)


if __name__ == "__main__":
    main()
