"""What a worker does for one partition: read or unpack its routes, decide, write Parquet.

The task is plain data (``PartitionTask``) and so is its answer (``PartitionResult``):
Dask ships them with pickle and may run a task again when a worker dies, so a task only
writes its own file (``part-<number>.parquet``, replaced atomically) and a second run
of it gives the same file. Bad input (an unreadable route file, a snapshot that cannot be
used) is an answer with ``error`` set, not an exception: the driver names the partition
and its peers and fails the run; Dask's retries are for workers that die.
"""

from __future__ import annotations

import os
import pickle
import socket
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from routesieve.cluster.worker_cache import SnapshotRef, prepared
from routesieve.collect.files import read_routes
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.engine.evaluate import decide
from routesieve.engine.result import Evaluation
from routesieve.model import Route
from routesieve.outputs.verdict_arrow import write_parquet
from routesieve.outputs.verdict_dataset import PARTITION
from routesieve.problems import InputError

SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class PartitionTask:
    """One partition: its routes either as ``packed`` (pickled columns, split by the
    driver) or as ``files`` the worker reads itself (a partitioned input folder)."""

    number: int
    snapshot: SnapshotRef
    policy: bytes  # pickled (worker_cache.pack_policy)
    policy_key: str
    folder: str  # where part-<number>.parquet is written
    peers: tuple[int, ...] = ()  # the effective peers the driver put in it
    packed: bytes | None = None
    files: tuple[str, ...] = ()

    @property
    def file_name(self) -> str:
        return PARTITION.format(self.number)

    def describe(self) -> str:
        what = f"partition {self.number}"
        if self.peers:
            shown = ", ".join(f"AS{p}" for p in self.peers[:5])
            more = f" and {len(self.peers) - 5} more" if len(self.peers) > 5 else ""
            what += f" (peers {shown}{more})"
        if self.files:
            what += f" ({', '.join(self.files)})"
        return what


@dataclass(frozen=True)
class PartitionResult:
    """What one partition gave: counts the driver checks, or the error."""

    number: int
    routes_in: int = 0
    verdicts: int = 0
    rows_written: int = 0
    rules: dict[str, int] = field(default_factory=dict)
    accepted: int = 0
    peers: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()
    read: tuple[str, ...] = ()  # the accounting of each route file read
    read_routes: int = 0  # routes the readers returned (for files)
    problems: tuple[str, ...] = ()  # the first SHOWN_PROBLEMS problems met reading
    problem_count: int = 0
    error: str | None = None
    worker: str = ""
    seconds: float = 0.0


def run_partition(task: PartitionTask) -> PartitionResult:
    """Decide the routes of one partition and write their verdicts (see the module)."""
    started = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    try:
        routes, read, read_count, problems = _routes_of(task)
        policy, snapshot, index = prepared(task.snapshot, task.policy, task.policy_key)
        decided = decide(routes, snapshot, policy, index)
        evaluation = Evaluation.of_decisions(decided)
        rows = write_parquet(evaluation, Path(task.folder) / task.file_name)
    except InputError as exc:
        return PartitionResult(task.number, error=str(exc), worker=worker)
    rules, accepted = _counts_in(Path(task.folder) / task.file_name)
    return PartitionResult(
        number=task.number,
        routes_in=len(routes),
        verdicts=len(evaluation),
        rows_written=rows,
        rules=dict(rules),
        accepted=accepted,
        peers=tuple(np.unique(decided.table.peer).tolist()),
        warnings=evaluation.warnings,
        read=read,
        read_routes=read_count,
        problems=tuple(problems[:SHOWN_PROBLEMS]),
        problem_count=len(problems),
        worker=worker,
        seconds=time.perf_counter() - started,
    )


def _counts_in(path: Path) -> tuple[dict[str, int], int]:
    """Verdicts per rule, and accepted ones, as read back from the file written."""
    table = pq.read_table(path, columns=["action", "rule"])
    rules: Counter[str] = Counter()
    for chunk in table.column("rule").chunks:  # counted by Arrow, not a Python list a row
        for found in pc.value_counts(chunk).to_pylist():
            rules[found["values"]] += found["counts"]
    actions = table.column("action").cast(pa.string())
    return dict(rules), int(pc.sum(pc.equal(actions, "accept")).as_py() or 0)


def _routes_of(task: PartitionTask) -> tuple[Sequence[Route], tuple[str, ...], int, list[str]]:
    """The partition's routes: unpacked, or read from its files into columns (as
    ``evaluate --routes`` reads them: no Python object per route)."""
    if task.packed is not None:
        routes: Sequence[Route] = pickle.loads(task.packed)
        return routes, (), len(routes), []
    parts: list[ReceivedRoutes] = []
    read: list[str] = []
    problems: list[str] = []
    for name in task.files:
        result = read_routes(name)
        parts.append(ReceivedRoutes.of(result.items))
        problems.extend(map(str, result.problems))
        if result.accounting is not None:
            read.append(str(result.accounting))
    received = ReceivedRoutes.concat(parts)
    return received, tuple(read), len(received), problems
