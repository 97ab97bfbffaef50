"""evaluate, explain and demo: verdicts for people and programs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from routesieve.cli.common import (
    CONFIG,
    OFFLINE,
    OUTPUT,
    ROUTES,
    fail,
    load_inputs,
    main,
    output_to,
)

# The engine and the writers are imported by the command that runs (``evaluate --help``
# needs none of them; Parquet and Arrow IPC load ``pyarrow.dataset`` and
# ``pyarrow.parquet`` only when written).
if TYPE_CHECKING:
    from routesieve.engine.result import Evaluation

#: Formats written to a file only (binary): ``--output`` is required.
FILE_FORMATS = ("parquet", "arrow")


def _write_file(fmt: str, result: Evaluation, output: Path) -> None:
    from routesieve.outputs.verdict_arrow import write_arrow, write_parquet

    writers: dict[str, Callable[[Evaluation, Path], int]] = {
        "parquet": write_parquet,
        "arrow": write_arrow,
    }
    writers[fmt](result, output)


EVALUATE_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl", "csv", *FILE_FORMATS]),
    default=None,
    help="Output format; table on a terminal, jsonl otherwise. parquet and arrow (Arrow "
    "IPC) are the verdict table, written to --output only.",
)


def _run_evaluate(
    config_path: Path,
    route_paths: Sequence[Path],
    fmt: str | None,
    output: Path | None,
    offline: bool = False,
) -> None:
    if output is not None and output.is_dir():
        fail(2, f"--output {output} is a folder; a folder is written with --cluster only")
    if any(p.is_dir() for p in route_paths):
        fail(2, "--routes: a folder of partitions is read with --cluster only")
    if fmt in FILE_FORMATS and (output is None or _is_device(output)):
        fail(2, f"--format {fmt} writes a binary file: give --output FILE (not a terminal)")
    from routesieve.columnar.heap import return_memory_promptly
    from routesieve.engine.evaluate import evaluate
    from routesieve.outputs.verdict_formats import write_csv, write_jsonl

    return_memory_promptly()  # a lower high-water mark (columnar/heap.py)
    config, snapshot, routes = load_inputs(config_path, route_paths, offline=offline)
    policy = config.to_policy()
    result = evaluate(routes, snapshot, policy)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    if fmt in FILE_FORMATS and output is not None:
        _write_file(fmt, result, output)
        return
    if fmt is None:
        fmt = "table" if output is None and sys.stdout.isatty() else "jsonl"

    def table(out: IO[str]) -> int:
        from routesieve.outputs.table import write_table

        made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        return write_table(result, policy, snapshot.provenance, out, made)

    writers: dict[str, Callable[[IO[str]], int]] = {
        "jsonl": lambda out: write_jsonl(result, out),
        "csv": lambda out: write_csv(result, out),
        "table": table,
    }
    with output_to(output) as out:
        writers[fmt](out)


def _is_device(path: Path) -> bool:
    """A terminal or another device than /dev/null (a binary table does not go there)."""
    return path.exists() and path.is_char_device() and path.resolve() != Path("/dev/null")


@main.command("evaluate")
@CONFIG
@click.option(
    "--routes",
    "route_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Received routes: JSON lines, bgpdump -m text or MRT, compressed or not. Repeatable. "
    "Without it, the newest snapshot written by 'routesieve collect'. With --cluster, also "
    "a folder whose files are partitions (each holding every route of its peers).",
)
@EVALUATE_FORMAT
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write to this file (atomically) instead of standard output; with --cluster, "
    "the folder of the Parquet dataset (replaced when the run succeeds).",
)
@OFFLINE
@click.option(
    "--cluster",
    default=None,
    metavar="tcp://HOST:PORT|local:N",
    help="Decide partitioned by peer on a Dask cluster (or N local worker processes) and "
    "write a Parquet dataset; default: [cluster] scheduler for --format parquet.",
)
def evaluate_command(
    config_path: Path,
    route_paths: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    offline: bool,
    cluster: str | None,
) -> None:
    """A verdict for every received route: accept or reject, rule, reason, evidence."""
    if cluster is not None or (fmt == "parquet" and _configured_cluster(config_path)):
        if fmt not in (None, "parquet"):
            fail(2, f"--cluster writes a Parquet dataset, not {fmt}: use --format parquet")
        from routesieve.cli.cluster_evaluate import run_cluster_evaluate

        run_cluster_evaluate(config_path, route_paths, output, offline, cluster)
        return
    _run_evaluate(config_path, route_paths, fmt, output, offline)


def _configured_cluster(config_path: Path) -> bool:
    """Whether the configuration names a cluster (a configuration that cannot be loaded
    is reported by the run itself)."""
    from routesieve.config import ConfigError, load_config

    try:
        return load_config(config_path).cluster.scheduler is not None
    except ConfigError:
        return False


@main.command("explain")
@CONFIG
@ROUTES
@click.option("--prefix", "prefix_text", required=True, help="The prefix to explain (exact).")
@click.option("--peer", "peer", type=int, default=None, help="Only routes from this peer AS.")
@OFFLINE
def explain_command(
    config_path: Path,
    route_paths: tuple[Path, ...],
    prefix_text: str,
    peer: int | None,
    offline: bool,
) -> None:
    """Every rule, pass or fail, with its evidence, for each route of one prefix."""
    from routesieve.engine.evaluate import decide
    from routesieve.engine.explain import explain_row
    from routesieve.engine.verdicts import VerdictBuilder
    from routesieve.model import ParseError, Prefix
    from routesieve.outputs.live_rpki import live_rpki
    from routesieve.outputs.table import write_explanation

    try:
        wanted = Prefix.parse(prefix_text)
    except ParseError as exc:
        fail(2, f"--prefix: {exc}")
    config, snapshot, routes = load_inputs(config_path, route_paths, offline=offline)
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
        fail(1, f"no received route for {wanted}{who} in {', '.join(map(str, route_paths))}")
    from routesieve.cli.reporting import rtr_validation  # the report stack: explain only

    live = live_rpki(rtr_validation(config), snapshot.provenance, datetime.now(UTC))
    if live is not None:
        for sentence in live.sentences():
            sys.stdout.write(f"{sentence}\n")


@main.command("demo")
@EVALUATE_FORMAT
@OUTPUT
def demo_command(fmt: str | None, output: Path | None) -> None:
    """Evaluate the bundled AS214312 example (every rule code appears)."""
    from importlib import resources

    example = resources.files("routesieve") / "data" / "example"
    with resources.as_file(example) as folder:
        _run_evaluate(folder / "routesieve.toml", [folder / "routes.jsonl"], fmt or "table", output)
