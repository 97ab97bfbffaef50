"""ASPA verification (engine/aspa.py) on the cases of draft-ietf-sidrops-aspa-verification-28
§5, and the X-ASPA check it drives in both engines.

Paths are written as received, neighbour first; the docstrings number them as the draft
does, AS(1) the origin. The ASNs are small and stand for the roles in each case.
"""

from __future__ import annotations

import pytest
from engine_builders import AS_OF, Engine, one, policy, route, snapshot, vrp

from routesieve.engine.aspa import AspaIndex, AspaState, Direction, Hop, verify
from routesieve.engine.evaluate import decide
from routesieve.engine.explain import explain_row
from routesieve.engine.rules import ALL_RULES, Rule
from routesieve.model import Action, Aspa, AsPath

UP, DOWN = Direction.UPSTREAM, Direction.DOWNSTREAM


def index(*aspas: Aspa) -> AspaIndex:
    return AspaIndex.of(aspas, AS_OF)


def check(path: list[int], direction: Direction, *aspas: Aspa, neighbour: int | None = -1):
    return verify(
        AsPath.sequence(path), path[0] if neighbour == -1 else neighbour, direction, index(*aspas)
    )


# --- §5.3: the hop function, authorized() ------------------------------------------------


def test_s5_3_hop_is_provider_plus_not_provider_plus_or_no_attestation() -> None:
    idx = index(Aspa.of(10, [20, 30]))
    assert idx.hop(10, 20) is Hop.PROVIDER_PLUS
    assert idx.hop(10, 40) is Hop.NOT_PROVIDER_PLUS
    assert idx.hop(99, 20) is Hop.NO_ATTESTATION


def test_s5_3_an_aspa_listing_only_as0_makes_every_provider_not_provider_plus() -> None:
    idx = index(Aspa.of(10, [0]))
    assert idx.hop(10, 20) is Hop.NOT_PROVIDER_PLUS
    assert idx.hop(10, 0) is Hop.NOT_PROVIDER_PLUS


def test_s5_3_two_records_of_one_customer_are_merged_and_expired_ones_dropped() -> None:
    idx = index(Aspa.of(10, [20]), Aspa.of(10, [30]), Aspa.of(11, [20], expires=AS_OF - 1))
    assert idx.hop(10, 30) is Hop.PROVIDER_PLUS and idx.hop(10, 20) is Hop.PROVIDER_PLUS
    assert idx.hop(11, 20) is Hop.NO_ATTESTATION


# --- §5.5: upstream verification ----------------------------------------------------------


def test_s5_5_the_origin_as_neighbour_is_valid() -> None:
    """N = 1 after prepends are folded: no hop to check."""
    assert check([10, 10, 10], UP).state is AspaState.VALID


def test_s5_5_a_path_that_only_climbs_through_attested_providers_is_valid() -> None:
    """AS(1)=10 → AS(2)=20 → AS(3)=30, each the previous one's provider."""
    r = check([30, 20, 10], UP, Aspa.of(10, [20]), Aspa.of(20, [30]))
    assert r.state is AspaState.VALID and (r.max_up_ramp, r.min_up_ramp) == (3, 3)
    assert [h.hop for h in r.up] == [Hop.PROVIDER_PLUS, Hop.PROVIDER_PLUS]


def test_s5_5_a_customer_leaking_its_providers_route_to_a_peer_is_invalid() -> None:
    """AS 20 has providers 30 and 40; it passes 30's route (origin 10, customer of 30) to
    40. AS(2)=30 → AS(3)=20 is "Not Provider+": max_up_ramp 2 < N = 4."""
    r = check([40, 20, 30, 10], UP, Aspa.of(10, [30]), Aspa.of(30, [50]), Aspa.of(20, [30, 40]))
    assert r.state is AspaState.INVALID and r.max_up_ramp == 2
    assert r.stop is not None and (r.stop.customer, r.stop.provider) == (30, 20)
    assert "stops being valley-free at AS30 → AS20" in r.summary()


def test_s5_5_a_hop_without_attestation_and_none_disproved_is_unknown() -> None:
    """AS 20 has no ASPA: min_up_ramp 2 < N = 3, but max_up_ramp = N."""
    r = check([30, 20, 10], UP, Aspa.of(10, [20]))
    assert r.state is AspaState.UNKNOWN and (r.max_up_ramp, r.min_up_ramp) == (3, 2)
    assert "no ASPA for AS20" in r.summary()


def test_s5_5_not_provider_plus_outranks_a_lower_missing_attestation() -> None:
    """AS(1)=10 has no ASPA, AS(2)=20 does not list AS(3)=30: Invalid, not Unknown."""
    r = check([30, 20, 10], UP, Aspa.of(20, [99]))
    assert r.state is AspaState.INVALID and (r.max_up_ramp, r.min_up_ramp) == (2, 1)


