"""``routesieve sync`` as a function: every source, then one stored snapshot.

Sources are brought up to date four at a time (:mod:`routesieve.sync.one_source`); the
caller holds the state folder's lock (:mod:`routesieve.sync.lock`).
When every source has a usable copy, the snapshot is built from those copies with the
same readers ``load_snapshot`` uses, saved with
:func:`routesieve.store.snapshot_file.save_snapshot` as
``<state>/snapshots/snapshot-<UTC>.arrow`` beside its manifest, and all but the newest
``[sync] keep`` snapshots are deleted (those of the older ``.npz`` form, named
``snapshot-<UTC>.snapshot``, too: each manifest names its file). A source without any
usable copy means no snapshot is written: a snapshot silently missing, say, every VRP
would accept what it should not.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from routesieve.config import Config
from routesieve.problems import Problem
from routesieve.sources.load import assemble
from routesieve.store.snapshot_file import save_snapshot
from routesieve.sync.one_source import (
    FAILED,
    KEPT,
    SourceOutcome,
    read_local,
    reuse_copy,
    sync_source,
)
from routesieve.sync.plan import PlanEntry, fingerprint, make_plan
from routesieve.sync.records import Manifest, SourceState, file_stamp, save_manifest
from routesieve.sync.stored import (
    OLD_SNAPSHOT_SUFFIX,
    SNAPSHOT_SUFFIX,
    StaleSource,
    list_manifests,
    stale_sources,
)

PARALLEL = 4  # sources fetched at once
Progress = Callable[[int, int, PlanEntry], None]
Due = Callable[[PlanEntry], bool]
Done = Callable[[SourceOutcome, float], None]


@dataclass(frozen=True)
class SyncResult:
    """Every source's outcome, and the snapshot written (None when a source had no copy)."""

    outcomes: tuple[SourceOutcome, ...]
    snapshot_path: Path | None
    manifest: Manifest | None

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for o in self.outcomes for p in o.problems)

    def over_limit(self, now: float) -> tuple[StaleSource, ...]:
        """Fetched sources whose copy is older than their limit."""
        return () if self.manifest is None else stale_sources(self.manifest, now)

    def exit_code(self, now: float) -> int:
        """0 when every source is fresh or kept within its limit; 1 otherwise."""
        if self.snapshot_path is None:
            return 1
        return 1 if any(s.status == KEPT for s in self.over_limit(now)) else 0


def run_sync(
    config: Config,
    *,
    now: int | None = None,
    progress: Progress | None = None,
    done: Done | None = None,
    due: Due | None = None,
) -> SyncResult:
    """Fetch every source of ``config``, then build, save and prune the snapshots.

    With ``due``, only the URL sources it holds true for are fetched; the others are read
    from their copy in place (with the status of their last fetch), or fetched when they
    have none (``routesieve run``'s intervals per kind)."""
    collecting = gc.isenabled()
    # reading makes millions of long-lived objects and no garbage cycles: the collector
    # would only walk them again and again (load_inputs does the same)
    gc.disable()
    try:
        return _run(config, int(time.time()) if now is None else now, progress, done, due)
    finally:
        if collecting:
            gc.enable()


def _run(
    config: Config, started: int, progress: Progress | None, done: Done | None, due: Due | None
) -> SyncResult:
    plan = make_plan(config)
    outcomes = _bring_up_to_date(plan, config, started, progress, done, due)
    if any(o.status == FAILED for o in outcomes):
        return SyncResult(tuple(outcomes), None, None)
    loaded = assemble((p for o in outcomes for p in o.parts), config, started)
    folder = config.state_dir / "snapshots"
    stamp = datetime.fromtimestamp(started, UTC).strftime("%Y%m%dT%H%M%SZ")
    name, n = f"snapshot-{stamp}", 1
    while any(
        (folder / f"{name}{suffix}").exists()
        for suffix in (SNAPSHOT_SUFFIX, OLD_SNAPSHOT_SUFFIX, ".json")
    ):
        name, n = f"snapshot-{stamp}-{n}", n + 1
    snapshot_path = save_snapshot(loaded.snapshot, folder / f"{name}{SNAPSHOT_SUFFIX}")
    limits = config.sync.max_age_hours
    manifest = Manifest(
        created_at=started,
        fingerprint=fingerprint(config),
        snapshot=snapshot_path.name,
        config=str(config.path),
        sources=tuple(
            SourceState(
                key=o.entry.key,
                location=o.entry.location,
                method=o.entry.method,
                status=o.status,
                max_age_hours=getattr(limits, o.entry.age_group),
                fetched_at=o.fetched_at,
                generated=o.generated,
                count=o.count,
                error=o.error,
                file_stamp=None if o.entry.local is None else file_stamp(o.entry.local),
            )
            for o in outcomes
        ),
    )
    save_manifest(folder / f"{name}.json", manifest)
    _prune(folder, config.sync.keep)
    return SyncResult(tuple(outcomes), snapshot_path, manifest)


def _bring_up_to_date(
    plan: Sequence[PlanEntry],
    config: Config,
    started: int,
    progress: Progress | None,
    done: Done | None,
    due: Due | None = None,
) -> list[SourceOutcome]:
    """Every entry's outcome, in plan order; :data:`PARALLEL` fetched at a time (each has
    its own folder; the time goes to waiting on servers, which threads share well)."""

    def one(entry: PlanEntry) -> tuple[SourceOutcome, float]:
        t0 = time.monotonic()
        if entry.folder is None:
            return read_local(entry), time.monotonic() - t0
        reused = None if due is None or due(entry) else reuse_copy(entry)
        outcome = reused or sync_source(entry, config, started)
        return outcome, time.monotonic() - t0

    results: dict[int, SourceOutcome] = {}
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="sync") as pool:
        pending = {}
        for i, entry in enumerate(plan, 1):
            if progress is not None:
                progress(i, len(plan), entry)
            pending[pool.submit(one, entry)] = i
        for future in as_completed(pending):
            outcome, seconds = future.result()
            results[pending[future]] = outcome
            if done is not None:
                done(outcome, seconds)
    return [results[i] for i in sorted(results)]


def _prune(folder: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` snapshots (manifest and file)."""
    for path, manifest in list_manifests(folder)[keep:]:
        if manifest is not None:
            (folder / manifest.snapshot).unlink(missing_ok=True)
        path.unlink(missing_ok=True)
