"""Step 3 and the X- checks: each rule fires on its case and not on its near miss."""

from __future__ import annotations

import pytest
from engine_builders import (
    AS_OF,
    DOWN,
    PEER,
    Engine,
    one,
    policy,
    route,
    snapshot,
    vrp,
)

from routesieve.engine.rules import Rule
from routesieve.model import (
    Action,
    AsnBlock,
    Bogon,
    ExchangePrefix,
    Prefix,
    RpkiState,
)

V6 = "2a0a:1000::/32"
V4 = "45.10.0.0/16"


# --- X-AFI and X-MALFORMED --------------------------------------------------------------


def test_ipv4_rejected_on_ipv6_only_policy(engine: Engine) -> None:
    v = one(engine, route(PEER, V4, [PEER]), pol=policy(families=frozenset({6})))
    assert (v.rule, v.action) == (Rule.X_AFI, Action.REJECT)


def test_ipv6_passes_afi_on_ipv6_only_policy(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [PEER]), pol=policy(families=frozenset({6})))
    assert v.rule != Rule.X_AFI


def test_afi_check_switched_off_lets_ipv4_through(engine: Engine) -> None:
    pol = policy(families=frozenset({6}), check_afi=False)
    assert one(engine, route(PEER, V4, [PEER]), pol=pol).rule != Rule.X_AFI


def test_afi_is_checked_before_malformed(engine: Engine) -> None:
    r = route(PEER, V4, [], problem="bad attribute")
    assert one(engine, r, pol=policy(families=frozenset({6}))).rule == Rule.X_AFI


def test_route_with_a_problem_is_malformed(engine: Engine) -> None:
    v = one(engine, route(PEER, None, [PEER], problem="not an IP prefix: 'x'"))
    assert (v.rule, v.action, v.rpki, v.peer_asn) == (Rule.X_MALFORMED, Action.REJECT, None, PEER)


def test_route_with_a_problem_but_a_prefix_is_malformed(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [PEER], problem="bad community"))
    assert v.rule == Rule.X_MALFORMED
    assert v.rpki == RpkiState.UNKNOWN  # computed whatever the verdict


def test_empty_path_is_malformed(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, []))
    assert (v.rule, v.origin_asn, v.rpki) == (Rule.X_MALFORMED, None, None)


def test_well_formed_route_is_not_malformed(engine: Engine) -> None:
    assert one(engine, route(PEER, V6, [PEER])).rule not in (Rule.X_MALFORMED, Rule.X_AFI)


# --- 3.1 default routes -----------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["0.0.0.0/0", "::/0"])
def test_default_route_v4_and_v6(engine: Engine, prefix: str) -> None:
    v = one(engine, route(PEER, prefix, [PEER]))
    assert (v.rule, v.action) == (Rule.DEFAULT_ROUTE, Action.REJECT)


def test_default_route_rejected_even_with_length_zero_allowed(engine: Engine) -> None:
    pol = policy(ipv6_min_length=0)
    assert one(engine, route(PEER, "::/0", [PEER]), pol=pol).rule == Rule.DEFAULT_ROUTE


@pytest.mark.parametrize("prefix", ["0.0.0.0/8", "::/16"])
def test_zero_network_with_a_length_is_not_a_default_route(engine: Engine, prefix: str) -> None:
    assert one(engine, route(PEER, prefix, [PEER])).rule != Rule.DEFAULT_ROUTE


# --- 3.2 sets ---------------------------------------------------------------------------


def test_as_set_segment_rejected(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, f"{PEER} {{{DOWN} 30001}}"))
    assert (v.rule, v.origin_asn) == (Rule.AS_SET, None)


@pytest.mark.parametrize("path", [f"({PEER} 65001) {PEER} {DOWN}", f"{PEER} [65001 65002] {DOWN}"])
def test_confed_segment_rejected(engine: Engine, path: str) -> None:
    assert one(engine, route(PEER, V6, path)).rule == Rule.AS_SET


def test_plain_sequence_is_not_an_as_set(engine: Engine) -> None:
    assert one(engine, route(PEER, V6, f"{PEER} {DOWN} {DOWN}")).rule != Rule.AS_SET


# --- 3.3 lengths ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "rejected"),
    [
        ("2a0a::/15", True),
        ("2a0a::/16", False),
        ("2a0a:1000::/48", False),
        ("2a0a:1000::/49", True),
        ("44.0.0.0/7", True),
        ("45.0.0.0/8", False),
        ("45.10.0.0/24", False),
        ("45.10.0.0/25", True),
    ],
)
def test_length_bounds_exactly_at_the_limits(engine: Engine, prefix: str, rejected: bool) -> None:
    v = one(engine, route(PEER, prefix, [PEER]))
    assert (v.rule == Rule.PREFIX_LENGTH) is rejected


def test_length_limits_are_configurable(engine: Engine) -> None:
    pol = policy(ipv6_max_length=64)
    assert one(engine, route(PEER, "2a0a:1000::/64", [PEER]), pol=pol).rule != Rule.PREFIX_LENGTH
    assert one(engine, route(PEER, "2a0a:1000::/65", [PEER]), pol=pol).rule == Rule.PREFIX_LENGTH