def test_s5_5_a_first_as_other_than_the_neighbour_is_invalid() -> None:
    r = check([30, 20, 10], UP, Aspa.of(10, [20]), Aspa.of(20, [30]), neighbour=31)
    assert r.state is AspaState.INVALID
    assert "AS30, is not the neighbour AS31" in r.precondition


def test_s5_5_through_a_transparent_route_server_the_member_is_the_neighbour() -> None:
    """The route server's AS is not in the path: no first-AS check, and verification starts
    at the member (AS 30 here)."""
    r = check([30, 20, 10], UP, Aspa.of(10, [20]), Aspa.of(20, [30]), neighbour=None)
    assert r.state is AspaState.VALID


# --- §5.6: downstream verification ---------------------------------------------------------


def test_s5_6_up_then_down_through_one_peak_is_valid() -> None:
    """From our provider 40: 10 → 20 → 50 up, then 50 → 40 down (40 is 50's customer)."""
    aspas = (Aspa.of(10, [20]), Aspa.of(20, [50]), Aspa.of(50, [0]), Aspa.of(40, [50]))
    r = check([40, 50, 20, 10], DOWN, *aspas)
    assert r.state is AspaState.VALID
    assert (r.max_up_ramp, r.max_down_ramp, r.min_up_ramp, r.min_down_ramp) == (3, 2, 3, 2)


def test_s5_6_the_same_path_from_a_peer_is_invalid_upstream() -> None:
    aspas = (Aspa.of(10, [20]), Aspa.of(20, [50]), Aspa.of(50, [0]), Aspa.of(40, [50]))
    assert check([40, 50, 20, 10], UP, *aspas).state is AspaState.INVALID


def test_s5_6_a_valley_between_the_ramps_is_invalid() -> None:
    """max_up_ramp 2 (20 does not list 30) + max_down_ramp 1 (40 does not list 30) < 4."""
    r = check([40, 30, 20, 10], DOWN, Aspa.of(10, [20]), Aspa.of(20, [99]), Aspa.of(40, [77]))
    assert r.state is AspaState.INVALID
    assert (r.max_up_ramp, r.max_down_ramp) == (2, 1)
    assert r.stop is not None and (r.stop.customer, r.stop.provider) == (20, 30)


def test_s5_6_ramps_that_may_meet_only_through_missing_attestations_are_unknown() -> None:
    r = check([40, 30, 20, 10], DOWN, Aspa.of(10, [20]))
    assert r.state is AspaState.UNKNOWN


def test_s5_6_two_ases_from_a_provider_are_always_valid() -> None:
    """No shortcut in the draft: the ramps of two ASes always add up to at least 2."""
    assert check([40, 10], DOWN, Aspa.of(10, [99]), Aspa.of(40, [98])).state is AspaState.VALID


def test_brio_demo_ramps_of_e_g_f_c_a_and_the_outcome_each_way() -> None:
    """NIST BRIO's ASPA demonstration 1 (its ASPA table: A lists C and D, B lists E, C
    lists F, D lists F and G, G lists AS 0; E and F have none): B receives E G F C A from
    E. Its published ramps (§5.4 here): max_up 4, max_down 2, min_up 3, min_down 1.
    BRIO combines them as §5.6 does (4 + 2 >= 5: not Invalid; 3 + 1 < 5: Unknown); under
    the current §5.5, from a peer, max_up_ramp 4 < 5 makes the same path Invalid."""
    a, b, c, d, e, f, g = 65000, 65010, 65020, 65030, 65040, 65050, 65060
    aspas = (Aspa.of(a, [c, d]), Aspa.of(b, [e]), Aspa.of(c, [f]), Aspa.of(d, [f, g]))
    aspas += (Aspa.of(g, [0]),)
    r = check([e, g, f, c, a], DOWN, *aspas)
    assert (r.max_up_ramp, r.max_down_ramp, r.min_up_ramp, r.min_down_ramp) == (4, 2, 3, 1)
    assert r.state is AspaState.UNKNOWN
    assert check([e, g, f, c, a], UP, *aspas).state is AspaState.INVALID


