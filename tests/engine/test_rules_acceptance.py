"""Step 1 (as-sets), step 4 and step 5: each acceptance rule, its near misses, its order."""

from __future__ import annotations

import pytest
from engine_builders import (
    DOWN,
    OTHER,
    PEER,
    Engine,
    as_set,
    asn_deleg,
    by_prefix,
    ip_deleg,
    one,
    org_asn,
    org_prefix,
    policy,
    ro,
    route,
    run,
    snapshot,
    vrp,
)

from routesieve.engine.rules import Rule
from routesieve.model import Action, Prefix, RouteObject, RpkiState, set_prefix_source

OWN = "2a0a:1000::/32"
SUB = "2a0a:1000:5::/48"
V6 = "2a0a:1000::/32"

# --- 4.1 --------------------------------------------------------------------------------


def test_valid_route_originated_by_the_peer_is_accepted_by_4_1(engine: Engine) -> None:
    v = one(engine, route(PEER, OWN, [PEER, PEER]), snapshot(vrps=[vrp(OWN, PEER)]))
    assert (v.rule, v.action, v.rpki) == (Rule.RPKI_VALID_ORIGIN, Action.ACCEPT, RpkiState.VALID)


def test_valid_route_of_a_downstream_is_not_accepted_by_4_1(engine: Engine) -> None:
    v = one(engine, route(PEER, OWN, [PEER, DOWN]), snapshot(vrps=[vrp(OWN, DOWN)]))
    assert (v.rule, v.rpki) == (Rule.NOT_ACCEPTED, RpkiState.VALID)


def test_unknown_route_of_the_peer_is_not_accepted_by_4_1(engine: Engine) -> None:
    v = one(engine, route(PEER, OWN, [PEER]))
    assert (v.rule, v.rpki) == (Rule.NOT_ACCEPTED, RpkiState.UNKNOWN)


# --- 4.2 --------------------------------------------------------------------------------

OWN_BY_RPKI = snapshot(vrps=[vrp(OWN, PEER, 32), vrp(SUB, DOWN, 48)])
OWN_BY_HANDLE = snapshot(
    ip_delegations=[ip_deleg(OWN, "h1")], asn_delegations=[asn_deleg(PEER, "h1")]
)


@pytest.mark.parametrize("downstream_first", [False, True])
def test_downstream_inside_prefix_accepted_by_4_1(engine: Engine, downstream_first: bool) -> None:
    routes = [route(PEER, OWN, [PEER]), route(PEER, SUB, [PEER, DOWN])]
    if downstream_first:
        routes.reverse()
    verdicts = by_prefix(run(engine, routes, OWN_BY_RPKI))
    assert verdicts[OWN].rule == Rule.RPKI_VALID_ORIGIN
    assert (verdicts[SUB].rule, verdicts[SUB].action) == (
        Rule.DOWNSTREAM_OF_ACCEPTED,
        Action.ACCEPT,
    )
    assert [v.prefix for v in run(engine, routes, OWN_BY_RPKI)] == [r.prefix_text for r in routes]


@pytest.mark.parametrize("prefix", [OWN, SUB])
def test_downstream_inside_or_equal_to_prefix_accepted_by_4_3(engine: Engine, prefix: str) -> None:
    routes = [route(PEER, prefix, [PEER, DOWN]), route(PEER, OWN, [PEER])]
    result = run(engine, routes, OWN_BY_HANDLE)
    assert result[1].rule == Rule.RIR_HANDLE
    # 4.2 comes before 4.3, so the downstream route is accepted by 4.2
    assert result[0].rule == Rule.DOWNSTREAM_OF_ACCEPTED


def test_downstream_inside_prefix_accepted_by_rpsl_org_handle(engine: Engine) -> None:
    snap = snapshot(
        org_handles=[
            org_prefix("ORG-P", OWN),
            org_prefix("ORG-OTHER", SUB),
            org_asn("ORG-P", PEER),
        ]
    )
    result = run(engine, [route(PEER, SUB, [PEER, DOWN]), route(PEER, OWN, [PEER])], snap)
    assert result[1].rule == Rule.RIR_HANDLE
    assert result[0].rule == Rule.DOWNSTREAM_OF_ACCEPTED


