"""The driver: partitions submitted to the cluster, every route accounted for, one dataset.

Each partition's verdicts go to ``part-<number>.parquet`` in a staging folder beside
the output; only when every partition has answered, its counts add up and the files
hold as many rows as there are verdicts, the staging folder replaces the output folder.
A failed run leaves the output as it was.
"""

from __future__ import annotations

import json
import pickle
import shutil
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyarrow.parquet as pq
from distributed import Client, as_completed
from distributed.client import FutureCancelledError

from routesieve.cluster.partition import split_columns
from routesieve.cluster.task import PartitionResult, PartitionTask, run_partition
from routesieve.cluster.worker_cache import SnapshotRef, pack_policy
from routesieve.model import Route
from routesieve.outputs.verdict_arrow import FORMAT
from routesieve.outputs.verdict_dataset import MARKER
from routesieve.policy import Policy

__all__ = ["MARKER", "ClusterRun", "PartitionFailed", "check_output", "evaluate_on_cluster"]
PARTS_PER_WORKER = 4
RETRIES = 2


class PartitionFailed(Exception):
    """A partition could not be decided, or its counts do not add up; the message names
    the partition, its peers or files, and what went wrong."""


@dataclass(frozen=True)
class ClusterRun:
    """A finished run: the dataset folder and the counts, checked."""

    folder: Path
    results: tuple[PartitionResult, ...]
    routes_in: int
    verdicts: int
    accepted: int
    rules: dict[str, int]
    warnings: tuple[str, ...]
    workers: int


