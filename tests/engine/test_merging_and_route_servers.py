"""Step 2: merging routes over sessions, route-server sessions, the order of verdicts."""

from __future__ import annotations

from engine_builders import DOWN, OTHER, PEER, Engine, policy, ro, route, run, snapshot, vrp

from routesieve.engine.rules import Rule
from routesieve.model import Action

RS = 6777
V6 = "2a0a:1000::/32"
SUB = "2a0a:1000:5::/48"
RS_POLICY = policy(route_server_sessions=frozenset({"rs-ams"}))


def test_route_server_session_uses_first_as_as_peer(engine: Engine) -> None:
    snap = snapshot(route_objects=[ro(V6, PEER)])
    v = run(engine, [route(RS, V6, [PEER, DOWN], session="rs-ams")], snap, RS_POLICY)[0]
    assert (v.peer_asn, v.rule, v.action) == (PEER, Rule.IRR_EXACT, Action.ACCEPT)
    assert v.sessions == ("rs-ams",)


def test_ordinary_session_keeps_the_neighbour_as_peer(engine: Engine) -> None:
    snap = snapshot(route_objects=[ro(V6, PEER)])
    v = run(engine, [route(RS, V6, [PEER, DOWN], session="ix-ams")], snap, RS_POLICY)[0]
    assert (v.peer_asn, v.rule) == (RS, Rule.NOT_ACCEPTED)


def test_first_as_check_skips_route_server_sessions(engine: Engine) -> None:
    pol = policy(route_server_sessions=frozenset({"rs-ams"}), check_first_as=True)
    routes = [route(RS, V6, [PEER, DOWN], "rs-ams"), route(RS, SUB, [PEER, DOWN], "ix-ams")]
    result = run(engine, routes, snapshot(), pol)
    assert result[0].rule != Rule.X_FIRST_AS
    assert result[1].rule == Rule.X_FIRST_AS


def test_sessions_merged_at_two_exchanges(engine: Engine) -> None:
    routes = [
        route(PEER, V6, [PEER], "ams"),
        route(PEER, V6, [PEER], "fra"),
        route(PEER, V6, [PEER], "ams"),
        route(PEER, V6, [PEER], None),
    ]
    result = run(engine, routes)
    assert len(result) == 1
    assert result[0].sessions == ("ams", "fra")


def test_route_server_and_direct_copies_of_a_members_route_merge(engine: Engine) -> None:
    routes = [route(PEER, V6, [PEER], "ix-fra"), route(RS, V6, [PEER], "rs-ams")]
    result = run(engine, routes, snapshot(), RS_POLICY)
    assert len(result) == 1
    assert (result[0].peer_asn, result[0].sessions) == (PEER, ("ix-fra", "rs-ams"))


def test_different_paths_or_peers_are_not_merged(engine: Engine) -> None:
    routes = [
        route(PEER, V6, [PEER, DOWN], "ams"),
        route(PEER, V6, [PEER, PEER, DOWN], "ams"),
        route(OTHER, V6, [PEER, DOWN], "ams"),
    ]
    result = run(engine, routes)
    assert [(v.peer_asn, v.as_path) for v in result] == [
        (PEER, f"{PEER} {DOWN}"),
        (PEER, f"{PEER} {PEER} {DOWN}"),
        (OTHER, f"{PEER} {DOWN}"),
    ]


def test_malformed_routes_are_never_merged(engine: Engine) -> None:
    routes = [route(PEER, None, [PEER], "ams", "bad"), route(PEER, None, [PEER], "fra", "bad")]
    result = run(engine, routes)
    assert [(v.rule, v.sessions) for v in result] == [
        (Rule.X_MALFORMED, ("ams",)),
        (Rule.X_MALFORMED, ("fra",)),
    ]


def test_verdicts_come_in_order_of_first_appearance(engine: Engine) -> None:
    routes = [
        route(PEER, SUB, [PEER, DOWN], "a"),
        route(PEER, V6, [PEER], "a"),
        route(PEER, SUB, [PEER, DOWN], "b"),
        route(PEER, "2a0a:2000::/32", [PEER], "a"),
    ]
    assert [v.prefix for v in run(engine, routes)] == [SUB, V6, "2a0a:2000::/32"]


def test_downstream_via_direct_session_inside_members_route_via_route_server(
    engine: Engine,
) -> None:
    snap = snapshot(vrps=[vrp(V6, PEER, 32), vrp(SUB, DOWN)])
    routes = [route(PEER, SUB, [PEER, DOWN], "ix-fra"), route(RS, V6, [PEER], "rs-ams")]
    result = run(engine, routes, snap, RS_POLICY)
    assert [(v.peer_asn, v.rule) for v in result] == [
        (PEER, Rule.DOWNSTREAM_OF_ACCEPTED),
        (PEER, Rule.RPKI_VALID_ORIGIN),
    ]


def test_route_server_route_starting_with_a_set_keeps_the_server_as_peer(engine: Engine) -> None:
    v = run(engine, [route(RS, V6, f"{{{PEER} {DOWN}}}", "rs-ams")], snapshot(), RS_POLICY)[0]
    assert (v.peer_asn, v.rule) == (RS, Rule.AS_SET)


def test_no_routes_give_no_verdicts(engine: Engine) -> None:
    snap = snapshot(route_objects=[ro(V6, PEER)], vrps=[vrp(V6, PEER)])
    assert len(run(engine, [], snap, RS_POLICY)) == 0