def test_downstream_of_prefix_accepted_only_by_4_4_is_not_accepted(engine: Engine) -> None:
    snap = snapshot(route_objects=[ro(OWN, PEER)])
    result = run(engine, [route(PEER, SUB, [PEER, DOWN]), route(PEER, OWN, [PEER])], snap)
    assert result[1].rule == Rule.IRR_EXACT
    assert result[0].rule == Rule.NOT_ACCEPTED


def test_downstream_of_another_peers_accepted_prefix_is_not_accepted(engine: Engine) -> None:
    routes = [route(OTHER, OWN, [OTHER]), route(PEER, SUB, [PEER, DOWN])]
    snap = snapshot(vrps=[vrp(OWN, OTHER, 32), vrp(SUB, DOWN, 48)])
    result = run(engine, routes, snap)
    assert result[0].rule == Rule.RPKI_VALID_ORIGIN
    assert result[1].rule == Rule.NOT_ACCEPTED


def test_downstream_of_a_rejected_own_route_is_not_accepted(engine: Engine) -> None:
    routes = [route(PEER, OWN, [PEER, 23456, PEER]), route(PEER, SUB, [PEER, DOWN])]
    result = run(engine, routes, OWN_BY_RPKI)
    assert result[0].rule == Rule.AS_TRANS
    assert result[1].rule == Rule.NOT_ACCEPTED


def test_downstream_outside_the_accepted_prefix_is_not_accepted(engine: Engine) -> None:
    routes = [route(PEER, OWN, [PEER]), route(PEER, "2a0a:1001::/48", [PEER, DOWN])]
    result = run(engine, routes, OWN_BY_RPKI)
    assert result[0].rule == Rule.RPKI_VALID_ORIGIN
    assert result[1].rule == Rule.NOT_ACCEPTED


# --- 4.3 --------------------------------------------------------------------------------


def test_rir_handle_match_via_rir_stats(engine: Engine) -> None:
    snap = snapshot(
        ip_delegations=[ip_deleg("2a0a:1000::/29", "h1")],
        asn_delegations=[asn_deleg(PEER - 5, "h1", count=10)],
    )
    v = one(engine, route(PEER, OWN, [PEER, DOWN]), snap)
    assert (v.rule, v.action) == (Rule.RIR_HANDLE, Action.ACCEPT)


@pytest.mark.parametrize(
    ("ip", "asn"),
    [
        (ip_deleg(OWN, "h1"), asn_deleg(PEER, "h2")),
        (ip_deleg(OWN, "h1"), asn_deleg(PEER, "h1", registry="arin")),
        (ip_deleg(OWN, "h1", status="available"), asn_deleg(PEER, "h1")),
        (ip_deleg(OWN, "h1"), asn_deleg(PEER, "h1", status="reserved")),
        (ip_deleg(OWN, ""), asn_deleg(PEER, "")),
        (ip_deleg("2a0a:1000:5::/48", "h1"), asn_deleg(PEER, "h1")),
        (ip_deleg(OWN, "h1"), asn_deleg(DOWN, "h1")),
    ],
    ids=[
        "other-handle",
        "other-rir",
        "ip-available",
        "asn-reserved",
        "no-handle",
        "delegation-more-specific",
        "handle-of-origin-not-peer",
    ],
)
def test_rir_handle_near_misses(engine: Engine, ip: object, asn: object) -> None:
    snap = snapshot(ip_delegations=[ip], asn_delegations=[asn])
    assert one(engine, route(PEER, OWN, [PEER, DOWN]), snap).rule == Rule.NOT_ACCEPTED


def test_rir_handle_match_via_rpsl_org(engine: Engine) -> None:
    snap = snapshot(
        org_handles=[org_prefix("ORG-P1-RIPE", "2a0a::/16"), org_asn("org-p1-ripe", PEER)]
    )
    assert one(engine, route(PEER, OWN, [PEER, DOWN]), snap).rule == Rule.RIR_HANDLE


def test_rpsl_org_uses_the_most_specific_inetnum(engine: Engine) -> None:
    snap = snapshot(
        org_handles=[
            org_prefix("ORG-P1-RIPE", "2a0a::/16"),
            org_prefix("ORG-CUST-RIPE", "2a0a:1000::/29"),
            org_asn("ORG-P1-RIPE", PEER),
        ]
    )
    assert one(engine, route(PEER, OWN, [PEER, DOWN]), snap).rule == Rule.NOT_ACCEPTED