def test_prefix_length_reason_names_the_limits(engine: Engine) -> None:
    v = one(engine, route(PEER, "2a0a:1000::/64", [PEER]))
    assert "/64" in v.reason and "16" in v.reason and "48" in v.reason


def test_too_long_and_bogon_is_rejected_by_3_3(engine: Engine) -> None:
    snap = snapshot(bogons=[Bogon(Prefix.parse("2001:db8::/32"), "documentation")])
    v = one(engine, route(PEER, "2001:db8::/64", [PEER]), snap=snap)
    assert v.rule == Rule.PREFIX_LENGTH


# --- 3.4 bogons -------------------------------------------------------------------------

DOC = snapshot(bogons=[Bogon(Prefix.parse("2001:db8::/32"), "documentation")])


@pytest.mark.parametrize("prefix", ["2001:db8::/32", "2001:db8:1::/48"])
def test_bogon_subnet_rejected(engine: Engine, prefix: str) -> None:
    v = one(engine, route(PEER, prefix, [PEER]), snap=DOC)
    assert (v.rule, v.action) == (Rule.BOGON, Action.REJECT)
    assert "2001:db8::/32" in v.reason


def test_supernet_of_a_bogon_is_not_a_bogon(engine: Engine) -> None:
    assert one(engine, route(PEER, "2001:d00::/24", [PEER]), snap=DOC).rule != Rule.BOGON


def test_neighbour_of_a_bogon_is_not_a_bogon(engine: Engine) -> None:
    assert one(engine, route(PEER, "2001:db9::/32", [PEER]), snap=DOC).rule != Rule.BOGON


# --- 3.5 exchange prefixes --------------------------------------------------------------

IXP = ExchangePrefix(Prefix.parse("2001:7f8:1::/64"), "AMS-IX", 26)


def test_exchange_prefix_rejected(engine: Engine) -> None:
    pol = policy(ipv6_max_length=64)
    v = one(engine, route(PEER, "2001:7f8:1::/64", [PEER]), snapshot(exchange_prefixes=[IXP]), pol)
    assert v.rule == Rule.EXCHANGE_PREFIX


def test_exchange_prefix_listed_by_hand_rejected(engine: Engine) -> None:
    pol = policy(exchange_prefixes=(ExchangePrefix(Prefix.parse("45.10.0.0/16"), "LOCAL-IX"),))
    assert one(engine, route(PEER, "45.10.3.0/24", [PEER]), pol=pol).rule == Rule.EXCHANGE_PREFIX


def test_prefix_covering_an_exchange_lan_is_not_rejected_as_one(engine: Engine) -> None:
    v = one(engine, route(PEER, "2001:7f8::/32", [PEER]), snapshot(exchange_prefixes=[IXP]))
    assert v.rule != Rule.EXCHANGE_PREFIX


# --- 3.6 hops ---------------------------------------------------------------------------


@pytest.mark.parametrize(("hops", "rejected"), [(50, False), (51, True)])
def test_prepends_count_for_hop_limit(engine: Engine, hops: int, rejected: bool) -> None:
    path = [PEER] * (hops - 1) + [DOWN]
    v = one(engine, route(PEER, V6, path))
    assert (v.rule == Rule.PATH_TOO_LONG) is rejected


def test_hop_limit_is_checked_before_as_zero(engine: Engine) -> None:
    assert one(engine, route(PEER, V6, [PEER] * 51 + [0])).rule == Rule.PATH_TOO_LONG


# --- 3.7 unallocated 32-bit ASNs --------------------------------------------------------

BLOCKS = snapshot(
    asn_blocks=[
        AsnBlock(1_000_000, 1_999_999, "Unallocated"),
        AsnBlock(2_000_000, 2_999_999, "Assigned by RIPE NCC"),
    ]
)


def test_unallocated_asn_rejected_but_allocated_block_passes(engine: Engine) -> None:
    assert one(engine, route(PEER, V6, [PEER, 1_500_000]), BLOCKS).rule == Rule.UNALLOCATED_ASN
    assert one(engine, route(PEER, V6, [PEER, 2_500_000]), BLOCKS).rule != Rule.UNALLOCATED_ASN


@pytest.mark.parametrize(
    ("asn", "rejected"),
    [(999_999, False), (1_000_000, True), (4_199_999_999, True), (4_200_000_000, False)],
)
def test_unallocated_range_bounds(engine: Engine, asn: int, rejected: bool) -> None:
    v = one(engine, route(PEER, V6, [PEER, asn, DOWN]))
    assert (v.rule == Rule.UNALLOCATED_ASN) is rejected


# --- 3.8 AS_TRANS and 3.9 AS 0 ----------------------------------------------------------


def test_as_trans(engine: Engine) -> None:
    assert one(engine, route(PEER, V6, [PEER, 23456, DOWN])).rule == Rule.AS_TRANS
    assert one(engine, route(PEER, V6, [PEER, 23455, DOWN])).rule != Rule.AS_TRANS