def test_brio_demo_7_c_d_g_e_b_from_a_provider_is_invalid() -> None:
    """NIST BRIO's ASPA demonstration 7 (same ASPA table): A receives C D G E B from its
    provider C. Published ramps: max_up 3 (B E G), max_down 1 (C), min_up 2, min_down 1;
    3 + 1 < 5: Invalid, the path stops being valley-free at G → D (G lists only AS 0)."""
    a, b, c, d, e, f, g = 65000, 65010, 65020, 65030, 65040, 65050, 65060
    aspas = (Aspa.of(a, [c, d]), Aspa.of(b, [e]), Aspa.of(c, [f]), Aspa.of(d, [f, g]))
    r = check([c, d, g, e, b], DOWN, *aspas, Aspa.of(g, [0]))
    assert (r.max_up_ramp, r.max_down_ramp, r.min_up_ramp, r.min_down_ramp) == (3, 1, 2, 1)
    assert r.state is AspaState.INVALID
    assert r.stop is not None and (r.stop.customer, r.stop.provider) == (g, d)


# --- X-ASPA in both engines ------------------------------------------------------------------

LEAK = [40, 20, 30, 10]
LEAK_ASPAS = [Aspa.of(10, [30]), Aspa.of(30, [50]), Aspa.of(20, [30, 40])]
P = "2a0a:1000::/32"


def test_x_aspa_is_off_by_default(engine: Engine) -> None:
    v = one(engine, route(40, P, LEAK), snapshot(aspas=LEAK_ASPAS))
    assert v.rule != Rule.X_ASPA


def test_x_aspa_rejects_a_route_leak_with_the_hop_in_the_reason(engine: Engine) -> None:
    v = one(engine, route(40, P, LEAK), snapshot(aspas=LEAK_ASPAS), policy(check_aspa=True))
    assert (v.rule, v.action) == (Rule.X_ASPA, Action.REJECT)
    assert "Invalid" in v.reason


def test_x_aspa_comes_after_rpki_so_3_10_keeps_its_code(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp(P, 99999)], aspas=LEAK_ASPAS)
    v = one(engine, route(40, P, LEAK), snap, policy(check_aspa=True))
    assert v.rule == Rule.RPKI_INVALID


def test_x_aspa_verifies_downstream_on_a_session_where_we_are_the_customer(
    engine: Engine,
) -> None:
    aspas = [Aspa.of(10, [20]), Aspa.of(20, [50]), Aspa.of(50, [0]), Aspa.of(40, [50])]
    pol = policy(check_aspa=True, customer_sessions=frozenset({"transit"}))
    snap = snapshot(aspas=aspas)
    assert one(engine, route(40, P, [40, 50, 20, 10], "transit"), snap, pol).rule != Rule.X_ASPA
    assert one(engine, route(40, P, [40, 50, 20, 10], "ix"), snap, pol).rule == Rule.X_ASPA


def test_x_aspa_on_a_route_server_session_starts_at_the_member(engine: Engine) -> None:
    pol = policy(check_aspa=True, route_server_sessions=frozenset({"rs"}))
    snap = snapshot(aspas=[Aspa.of(10, [20]), Aspa.of(20, [30])])
    assert one(engine, route(6695, P, [30, 20, 10], "rs"), snap, pol).rule != Rule.X_ASPA
    # the same path from a plain session of AS 6695 fails the first-AS step
    assert one(engine, route(6695, P, [30, 20, 10], "direct"), snap, pol).rule == Rule.X_ASPA


def test_x_aspa_without_any_aspa_record_warns_and_rejects_nothing() -> None:
    d = decide([route(40, P, LEAK)], snapshot(), policy(check_aspa=True))
    assert ALL_RULES[int(d.rule[0])] is not Rule.X_ASPA
    assert any("no ASPA records" in w for w in d.warnings)


def test_explain_lists_every_hop_and_where_the_path_stops_being_valley_free() -> None:
    d = decide([route(40, P, LEAK)], snapshot(aspas=LEAK_ASPAS), policy(check_aspa=True))
    steps = {s.rule: s for s in explain_row(d, 0).steps}
    step = steps[Rule.X_ASPA.value]
    assert step.outcome == "fail"
    lines = step.evidence["hops"]
    assert any("AS10 → AS30: Provider+" in line for line in lines)
    assert any("AS30 → AS20: Not Provider+" in line for line in lines)
    assert lines[-1] == "stops being valley-free at AS30 → AS20"
    verdict = explain_row(d, 0).verdict
    assert verdict.evidence["aspa"]["stops_valley_free_at"]["customer"] == 30
    assert verdict.evidence["hops"] == lines


@pytest.mark.parametrize("on", [True, False])
def test_explain_shows_x_aspa_off_or_verified_for_a_route_decided_earlier(on: bool) -> None:
    snap = snapshot(vrps=[vrp(P, 99999)], aspas=LEAK_ASPAS)
    d = decide([route(40, P, LEAK)], snap, policy(check_aspa=on))
    step = {s.rule: s for s in explain_row(d, 0).steps}[Rule.X_ASPA.value]
    assert step.outcome == ("fail (not reached)" if on else "off")