def test_rpsl_org_must_come_from_the_same_source(engine: Engine) -> None:
    snap = snapshot(
        org_handles=[org_prefix("ORG-P1", "2a0a::/16"), org_asn("ORG-P1", PEER, source="ARIN")]
    )
    assert one(engine, route(PEER, OWN, [PEER, DOWN]), snap).rule == Rule.NOT_ACCEPTED


# --- 4.4 --------------------------------------------------------------------------------


def test_route_object_of_the_peer_accepts_exact_prefix(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [PEER, DOWN]), snapshot(route_objects=[ro(V6, PEER)]))
    assert (v.rule, v.action) == (Rule.IRR_EXACT, Action.ACCEPT)


def test_route_object_match_is_exact_only(engine: Engine) -> None:
    snap = snapshot(route_objects=[ro(V6, PEER)])
    assert one(engine, route(PEER, SUB, [PEER]), snap).rule == Rule.NOT_ACCEPTED


def test_route_object_of_a_stranger_is_not_in_the_irr_policy(engine: Engine) -> None:
    snap = snapshot(route_objects=[ro(V6, DOWN)])
    assert one(engine, route(PEER, V6, [PEER, DOWN]), snap).rule == Rule.NOT_ACCEPTED


def test_route_object_of_an_as_set_member_accepts(engine: Engine) -> None:
    snap = snapshot(route_objects=[ro(V6, DOWN)], as_sets=[as_set("AS-PEER", f"AS{DOWN}")])
    pol = policy({PEER: ["AS-PEER"]})
    assert one(engine, route(PEER, V6, [PEER, OTHER, DOWN]), snap, pol).rule == Rule.IRR_EXACT


def test_strict_origin_mode_compares_the_announced_origin(engine: Engine) -> None:
    snap = snapshot(route_objects=[ro(V6, PEER)])
    r = route(PEER, V6, [PEER, DOWN])
    assert one(engine, r, snap, policy(irr_strict_origin=False)).rule == Rule.IRR_EXACT
    assert one(engine, r, snap, policy(irr_strict_origin=True)).rule == Rule.NOT_ACCEPTED


def test_strict_origin_mode_accepts_a_matching_origin(engine: Engine) -> None:
    snap = snapshot(
        route_objects=[ro(V6, PEER), ro(V6, DOWN)], as_sets=[as_set("AS-P", f"AS{DOWN}")]
    )
    pol = policy({PEER: ["AS-P"]}, irr_strict_origin=True)
    assert one(engine, route(PEER, V6, [PEER, OTHER, DOWN]), snap, pol).rule == Rule.IRR_EXACT


def set_list_row(prefix: str, ref: str) -> RouteObject:
    return RouteObject(Prefix.parse(prefix), 0, set_prefix_source(ref, ["RIPE", "RADB"]))


def test_prefix_list_of_an_opted_in_set_accepts_by_4_4_naming_the_set(engine: Engine) -> None:
    snap = snapshot(route_objects=[set_list_row(V6, "AS-PEER")])
    v = one(engine, route(PEER, V6, [PEER, OTHER, DOWN]), snap, policy({PEER: ["as-peer"]}))
    assert v.rule == Rule.IRR_EXACT
    if engine.__module__ == "routesieve.engine.evaluate":  # the reference words it its way
        assert "prefix list of AS-PEER from RIPE,RADB" in v.reason


def test_prefix_list_of_a_set_the_peer_did_not_opt_in_does_not_accept(engine: Engine) -> None:
    snap = snapshot(route_objects=[set_list_row(V6, "AS-OTHER"), set_list_row(V6, "RIPE::AS-PEER")])
    r = route(PEER, V6, [PEER, OTHER, DOWN])
    assert one(engine, r, snap, policy({PEER: ["AS-PEER"]})).rule == Rule.NOT_ACCEPTED
    assert one(engine, r, snap, policy({PEER: ["RIPE::AS-PEER"]})).rule == Rule.IRR_EXACT


def test_prefix_list_row_is_no_route_object_of_as0(engine: Engine) -> None:
    snap = snapshot(route_objects=[set_list_row(V6, "AS-X")], as_sets=[as_set("AS-P", "AS0")])
    r = route(PEER, V6, [PEER, OTHER, DOWN])
    assert one(engine, r, snap, policy({PEER: ["AS-P"]})).rule == Rule.NOT_ACCEPTED