def test_as_trans_is_checked_before_as_zero(engine: Engine) -> None:
    assert one(engine, route(PEER, V6, [PEER, 0, 23456])).rule == Rule.AS_TRANS


def test_as_zero(engine: Engine) -> None:
    assert one(engine, route(PEER, V6, [PEER, 0])).rule == Rule.AS_ZERO
    assert one(engine, route(PEER, V6, [PEER, 1])).rule != Rule.AS_ZERO


# --- 3.10 RPKI --------------------------------------------------------------------------


def test_invalid_length_more_specific(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp("2a0a:1000::/32", DOWN, 32)])
    v = one(engine, route(PEER, "2a0a:1000:1::/48", [PEER, DOWN]), snap)
    assert (v.rule, v.rpki) == (Rule.RPKI_INVALID, RpkiState.INVALID_LENGTH)


def test_more_specific_within_max_length_is_valid(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp("2a0a:1000::/32", DOWN, 48)])
    v = one(engine, route(PEER, "2a0a:1000:1::/48", [PEER, DOWN]), snap)
    assert v.rpki == RpkiState.VALID
    assert v.rule != Rule.RPKI_INVALID


def test_invalid_asn_other_origin(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp(V6, 99999)])
    v = one(engine, route(PEER, V6, [PEER, DOWN]), snap)
    assert (v.rule, v.rpki) == (Rule.RPKI_INVALID, RpkiState.INVALID_ASN)


def test_one_matching_vrp_makes_valid_among_others(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp(V6, 99999), vrp("2a0a::/16", DOWN, 32)])
    assert one(engine, route(PEER, V6, [PEER, DOWN]), snap).rpki == RpkiState.VALID


def test_vrp_for_as0_never_valid(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp(V6, 0, 48)])
    v = one(engine, route(PEER, V6, [PEER, DOWN]), snap)
    assert (v.rule, v.rpki) == (Rule.RPKI_INVALID, RpkiState.INVALID_ASN)


def test_expired_vrp_ignored(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp(V6, 99999, expires=AS_OF - 1)])
    v = one(engine, route(PEER, V6, [PEER, DOWN]), snap)
    assert (v.rule != Rule.RPKI_INVALID, v.rpki) == (True, RpkiState.UNKNOWN)


def test_vrp_expiring_at_the_snapshot_time_still_counts(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp(V6, 99999, expires=AS_OF)])
    assert one(engine, route(PEER, V6, [PEER, DOWN]), snap).rule == Rule.RPKI_INVALID


def test_uncovering_vrp_leaves_route_unknown(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp("2a0a:2000::/32", 99999)])
    v = one(engine, route(PEER, V6, [PEER, DOWN]), snap)
    assert (v.rule != Rule.RPKI_INVALID, v.rpki) == (True, RpkiState.UNKNOWN)


# --- X-FIRST-AS -------------------------------------------------------------------------


def test_first_as_not_checked_by_default(engine: Engine) -> None:
    assert one(engine, route(PEER, V6, [DOWN])).rule != Rule.X_FIRST_AS


def test_first_as_other_than_peer_rejected_when_switched_on(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [DOWN]), pol=policy(check_first_as=True))
    assert (v.rule, v.action) == (Rule.X_FIRST_AS, Action.REJECT)


def test_first_as_equal_to_peer_passes_when_switched_on(engine: Engine) -> None:
    v = one(engine, route(PEER, V6, [PEER, DOWN]), pol=policy(check_first_as=True))
    assert v.rule != Rule.X_FIRST_AS


def test_first_as_comes_after_rpki(engine: Engine) -> None:
    snap = snapshot(vrps=[vrp(V6, 99999)])
    v = one(engine, route(PEER, V6, [DOWN]), snap, policy(check_first_as=True))
    assert v.rule == Rule.RPKI_INVALID


# --- X-BOGON-ASN ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "asn", [64496, 64511, 64512, 65534, 65535, 65536, 65551, 65552, 131071, 4200000000, 4294967295]
)
def test_bogon_asn_rejected_only_when_switched_on(engine: Engine, asn: int) -> None:
    r = route(PEER, V6, [PEER, asn])
    assert one(engine, r, pol=policy(check_bogon_asn=True)).rule == Rule.X_BOGON_ASN
    assert one(engine, r).rule != Rule.X_BOGON_ASN


@pytest.mark.parametrize("asn", [64495, 131072, 4199999999 - 200_000_000])
def test_public_asn_is_not_a_bogon_asn(engine: Engine, asn: int) -> None:
    blocks = snapshot(asn_blocks=[AsnBlock(1_000_000, 4_199_999_999, "Assigned by ARIN")])
    v = one(engine, route(PEER, V6, [PEER, asn]), blocks, policy(check_bogon_asn=True))
    assert v.rule != Rule.X_BOGON_ASN


def test_first_as_is_checked_before_bogon_asn(engine: Engine) -> None:
    pol = policy(check_first_as=True, check_bogon_asn=True)
    assert one(engine, route(PEER, V6, [64512]), pol=pol).rule == Rule.X_FIRST_AS
