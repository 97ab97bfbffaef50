"""Property test: the live, incremental verdicts equal a full evaluate after every change.

Each example starts from a random small world (the strategies of the fast/reference
property test, so prefixes nest, VRPs and route objects cover routes, as-sets loop and
routes repeat over sessions) and applies a random sequence of VRP, route and IRR
changes; after each one every verdict, on every field and in order, must equal a full
``evaluate`` of the same routes and data.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fast_matches_reference import (
    PEERS,
    RS,
    SESSIONS,
    World,
    as_set,
    asn,
    near,
    path,
    vrp,
    worlds,
)

from routesieve.engine import incremental
from routesieve.engine.evaluate import evaluate
from routesieve.engine.incremental import LiveEvaluation
from routesieve.model import AsPath, Bogon, Prefix, Route, RouteObject, Vrp
from routesieve.policy import Policy

KINDS = (
    "add_vrp",
    "add_vrp",
    "add_covering_vrp",
    "remove_vrp",
    "remove_vrp",
    "set_vrps",
    "announce",
    "announce",
    "announce_downstream",
    "withdraw",
    "withdraw",
    "replace_routes",
    "route_objects",
    "as_sets",
    "bogons",
)


def assert_equals_full(live: LiveEvaluation, policy: Policy) -> None:
    full = list(evaluate(live.routes(), live.snapshot(), policy))
    got = live.verdicts()
    assert len(got) == len(full)
    for mine, theirs in zip(got, full, strict=True):
        assert mine == theirs  # every field: peer, prefix, path, rule, reason, evidence...


def pool_of(live: LiveEvaluation) -> list[Prefix]:
    seen = [r.prefix for r in live.routes() if r.prefix is not None]
    seen += [v.prefix for v in live.snapshot().vrps]
    return seen or [Prefix.parse("2001:db8::/32")]


def a_route(draw: st.DrawFn, pool: list[Prefix]) -> Route:
    neighbour = draw(st.sampled_from((*PEERS, RS)))
    first = draw(st.sampled_from(PEERS)) if neighbour == RS else neighbour
    session = draw(st.sampled_from((*SESSIONS, None)))
    if draw(st.integers(0, 15)) == 0:
        return Route(neighbour, None, path(draw, first), session, "bad", "garbage")
    return Route(neighbour, near(draw, pool), path(draw, first), session)


def step(live: LiveEvaluation, draw: st.DrawFn) -> None:
    kind = draw(st.sampled_from(KINDS))
    pool = pool_of(live)
    routes = live.routes()
    snap = live.snapshot()
    if kind == "add_vrp":
        live.add_vrps([vrp(draw, pool)])
    elif kind == "add_covering_vrp" and routes:
        r = draw(st.sampled_from(routes))
        if r.prefix is not None and r.as_path.origin is not None:
            p = r.prefix
            live.add_vrps(
                [Vrp(p, min(p.bits, p.length + draw(st.integers(0, 8))), r.as_path.origin)]
            )
    elif kind == "remove_vrp" and snap.vrps:
        live.remove_vrps(draw(st.lists(st.sampled_from(snap.vrps), min_size=1, max_size=3)))
    elif kind == "set_vrps":
        keep = [v for v in snap.vrps if draw(st.booleans())]
        live.set_vrps(keep + [vrp(draw, pool) for _ in range(draw(st.integers(0, 2)))])
    elif kind == "announce":
        live.announce([a_route(draw, pool) for _ in range(draw(st.integers(1, 3)))])
    elif kind == "announce_downstream" and routes:
        r = draw(st.sampled_from(routes))
        origin = r.as_path.origin
        if r.prefix is not None and origin is not None:
            sub = near(draw, [r.prefix])
            down = draw(st.sampled_from((40000, 40001)))
            live.announce([Route(r.peer_asn, sub, AsPath.sequence([origin, down]), r.session)])
    elif kind == "withdraw" and routes:
        live.withdraw(draw(st.lists(st.sampled_from(routes), min_size=1, max_size=3)))
    elif kind == "replace_routes":
        kept = [r for r in routes if draw(st.integers(0, 3))]
        live.replace_routes(kept + [a_route(draw, pool) for _ in range(draw(st.integers(0, 2)))])
    elif kind == "route_objects":
        kept = tuple(o for o in snap.route_objects if draw(st.booleans()))
        extra = tuple(
            RouteObject(near(draw, pool), asn(draw)) for _ in range(draw(st.integers(0, 2)))
        )
        live.replace_data(replace(snap, route_objects=kept + extra))
    elif kind == "as_sets":
        kept = tuple(s for s in snap.as_sets if draw(st.booleans()))
        extra = tuple(as_set(draw) for _ in range(draw(st.integers(0, 2))))
        live.replace_data(replace(snap, as_sets=kept + extra))
    elif kind == "bogons":
        live.replace_data(replace(snap, bogons=(Bogon(near(draw, pool)),)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.data())
def test_incremental_verdicts_equal_a_full_evaluate_after_every_change(
    world: World, data: st.DataObject
) -> None:
    routes, snapshot, policy = world
    live = LiveEvaluation(routes, snapshot, policy)
    assert_equals_full(live, policy)
    for _ in range(data.draw(st.integers(1, 10))):
        step(live, data.draw)
        assert_equals_full(live, policy)


def test_a_new_roa_accepts_only_the_routes_it_covers() -> None:
    peer = 20000
    route = Route(peer, Prefix.parse("2001:db8::/32"), AsPath.sequence([peer]), "ix-ams")
    other = Route(peer, Prefix.parse("2a0f:1000::/32"), AsPath.sequence([peer]), "ix-ams")
    from routesieve.policy import PeerPolicy
    from routesieve.snapshot import Snapshot

    policy = Policy(local_asn=214312, peers={peer: PeerPolicy(peer)})
    live = LiveEvaluation([route, other], Snapshot(as_of=1_750_000_000), policy)
    assert [v.rule for v in live.verdicts()] == ["5", "5"]
    applied = live.add_vrps([Vrp(route.prefix, 48, peer)])  # type: ignore[arg-type]
    assert applied.redecided == 1
    assert [(c.before.rule, c.after.rule) for c in applied.changes if c.before and c.after] == [
        ("5", "4.1")
    ]
    assert [v.rule for v in live.verdicts()] == ["4.1", "5"]
    live.remove_vrps([Vrp(route.prefix, 48, peer)])  # type: ignore[arg-type]
    assert [v.rule for v in live.verdicts()] == ["5", "5"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.data())
def test_incremental_verdicts_equal_a_full_evaluate_on_the_bulk_path(
    world: World, data: st.DataObject
) -> None:
    """Big changes are decided against an index of every VRP instead of the covering ones."""
    routes, snapshot, policy = world
    saved = incremental.BULK
    incremental.BULK = 0
    try:
        live = LiveEvaluation(routes, snapshot, policy)
        for _ in range(data.draw(st.integers(1, 6))):
            step(live, data.draw)
            assert_equals_full(live, policy)
    finally:
        incremental.BULK = saved