def test_strict_origin_mode_does_not_use_prefix_lists(engine: Engine) -> None:
    snap = snapshot(route_objects=[set_list_row(V6, "AS-PEER")])
    pol = policy({PEER: ["AS-PEER"]}, irr_strict_origin=True)
    assert one(engine, route(PEER, V6, [PEER, DOWN]), snap, pol).rule == Rule.NOT_ACCEPTED


# --- 4.5 --------------------------------------------------------------------------------

SET_SNAP = snapshot(as_sets=[as_set("AS-PEER", f"AS{DOWN}")], vrps=[vrp(V6, DOWN)])
SET_POL = policy({PEER: ["AS-PEER"]})


def test_two_hops_with_prepends_folded_accepted_by_4_5(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [PEER, PEER, DOWN, DOWN, DOWN]), SET_SNAP, SET_POL)
    assert (v.rule, v.action) == (Rule.AS_SET_TWO_HOPS, Action.ACCEPT)


def test_three_hops_fail_4_5(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [PEER, OTHER, DOWN]), SET_SNAP, SET_POL)
    assert v.rule == Rule.NOT_ACCEPTED


def test_4_5_without_as_set_never_matches(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [PEER, DOWN]), SET_SNAP, policy())
    assert (v.rule, v.rpki) == (Rule.NOT_ACCEPTED, RpkiState.VALID)


def test_4_5_needs_the_first_as_to_be_the_peer(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [OTHER, DOWN]), SET_SNAP, SET_POL)
    assert v.rule == Rule.NOT_ACCEPTED


def test_4_5_by_rir_handle_of_the_origin(engine: Engine) -> None:
    snap = snapshot(
        as_sets=[as_set("AS-PEER", f"AS{DOWN}")],
        ip_delegations=[ip_deleg(V6, "h-down")],
        asn_delegations=[asn_deleg(DOWN, "h-down")],
    )
    v = one(engine, route(PEER, V6, [PEER, DOWN]), snap, SET_POL)
    assert (v.rule, v.rpki) == (Rule.AS_SET_TWO_HOPS, RpkiState.UNKNOWN)


def test_4_5_needs_rpki_valid_or_a_handle(engine: Engine) -> None:
    snap = snapshot(as_sets=[as_set("AS-PEER", f"AS{DOWN}")])
    assert one(engine, route(PEER, V6, [PEER, DOWN]), snap, SET_POL).rule == Rule.NOT_ACCEPTED


# --- as-set expansion -------------------------------------------------------------------


def test_nested_as_sets_are_expanded(engine: Engine) -> None:
    snap = snapshot(
        route_objects=[ro(V6, DOWN)],
        as_sets=[
            as_set("AS-PEER", "AS-MID"),
            as_set("AS-MID", "AS20000:AS-LEAF"),
            as_set("AS20000:AS-LEAF", f"as{DOWN}"),
        ],
    )
    v = one(engine, route(PEER, V6, [PEER, DOWN]), snap, policy({PEER: ["as-peer"]}))
    assert v.rule == Rule.IRR_EXACT


def test_looping_as_sets_warn_and_do_not_crash(engine: Engine) -> None:
    snap = snapshot(
        route_objects=[ro(V6, DOWN)],
        as_sets=[as_set("AS-A", "AS-B"), as_set("AS-B", "AS-A", f"AS{DOWN}", "AS-B")],
    )
    result = run(engine, [route(PEER, V6, [PEER, DOWN])], snap, policy({PEER: ["AS-A"]}))
    assert result[0].rule == Rule.IRR_EXACT
    assert result.warnings


def test_as_sets_deeper_than_the_limit_are_not_expanded(engine: Engine) -> None:
    snap = snapshot(
        route_objects=[ro(V6, DOWN)],
        as_sets=[
            as_set("AS-PEER", "AS-MID"),
            as_set("AS-MID", "AS-LEAF"),
            as_set("AS-LEAF", f"AS{DOWN}"),
        ],
    )
    routes = [route(PEER, V6, [PEER, DOWN])]
    deep = run(engine, routes, snap, policy({PEER: ["AS-PEER"]}, as_set_max_depth=2))
    assert deep[0].rule == Rule.NOT_ACCEPTED
    assert deep.warnings
    enough = run(engine, routes, snap, policy({PEER: ["AS-PEER"]}, as_set_max_depth=3))
    assert enough[0].rule == Rule.IRR_EXACT


