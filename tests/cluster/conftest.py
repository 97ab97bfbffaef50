"""A real Dask ``LocalCluster`` (two worker processes) and the generated bench world."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from bench_world import AS_OF, write_bench_world
from cluster_world import World, by_peer, stored, table_of

from routesieve.collect.files import read_routes
from routesieve.config import load_config
from routesieve.engine.evaluate import evaluate
from routesieve.sources.load import load_snapshot

pytest.importorskip("distributed")

from distributed import Client

from routesieve.cluster.connect import ClusterSpec, open_client


@pytest.fixture(scope="session")
def client() -> Iterator[Client]:
    """Two worker processes, one thread each, shared by the tests of this folder."""
    with open_client(ClusterSpec(local_workers=2)) as connected:
        yield connected


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
