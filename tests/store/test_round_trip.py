"""A stored snapshot loads back to the same items, in the same order, and the same verdicts.

Snapshots come from the real shared data files (read by the real readers) and from
hypothesis; verdicts are compared in full (``Verdict.to_json``) between the snapshot of
tuples and the loaded one, whose big data sets are column-backed tables.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_strategies import worlds

from routesieve.collect.files import read_routes
from routesieve.columnar import (
    AsnDelegationTable,
    BogonTable,
    IpDelegationTable,
    RouteObjectTable,
    VrpTable,
)
from routesieve.engine.evaluate import decide, evaluate
from routesieve.engine.explain import Explanation, explain_row
from routesieve.engine.reference import evaluate as reference_evaluate
from routesieve.model import AsPath, Route
from routesieve.outputs.filterspec import router_policy
from routesieve.policy import PeerPolicy, Policy
from routesieve.snapshot import Snapshot
from routesieve.store.snapshot_file import SUFFIX, load_stored_snapshot, save_snapshot

DATA_SETS = [f.name for f in fields(Snapshot) if f.name not in ("as_of", "provenance")]
TABLES = {
    "vrps": VrpTable,
    "route_objects": RouteObjectTable,
    "bogons": BogonTable,
    "ip_delegations": IpDelegationTable,
    "asn_delegations": AsnDelegationTable,
}


def assert_same_snapshot(loaded: Snapshot, original: Snapshot) -> None:
    assert loaded.as_of == original.as_of
    for name in DATA_SETS:
        assert tuple(getattr(loaded, name)) == tuple(getattr(original, name)), name
    assert loaded.provenance == original.provenance
    assert loaded == original


def verdicts(routes: list[Route], snapshot: Snapshot, policy: Policy) -> list[dict[str, Any]]:
    return [v.to_json() for v in evaluate(routes, snapshot, policy)]


@pytest.mark.slow
def test_real_data_round_trip_keeps_every_item_in_order(
    real_snapshot: Snapshot, tmp_path: Path
) -> None:
    loaded = load_stored_snapshot(save_snapshot(real_snapshot, tmp_path / f"real{SUFFIX}"))
    assert_same_snapshot(loaded, real_snapshot)
    for name, table in TABLES.items():
        assert isinstance(getattr(loaded, name), table), name
    assert len(loaded.route_objects) > 50_000 and len(loaded.bogons) > 100_000
    # and once more from the loaded (columnar) snapshot: columns are written as they are
    again = load_stored_snapshot(save_snapshot(loaded, tmp_path / f"again{SUFFIX}"))
    assert_same_snapshot(again, real_snapshot)


@pytest.mark.slow
def test_real_data_gives_the_same_verdicts_after_a_round_trip(
    real_snapshot: Snapshot, shared_data: Path, tmp_path: Path
) -> None:
    loaded = load_stored_snapshot(save_snapshot(real_snapshot, tmp_path / f"real{SUFFIX}"))
    # routes a RIS peer really sent (2016), plus one per real route object and VRP
    received = list(
        read_routes(shared_data / "mrt" / "ripe-bgpdump_updates.20160811.1600.gz").items
    )
    peers = sorted({r.peer_asn for r in received})
    made = []
    for i, o in enumerate(real_snapshot.route_objects[::40]):
        made.append(Route(o.origin, o.prefix, AsPath.sequence([o.origin])))  # its own object
        peer = peers[i % len(peers)]
        made.append(Route(peer, o.prefix, AsPath.sequence([peer, o.origin])))
    for v in real_snapshot.vrps:  # valid, and from the wrong AS
        made.append(Route(v.asn, v.prefix, AsPath.sequence([v.asn])))
        made.append(Route(v.asn + 1, v.prefix, AsPath.sequence([v.asn + 1])))
    routes = received + made
    names = [s.name for s in real_snapshot.as_sets[:200]]
    policy = Policy(
        local_asn=214312,
        families=frozenset({4, 6}),
        peers={a: PeerPolicy(a, as_sets=(names[i % len(names)],)) for i, a in enumerate(peers)},
    )
    want = verdicts(routes, real_snapshot, policy)
    assert len(want) > 10_000
    assert len({v["rule"] for v in want}) >= 5  # many rules, not one verdict for all
    assert verdicts(routes, loaded, policy) == want


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(world=worlds(), strict=st.booleans())
def test_generated_snapshots_round_trip_with_the_same_verdicts(
    world: tuple[list[Route], Snapshot], strict: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    routes, snapshot = world
    path = tmp_path_factory.mktemp("generated") / f"s{SUFFIX}"
    loaded = load_stored_snapshot(save_snapshot(snapshot, path))
    assert_same_snapshot(loaded, snapshot)
    peers = {r.peer_asn for r in routes}
    names = [s.name for s in snapshot.as_sets] or ["AS-NONE"]
    policy = Policy(
        local_asn=214312,
        families=frozenset({4, 6}),
        ipv4_min_length=0,
        ipv6_min_length=0,
        irr_strict_origin=strict,
        peers={a: PeerPolicy(a, as_sets=tuple(names[:2])) for a in peers},
    )
    want = verdicts(routes, snapshot, policy)
    assert verdicts(routes, loaded, policy) == want

    # the reference engine reads the data sets item by item: the tables' iteration
    def reference(s: Snapshot) -> list[dict[str, Any]]:
        return [v.to_json() for v in reference_evaluate(routes, s, policy)]

    assert reference(loaded) == reference(snapshot)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(world=worlds())
def test_explanations_and_router_filters_are_the_same_from_a_loaded_snapshot(
    world: tuple[list[Route], Snapshot], tmp_path_factory: pytest.TempPathFactory
) -> None:
    routes, snapshot = world
    path = tmp_path_factory.mktemp("explained") / f"s{SUFFIX}"
    loaded = load_stored_snapshot(save_snapshot(snapshot, path))
    policy = Policy(local_asn=214312, families=frozenset({4, 6}), ipv4_min_length=0)

    def explained(s: Snapshot) -> list[Explanation]:
        decisions = decide(routes, s, policy)
        return [explain_row(decisions, row) for row in range(len(decisions.table))]

    assert explained(loaded) == explained(snapshot)
    verdict_list = list(evaluate(routes, snapshot, policy))
    assert router_policy(verdict_list, policy, loaded, {}, {}) == router_policy(
        verdict_list, policy, snapshot, {}, {}
    )
