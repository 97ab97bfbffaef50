"""The command line: parse arguments, call the layers, map errors to exit codes.

Exit codes: 0 success, 1 an input file could not be used, 2 bad usage or configuration.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import IO

import click

from routesieve.collect.files import read_routes
from routesieve.config import Config, ConfigError, load_config
from routesieve.engine.evaluate import decide, evaluate
from routesieve.engine.explain import explain_row
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.model import ParseError, Prefix, Route
from routesieve.outputs.table import write_explanation, write_table
from routesieve.outputs.verdict_formats import write_csv, write_jsonl
from routesieve.problems import InputError, Problem
from routesieve.snapshot import Snapshot
from routesieve.sources.load import load_snapshot

SHOWN_PROBLEMS = 20


def _warn(problems: Sequence[Problem], what: str) -> None:
    if not problems:
        return
    click.echo(f"warning: {len(problems)} {what} could not be read and were skipped:", err=True)
    for p in problems[:SHOWN_PROBLEMS]:
        click.echo(f"  {p}", err=True)
    if len(problems) > SHOWN_PROBLEMS:
        click.echo(f"  … and {len(problems) - SHOWN_PROBLEMS} more", err=True)


def _fail(code: int, message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _load(config_path: Path, route_paths: Sequence[Path]) -> tuple[Config, Snapshot, list[Route]]:
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        _fail(2, str(exc))
    try:
        loaded = load_snapshot(config, int(time.time()))
        _warn(loaded.problems, "data lines or objects")
        routes: list[Route] = []
        problems: list[Problem] = []
        for path in route_paths:
            result = read_routes(path)
            routes.extend(result.items)
            problems.extend(result.problems)
        _warn(problems, "route lines or records")
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
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Received routes: JSON lines, bgpdump -m text or MRT, compressed or not. Repeatable.",
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


@main.command("demo")
@FORMAT
@OUTPUT
def demo_command(fmt: str | None, output: Path | None) -> None:
    """Evaluate the bundled AS214312 example (every rule code appears)."""
    example = resources.files("routesieve") / "data" / "example"
    with resources.as_file(example) as folder:
        _run_evaluate(folder / "routesieve.toml", [folder / "routes.jsonl"], fmt or "table", output)