def evaluate_on_cluster(
    client: Client,
    policy: Policy,
    snapshot: SnapshotRef,
    output: Path,
    *,
    routes: Sequence[Route] | None = None,
    files: Sequence[Path] = (),
    parts: int | None = None,
    retries: int = RETRIES,
) -> ClusterRun:
    """Decide ``routes`` (split here by effective peer) or the route ``files`` (one
    partition each, read by the workers) and write the verdicts as a Parquet dataset
    into the folder ``output``. Raises :class:`PartitionFailed` (nothing is written),
    and ``ValueError`` when ``output`` is something this must not replace."""
    check_output(output)
    workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
    staging = output.with_name(f".{output.name}.staging-{uuid.uuid4().hex[:12]}")
    staging.mkdir()
    try:
        tasks, expected = _tasks(
            policy, snapshot, staging, routes, files, parts or workers * PARTS_PER_WORKER
        )
        results = _run(client, tasks, retries)
        run = _checked(tasks, expected, results, staging, workers)
        _mark(staging, snapshot, run)
        _replace(output, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return replace(run, folder=output)


def check_output(output: Path) -> None:
    """``ValueError`` unless ``output`` is absent, an empty folder, or a dataset this wrote."""
    if not output.exists():
        if not output.parent.is_dir():
            raise ValueError(f"{output}: its folder {output.parent} does not exist")
        return
    if not output.is_dir():
        raise ValueError(f"{output}: exists and is not a folder (a dataset is a folder)")
    if any(output.iterdir()) and not (output / MARKER).is_file():
        raise ValueError(
            f"{output}: a folder that is not a verdict dataset written by routesieve "
            f"(no {MARKER}); not replacing it"
        )


def _tasks(
    policy: Policy,
    snapshot: SnapshotRef,
    staging: Path,
    routes: Sequence[Route] | None,
    files: Sequence[Path],
    parts: int,
) -> tuple[list[PartitionTask], list[int | None]]:
    packed, policy_key = pack_policy(policy)
    base = PartitionTask(0, snapshot, packed, policy_key, str(staging))
    if routes is None:
        tasks = [
            replace(base, number=k, files=(str(path.resolve()),)) for k, path in enumerate(files)
        ]
        return tasks, [None] * len(tasks)
    split = split_columns(routes, policy.route_server_sessions, parts)
    tasks = [
        replace(base, number=p.number, peers=p.peers, packed=pickle.dumps(p.routes, protocol=5))
        for p in split
    ]
    return tasks, [len(p.routes) for p in split]


def _run(client: Client, tasks: list[PartitionTask], retries: int) -> list[PartitionResult]:
    run_id = uuid.uuid4().hex[:12]
    futures = {
        client.submit(
            run_partition, task, key=f"routesieve-{run_id}-{task.number}", retries=retries
        ): task
        for task in tasks
    }
    results: list[PartitionResult] = []
    try:
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            task = futures[future]
            try:
                result: PartitionResult = future.result()
            except FutureCancelledError as exc:
                raise PartitionFailed(f"{task.describe()}: cancelled ({exc})") from None
            except Exception as exc:  # KilledWorker, or what the task raised after retries
                raise PartitionFailed(
                    f"{task.describe()}: {type(exc).__name__}: {str(exc)[:300]}"
                ) from None
            if result.error is not None:
                raise PartitionFailed(f"{task.describe()}: {result.error}")
            results.append(result)
    finally:
        client.cancel(list(futures))  # type: ignore[no-untyped-call]
    return sorted(results, key=lambda r: r.number)


def _checked(
    tasks: list[PartitionTask],
    expected: list[int | None],
    results: list[PartitionResult],
    staging: Path,
    workers: int,
) -> ClusterRun:
    """Every partition answered, its counts add up, no peer is in two partitions."""
    owner: dict[int, int] = {}
    for task, want, result in zip(tasks, expected, results, strict=True):
        where = task.describe()
        if want is not None and result.routes_in != want:
            raise PartitionFailed(f"{where}: {result.routes_in} routes decided, {want} sent")
        if result.routes_in != result.read_routes:
            raise PartitionFailed(
                f"{where}: {result.routes_in} routes decided, {result.read_routes} read"
            )
        if result.rows_written != result.verdicts or sum(result.rules.values()) != result.verdicts:
            raise PartitionFailed(
                f"{where}: {result.verdicts} verdicts, {result.rows_written} rows written"
            )
        if task.peers and not set(result.peers) <= set(task.peers):
            raise PartitionFailed(f"{where}: decided peers the driver did not put in it")
        for peer in result.peers:
            other = owner.setdefault(peer, task.number)
            if other != task.number:
                raise PartitionFailed(
                    f"AS{peer} has routes in {tasks[other].describe()} and in {where}: "
                    "every route of an effective peer must be in one partition (rule 4.2 "
                    "compares a peer's routes with each other)"
                )
    verdicts = sum(r.verdicts for r in results)
    stored = sum(pq.ParquetFile(p).metadata.num_rows for p in staging.glob("part-*.parquet"))
    if stored != verdicts:
        raise PartitionFailed(f"the dataset holds {stored} rows, not {verdicts} verdicts")
    rules: Counter[str] = Counter()
    for r in results:
        rules.update(r.rules)
    return ClusterRun(
        folder=staging,
        results=tuple(results),
        routes_in=sum(r.routes_in for r in results),
        verdicts=verdicts,
        accepted=sum(r.accepted for r in results),
        rules=dict(rules),
        warnings=tuple(dict.fromkeys(w for r in results for w in r.warnings)),
        workers=workers,
    )


def _mark(staging: Path, snapshot: SnapshotRef, run: ClusterRun) -> None:
    doc = {
        "format": FORMAT,
        "as_of": snapshot.as_of,
        "snapshot": snapshot.path,
        "partitions": len(run.results),
        "routes": run.routes_in,
        "verdicts": run.verdicts,
        "accepted": run.accepted,
        "rules": run.rules,
        "warnings": list(run.warnings),
    }
    (staging / MARKER).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def _replace(output: Path, staging: Path) -> None:
    """Put ``staging`` where ``output`` is; the old dataset is removed after the swap."""
    old: Path | None = None
    if output.exists():
        old = output.with_name(f".{output.name}.old-{uuid.uuid4().hex[:8]}")
        output.rename(old)
    staging.rename(output)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
