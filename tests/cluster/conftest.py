"""A real Dask ``LocalCluster`` (two worker processes) and the generated bench world."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from bench_world import AS_OF, write_bench_world

from routesieve.cluster.worker_cache import SnapshotRef, file_sha256
from routesieve.collect.files import read_routes
from routesieve.config import load_config
from routesieve.engine.evaluate import evaluate
from routesieve.engine.result import Evaluation
from routesieve.model import Route
from routesieve.outputs.verdict_arrow import read_verdict_table, verdict_table
from routesieve.policy import Policy
from routesieve.snapshot import Snapshot
from routesieve.sources.load import load_snapshot
from routesieve.store.snapshot_file import save_snapshot

pytest.importorskip("distributed")

from distributed import Client

from routesieve.cluster.connect import ClusterSpec, open_client


@pytest.fixture(scope="session")
def client() -> Iterator[Client]:
    """Two worker processes, one thread each, shared by the tests of this folder."""
    with open_client(ClusterSpec(local_workers=2)) as connected:
        yield connected


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


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("bench-world")
    config_path = write_bench_world(folder)
    config = load_config(config_path)
    snapshot = load_snapshot(config, AS_OF).snapshot
    routes_file = folder / "routes.jsonl"
    return World(
        config=config_path,
        routes_file=routes_file,
        routes=read_routes(routes_file).items,
        snapshot=snapshot,
        policy=config.to_policy(),
        ref=stored(snapshot, folder / "stored.snapshot.npz"),
    )


@pytest.fixture(scope="session")
def single_process(world: World) -> list[dict[str, Any]]:
    """The verdicts of the ordinary one-process run, by peer (see :func:`by_peer`)."""
    return by_peer(table_of(evaluate(world.routes, world.snapshot, world.policy)))


def table_of(evaluation: Evaluation) -> pa.Table:
    return verdict_table(evaluation)


def by_peer(table: pa.Table) -> list[dict[str, Any]]:
    """Rows in a stable order by peer: a partition keeps every route of its peers in
    the order received, so within a peer the order is that of the one-process run."""
    rows = table.to_pylist()
    return sorted(rows, key=lambda row: row["peer_asn"])


def dataset_rows(folder: Path) -> list[dict[str, Any]]:
    return by_peer(read_verdict_table(folder))
