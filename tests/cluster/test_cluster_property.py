"""On random small worlds (those of the engine's property tests), the cluster gives the
one-process verdicts, reasons and evidence included. Few examples: each is a cluster run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from cluster_world import by_peer, dataset_rows, stored, table_of
from distributed import Client
from hypothesis import HealthCheck, given, settings

from routesieve.cluster.driver import evaluate_on_cluster
from routesieve.engine.evaluate import evaluate
from routesieve.model import Route
from routesieve.policy import Policy
from routesieve.snapshot import Snapshot

ENGINE = Path(__file__).resolve().parents[1] / "engine"
ENGINE_PROPERTIES = ENGINE / "test_fast_matches_reference.py"


def _engine_properties() -> ModuleType:
    """The world strategy of tests/engine (loaded by path: test folders are no packages)."""
    name = "routesieve_engine_worlds"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ENGINE_PROPERTIES)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


worlds = _engine_properties().worlds


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(worlds())
def test_random_worlds_get_the_single_process_verdicts_on_the_cluster(
    client: Client, tmp_path: Path, world: tuple[list[Route], Snapshot, Policy]
) -> None:
    routes, snapshot, policy = world
    run_folder = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
    run_folder.mkdir()
    ref = stored(snapshot, run_folder / "world.snapshot.npz")
    out = run_folder / "verdicts"

    evaluate_on_cluster(client, policy, ref, out, routes=routes, parts=3)

    expected = by_peer(table_of(evaluate(routes, snapshot, policy)))
    assert (dataset_rows(out) if expected else []) == expected
