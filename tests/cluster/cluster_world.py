"""What the cluster tests share besides fixtures: the bench world's parts and verdict rows
in a stable order. A module of its own (not ``conftest``), so that these tests can be run
in one pytest call with other folders that have a ``conftest`` too."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from routesieve.cluster.worker_cache import SnapshotRef, file_sha256
from routesieve.engine.result import Evaluation
from routesieve.model import Route
from routesieve.outputs.verdict_arrow import read_verdict_table, verdict_table
from routesieve.policy import Policy
from routesieve.snapshot import Snapshot
from routesieve.store.snapshot_file import save_snapshot


@dataclass(frozen=True)
class World:
    config: Path
    routes_file: Path
    routes: list[Route]
    snapshot: Snapshot
    policy: Policy
    ref: SnapshotRef


def stored(snapshot: Snapshot, path: Path) -> SnapshotRef:
    """``snapshot`` saved where the workers read it."""
    save_snapshot(snapshot, path)
    return SnapshotRef(str(path), file_sha256(path), snapshot.as_of)


def table_of(evaluation: Evaluation) -> pa.Table:
    return verdict_table(evaluation)


def by_peer(table: pa.Table) -> list[dict[str, Any]]:
    """Rows in a stable order by peer: a partition keeps every route of its peers in
    the order received, so within a peer the order is that of the one-process run."""
    rows = table.to_pylist()
    return sorted(rows, key=lambda row: row["peer_asn"])


def dataset_rows(folder: Path) -> list[dict[str, Any]]:
    return by_peer(read_verdict_table(folder))
