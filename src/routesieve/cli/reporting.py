"""report and diff: the static report site, stored runs, and what changed between runs."""

from __future__ import annotations

import bisect
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import click
import orjson
from click.core import ParameterSource

from routesieve.cli.common import (
    CONFIG,
    ROUTES,
    VERDICTS,
    fail,
    load_inputs,
    load_verdict_inputs,
    main,
)
from routesieve.config import Config, SourceUrl
from routesieve.engine.decisions import Decisions
from routesieve.engine.evaluate import decide
from routesieve.engine.explain import Explanation, explain_row
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.model import Action, Verdict
from routesieve.outputs.diff import Seen, diff_json, diff_runs, diff_text
from routesieve.outputs.filterspec import RtrCache, RtrValidation, SessionSpec, router_policy
from routesieve.outputs.report import PeerInputs, ReportInput, write_site
from routesieve.outputs.report.summary import source_status, stale_limits
from routesieve.problems import InputError
from routesieve.runs.store import DEFAULT_KEEP, StoredRun, newest_run, read_run, runs_dir, save_run
from routesieve.snapshot import Snapshot

DEFAULT_EXPLAIN = 2000
DEFAULT_EXPLAIN_SECONDS = 30.0


def session_specs(config: Config) -> dict[int, tuple[SessionSpec, ...]]:
    """The configured sessions per peer AS, as ``router_policy`` takes them."""
    return {
        peer.asn: tuple(
            SessionSpec(
                s.name, None if s.neighbor is None else str(s.neighbor), s.exchange, s.route_server
            )
            for s in peer.sessions
        )
        for peer in config.peers
    }


def rtr_validation(config: Config) -> RtrValidation | None:
    """The RTR caches the rendered configuration validates against (``[render]``), or
    None when rule 3.10 is rendered from the snapshot."""
    caches = config.rtr_caches()
    if not caches:
        return None
    render = config.render
    return RtrValidation(
        tuple(
            RtrCache(c.url.host, c.url.port, c.preference)
            for c in caches
            if isinstance(c.url, SourceUrl)
        ),
        render.rtr_refresh_seconds,
        render.rtr_retry_seconds,
        render.rtr_expire_seconds,
    )


def peer_handles(snapshot: Snapshot, asns: Sequence[int]) -> dict[int, list[str]]:
    """The RIR opaque-ids and IRR ``org:`` handles that hold each of ``asns``."""
    wanted = sorted(set(asns))
    out: dict[int, list[str]] = {a: [] for a in wanted}
    for d in snapshot.asn_delegations:
        i = bisect.bisect_left(wanted, d.first)
        while i < len(wanted) and wanted[i] < d.first + d.count:
            out[wanted[i]].append(f"{d.registry}:{d.opaque_id or '-'} ({d.status.value})")
            i += 1
    for h in snapshot.org_handles:
        if h.asn is not None and h.asn in out:
            out[h.asn].append(f"{h.source}:{h.org} (aut-num org)")
    return out


def pick_explained(verdicts: Sequence[Verdict], limit: int) -> list[int]:
    """Which routes get the listing of every rule (it costs a scan of the whole table
    each): rejected routes first, taken in turn from each peer, then accepted ones; in
    that order of priority."""
    queues: dict[tuple[int, int], list[int]] = {}
    for i, v in enumerate(verdicts):
        queues.setdefault((v.action is Action.ACCEPT, v.peer_asn), []).append(i)
    chosen: list[int] = []
    for accepted in (False, True):
        lists = [q for (a, _), q in sorted(queues.items()) if a == accepted]
        depth = 0
        while len(chosen) < limit and any(depth < len(q) for q in lists):
            chosen.extend(q[depth] for q in lists if depth < len(q))
            depth += 1
    return chosen[:limit]


def _explanations(
    d: Decisions, rows: list[int], builder: VerdictBuilder, picked: list[int], seconds: float
) -> dict[int, Explanation]:
    """Explanations in the order of ``picked`` until the time budget is spent (a few
    milliseconds each; the budget only bounds a very large ``--explain-limit``)."""
    out: dict[int, Explanation] = {}
    end = time.monotonic() + seconds
    for i in picked:
        if time.monotonic() > end:
            break
        out[i] = explain_row(d, rows[i], builder)
    return out


