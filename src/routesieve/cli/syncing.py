"""sync: fetch every outside data source the configuration names, then store a snapshot.

Progress is one plain line per source on standard error when it starts and one, naming
it again (sources are fetched side by side), when it is done (click, already the CLI's
library): lines read well in a terminal, a cron mail and a CI log alike, where a live
progress display (rich) would only add a dependency and escape codes.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import click

from routesieve.cli.common import CONFIG, fail, main, warn_problems
from routesieve.config import Config, ConfigError, load_config
from routesieve.sync.lock import StateLocked, state_lock
from routesieve.sync.one_source import FAILED, KEPT, SourceOutcome
from routesieve.sync.plan import PlanEntry
from routesieve.sync.run import run_sync


def _starting(i: int, total: int, entry: PlanEntry) -> None:
    click.echo(f"[{i}/{total}] {entry.key}: {entry.location} ...", err=True)


def _finished(outcome: SourceOutcome, seconds: float) -> None:
    entry = outcome.entry
    if outcome.status == FAILED:
        click.echo(f"  FAILED {entry.key} {entry.location}: {outcome.error}", err=True)
        return
    what = f"{outcome.count:,} items"
    if outcome.generated:
        what += f", data of {outcome.generated}"
    if outcome.status == KEPT:
        click.echo(
            f"  {entry.key}: KEPT LAST GOOD COPY of {entry.location} ({outcome.note}, {what}): "
            f"the fetch failed: {outcome.error}",
            err=True,
        )
        return
    done = outcome.note or "read"
    click.echo(f"  {entry.key}: {outcome.status}: {done}, {what} ({seconds:.1f} s)", err=True)


@main.command("sync")
@CONFIG
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait when another sync (or run) is using the state folder, then "
    "give up (exit 1); 0 gives up at once.",
)
def sync_command(config_path: Path, wait: float) -> None:
    """Fetch every source of [sources] (files, https://, rtr://, whois://, PeeringDB),
    keep the last good copy of each, and store a snapshot for the other commands.

    Independent sources are fetched four at a time. One sync at a time uses a state
    folder: a second one waits (--wait) and then gives up, naming the process in the way.

    Exit 0 when every source is fresh or kept within its age limit, 1 when a source has
    no usable copy at all (then no snapshot is stored) or a kept copy is over its limit,
    or when the state folder stayed in use.
    """
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(2, str(exc))
    if not config.sources.entries():
        fail(2, f"{config_path}: [sources] names nothing to sync")
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(state_lock(config.state_dir, wait=0))
        except StateLocked as busy:
            if not wait:
                fail(1, str(busy))
            click.echo(
                f"waiting up to {wait:g} s: {busy.holder} is using the state folder", err=True
            )
            try:
                stack.enter_context(state_lock(config.state_dir, wait=wait))
            except StateLocked as still:
                fail(1, str(still))
        _sync_locked(config)


def _sync_locked(config: Config) -> None:
    result = run_sync(config, progress=_starting, done=_finished)
    warn_problems(result.problems, "the fetched data (those lines or objects were skipped)")
    now = time.time()
    counts: dict[str, int] = {}
    for o in result.outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    click.echo(f"sources: {summary}", err=True)
    for stale in result.over_limit(now):
        click.echo(f"warning: stale data: {stale}", err=True)
    if result.snapshot_path is None:
        failed = [o.entry.key for o in result.outcomes if o.status == FAILED]
        fail(1, f"no snapshot stored: no usable copy of {', '.join(failed)}")
    click.echo(f"snapshot: {result.snapshot_path}")
    if result.exit_code(now):
        fail(1, "a kept copy is older than its limit (see the warnings above)")