def test_source_qualified_as_set_name(engine: Engine) -> None:
    snap = snapshot(
        route_objects=[ro(V6, DOWN), ro(SUB, OTHER)],
        as_sets=[
            as_set("AS-PEER", f"AS{DOWN}", source="RIPE"),
            as_set("AS-PEER", f"AS{OTHER}", source="ARIN"),
        ],
    )
    routes = [route(PEER, V6, [PEER, DOWN]), route(PEER, SUB, [PEER, OTHER])]
    qualified = run(engine, routes, snap, policy({PEER: ["ARIN::AS-PEER"]}))
    assert [v.rule for v in qualified] == [Rule.NOT_ACCEPTED, Rule.IRR_EXACT]
    first = run(engine, routes, snap, policy({PEER: ["AS-PEER"]}))
    assert [v.rule for v in first] == [Rule.IRR_EXACT, Rule.NOT_ACCEPTED]


def test_source_of_named_set_holds_for_nested_sets(engine: Engine) -> None:
    # RIPE::AS-TOP names AS-KID: only RIPE's AS-KID counts, not a namesake in ARIN
    snap = snapshot(
        route_objects=[ro(V6, DOWN), ro(SUB, OTHER)],
        as_sets=[
            as_set("AS-KID", f"AS{OTHER}", source="ARIN"),
            as_set("AS-TOP", "AS-KID", source="RIPE"),
            as_set("AS-KID", f"AS{DOWN}", source="RIPE"),
        ],
    )
    routes = [route(PEER, V6, [PEER, DOWN]), route(PEER, SUB, [PEER, OTHER])]
    result = run(engine, routes, snap, policy({PEER: ["RIPE::AS-TOP"]}))
    assert [v.rule for v in result] == [Rule.IRR_EXACT, Rule.NOT_ACCEPTED]


def test_plain_asn_in_as_sets_counts_as_that_as(engine: Engine) -> None:
    snap = snapshot(route_objects=[ro(V6, DOWN)])
    for name in (f"AS{DOWN}", f"RIPE::AS{DOWN}"):
        result = run(engine, [route(PEER, V6, [PEER, DOWN])], snap, policy({PEER: [name]}))
        assert result[0].rule == Rule.IRR_EXACT
        assert not result.warnings


def test_unresolvable_as_set_and_bad_members_are_warnings(engine: Engine) -> None:
    snap = snapshot(
        route_objects=[ro(V6, PEER)], as_sets=[as_set("AS-PEER", "AS-NOWHERE", "%%bad")]
    )
    result = run(engine, [route(PEER, V6, [PEER])], snap, policy({PEER: ["AS-PEER", "AS-GONE"]}))
    assert result[0].rule == Rule.IRR_EXACT
    assert len(result.warnings) >= 2


def test_as_set_member_limit_warns(engine: Engine) -> None:
    snap = snapshot(as_sets=[as_set("AS-PEER", f"AS{DOWN}", f"AS{OTHER}", "AS50000")])
    pol = policy({PEER: ["AS-PEER"]}, as_set_max_members=1)
    assert run(engine, [route(PEER, V6, [PEER])], snap, pol).warnings


# --- 5 ----------------------------------------------------------------------------------


def test_rule_5_reason_says_what_was_looked_for(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [PEER, DOWN]))
    assert (v.rule, v.action) == (Rule.NOT_ACCEPTED, Action.REJECT)
    assert "RPKI" in v.reason and "UNKNOWN" in v.reason
    assert "IRR" in v.reason or "route object" in v.reason
    assert "handle" in v.reason


def test_acceptance_order_prefers_4_1_over_4_4(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp(V6, PEER)], route_objects=[ro(V6, PEER)])
    assert one(engine, route(PEER, V6, [PEER]), snap).rule == Rule.RPKI_VALID_ORIGIN


def test_acceptance_order_prefers_4_3_over_4_4(engine: Engine) -> None:
    snap = snapshot(
        route_objects=[ro(V6, PEER)],
        ip_delegations=[ip_deleg(V6, "h1")],
        asn_delegations=[asn_deleg(PEER, "h1")],
    )
    assert one(engine, route(PEER, V6, [PEER, DOWN]), snap).rule == Rule.RIR_HANDLE