def _read(path: Path) -> StoredRun:
    try:
        return read_run(path)
    except InputError as exc:
        fail(1, str(exc))


#: said on the pages and by the command when the verdicts were read, not decided
NOT_EXPLAINED = (
    "the listing of every rule is not in this report: the verdicts were read from a "
    "verdict dataset, not decided here (run 'routesieve explain' for one route)"
)


def report_input(
    config: Config,
    snapshot: Snapshot,
    d: Decisions,
    now: datetime,
    *,
    previous: Path | None,
    explain_limit: int = DEFAULT_EXPLAIN,
    explain_seconds: float = DEFAULT_EXPLAIN_SECONDS,
) -> ReportInput:
    """Everything the report site shows, from one run's decisions (``serve`` uses it too);
    ``previous`` is the stored run to compare with, if any."""
    builder = VerdictBuilder(d)
    rows = d.table.appearance.tolist()
    verdicts = [builder(r) for r in rows]
    picked = pick_explained(verdicts, explain_limit)
    explanations = _explanations(d, rows, builder, picked, explain_seconds)
    return verdict_report_input(
        config, snapshot, verdicts, now, previous=previous, explanations=explanations
    )


def verdict_report_input(
    config: Config,
    snapshot: Snapshot,
    verdicts: Sequence[Verdict],
    now: datetime,
    *,
    previous: Path | None,
    explanations: Mapping[int, Explanation] | None = None,
) -> ReportInput:
    """Everything the report site shows, from a run's verdicts; without ``explanations``
    (verdicts read back, no engine behind them) the pages say why they have none."""
    policy = config.to_policy()
    diff = prior = None
    if previous is not None:
        old = _read(previous)
        diff = diff_runs(old.routes, (Seen.of(v) for v in verdicts))
        prior = old.time or str(previous)
    handles = peer_handles(snapshot, [p.asn for p in config.peers])
    sessions = session_specs(config)
    peers = {
        p.asn: PeerInputs(
            p.asn, p.name or "", p.as_sets, sessions[p.asn], p.max_prefix, tuple(handles[p.asn])
        )
        for p in config.peers
    }
    rp = router_policy(
        verdicts,
        policy,
        snapshot,
        sessions,
        {p.asn: p.max_prefix for p in config.peers},
        rtr_validation(config),
    )
    return ReportInput(
        local_asn=config.local.asn,
        local_name=config.local.name or "",
        when=now,
        config_path=str(config.path),
        verdicts=verdicts,
        peers=peers,
        router=rp,
        sources=source_status(snapshot.provenance, now, stale_limits(config)),
        explanations={} if explanations is None else explanations,
        diff=diff,
        previous=prior,
        explain_note=NOT_EXPLAINED if explanations is None else None,
    )


@main.command("report")
@CONFIG
@ROUTES
@VERDICTS
@click.option(
    "--html",
    "html_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder to write the static site into (created if missing).",
)
@click.option(
    "--previous",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The run to compare with (a stored run or verdict JSON lines); default: the newest "
    "stored run.",
)
@click.option(
    "--explain-limit",
    type=click.IntRange(min=0),
    default=DEFAULT_EXPLAIN,
    show_default=True,
    help="How many routes get the listing of every rule (rejected ones first).",
)
@click.option(
    "--explain-seconds",
    type=click.FloatRange(min=0),
    default=DEFAULT_EXPLAIN_SECONDS,
    show_default=True,
    help="Stop computing those listings after this long.",
)
@click.option(
    "--keep-runs",
    type=click.IntRange(min=1),
    default=DEFAULT_KEEP,
    show_default=True,
    help="How many stored runs to keep.",
)
@click.option("--no-save-run", is_flag=True, help="Do not store this run.")
def report_command(
    config_path: Path,
    route_paths: tuple[Path, ...],
    verdicts_path: Path | None,
    html_dir: Path,
    previous: Path | None,
    explain_limit: int,
    explain_seconds: float,
    keep_runs: int,
    no_save_run: bool,
) -> None:
    """A static HTML report: every peer, every route, why, and what changed."""
    started = time.monotonic()
    now = datetime.now(UTC).replace(microsecond=0)
    if verdicts_path is not None:
        config, snapshot, read = load_verdict_inputs(config_path, route_paths, verdicts_path)
        ctx = click.get_current_context()
        for name in ("explain_limit", "explain_seconds"):
            if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
                option = "--" + name.replace("_", "-")
                click.echo(
                    f"warning: {option} has no effect with --verdicts (the listing of every "
                    "rule needs the engine and the routes)",
                    err=True,
                )
        folder = runs_dir(config)
        inp = verdict_report_input(
            config, snapshot, read.verdicts, now, previous=previous or newest_run(folder)
        )
        sources: Sequence[Path] = (verdicts_path,)
    else:
        config, snapshot, routes = load_inputs(config_path, route_paths)
        d = decide(routes, snapshot, config.to_policy())
        for w in d.warnings:
            click.echo(f"warning: {w}", err=True)
        folder = runs_dir(config)
        inp = report_input(
            config,
            snapshot,
            d,
            now,
            previous=previous or newest_run(folder),
            explain_limit=explain_limit,
            explain_seconds=explain_seconds,
        )
        sources = route_paths
    verdicts = inp.verdicts
    explanations = inp.explanations
    try:
        pages = write_site(inp, html_dir)
    except OSError as exc:
        fail(1, f"cannot write the report into {html_dir}: {exc}")
    click.echo(
        f"report: {html_dir / 'index.html'}, {len(pages)} peer pages, {len(verdicts)} routes, "
        f"{len(explanations)} explained, {time.monotonic() - started:.1f} s",
        err=True,
    )
    if inp.explain_note is not None:
        click.echo(f"note: {inp.explain_note}", err=True)
    if not no_save_run:
        try:
            stored = save_run(
                verdicts,
                folder,
                now,
                config_path=config.path,
                route_files=sources,
                provenance=snapshot.provenance,
                keep=keep_runs,
            )
        except OSError as exc:
            fail(1, f"cannot store the run in {folder}: {exc}")
        click.echo(f"run stored: {stored}", err=True)


def _snapshot_runs(
    config_path: Path, route_paths: Sequence[Path], old: Path, new: Path
) -> tuple[list[Seen], list[Seen]]:
    """The verdicts of the same routes under two stored data snapshots."""
    from routesieve.collect.files import read_routes
    from routesieve.config import ConfigError, load_config
    from routesieve.engine.evaluate import evaluate
    from routesieve.store.snapshot_file import load_stored_snapshot

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(2, str(exc))
    if not route_paths:
        fail(2, "--snapshots needs --routes (the routes to judge under both snapshots)")
    policy = config.to_policy()
    try:
        routes = [r for path in route_paths for r in read_routes(path).items]
        sides = [load_stored_snapshot(old), load_stored_snapshot(new)]
    except InputError as exc:
        fail(1, str(exc))
    a, b = ([Seen.of(v) for v in evaluate(routes, snap, policy)] for snap in sides)
    return a, b


@main.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.option(
    "--snapshots",
    is_flag=True,
    help="OLD and NEW are stored data snapshots: compare the verdicts of the same --routes "
    "under each (needs --config and --routes).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The configuration (with --snapshots).",
)
@ROUTES
def diff_command(
    old: Path,
    new: Path,
    fmt: str,
    snapshots: bool,
    config_path: Path | None,
    route_paths: tuple[Path, ...],
) -> None:
    """What changed per peer between two stored runs (or verdict JSON-lines files), or
    between the verdicts of the same routes under two stored snapshots (--snapshots)."""
    if snapshots:
        if config_path is None:
            fail(2, "--snapshots needs --config")
        before, after = _snapshot_runs(config_path, route_paths, old, new)
    else:
        before, after = list(_read(old).routes), list(_read(new).routes)
    d = diff_runs(before, after)
    if fmt == "json":
        sys.stdout.write(orjson.dumps(diff_json(d, str(old), str(new))).decode() + "\n")
    else:
        sys.stdout.write(diff_text(d, str(old), str(new)))
