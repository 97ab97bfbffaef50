"""Property tests: the fast engine and the reference engine agree on random small worlds.

Worlds are drawn from a small space on purpose, so that prefixes nest and collide, VRPs,
route objects, delegations and handles cover routes, as-sets nest and loop, and routes
repeat over sessions.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routesieve.engine.reference import evaluate as reference_evaluate
from routesieve.engine.result import Evaluation
from routesieve.engine.rules import Rule, is_acceptance
from routesieve.model import (
    Action,
    AsnBlock,
    AsnDelegation,
    Aspa,
    AsPath,
    AsSet,
    Bogon,
    DelegationStatus,
    ExchangePrefix,
    IpDelegation,
    OrgHandle,
    Prefix,
    Route,
    RouteObject,
    Segment,
    SegmentType,
    Vrp,
    set_prefix_source,
)
from routesieve.policy import PeerPolicy, Policy
from routesieve.snapshot import Snapshot

FAST_MODULE = "routesieve.engine.evaluate"
AS_OF = 1_750_000_000
RS = 6777
PEERS = (20000, 20001, 30000)
ASNS = (
    *PEERS,
    40000,
    40001,
    0,
    23456,
    64512,
    65535,
    65551,
    131072,
    1_000_000,
    1_500_000,
    4_199_999_999,
    4_200_000_000,
    4_294_967_295,
)
GOOD_ASNS = (*PEERS, 40000, 40001)
ASN_BLOCKS = (
    AsnBlock(1_000_000, 1_499_999, "Unallocated"),
    AsnBlock(1_500_000, 1_999_999, "Assigned by RIPE NCC"),
    AsnBlock(4_000_000_000, 4_199_999_999, "Assigned by ARIN"),
)
SESSIONS = ("ix-ams", "ix-fra", "rs-ams", "rs-fra")
SET_NAMES = ("AS-A", "AS-B", "as-c", "AS20000:AS-CUST", "AS-LOOP")
SOURCES = ("RIPE", "ARIN")
HANDLES = ("", "h1", "h2")

# Anchors: prefixes are an anchor cut at a random length, so they nest and overlap.
V6_ANCHORS = (
    0x2001_0DB8 << 96,
    (0x2001_0DB8 << 96) | (0x1234 << 64),
    0x2001_0DBC << 96,
    0x2A00 << 112,
    (0x2A00 << 112) | (0x0FF0 << 96),
    0x2A0F_1000 << 96,
)
V4_ANCHORS = (10 << 24, (10 << 24) | (77 << 16), 45 << 24, (45 << 24) | (255 << 8), 185 << 24)


@st.composite
def prefixes(draw: st.DrawFn, usual: bool = False) -> Prefix:
    """A fresh prefix: an anchor cut at a random length (0..32 or 0..64).

    ``usual`` makes most lengths fall inside the default limits (8-24, 16-48).
    """
    usual = usual and draw(st.integers(0, 4)) != 4
    if draw(st.integers(0, 2)) == 0:
        anchor = draw(st.sampled_from(V4_ANCHORS)) | draw(st.integers(0, 3)) << 6
        return Prefix.from_address(
            4, anchor, draw(st.integers(8, 24) if usual else st.integers(0, 32))
        )
    bits = draw(st.integers(0, 3)) << 72 | draw(st.integers(0, 1)) << 95
    anchor = draw(st.sampled_from(V6_ANCHORS)) | bits
    return Prefix.from_address(
        6, anchor, draw(st.integers(16, 48) if usual else st.integers(0, 64))
    )


def near(draw: st.DrawFn, pool: Sequence[Prefix]) -> Prefix:
    """A prefix of the pool, a supernet or a subnet of one, or now and then a fresh one."""
    mode = draw(st.integers(0, 9))
    if mode == 0:
        return draw(prefixes(usual=True))
    p = draw(st.sampled_from(pool))
    if mode <= 4:
        return p
    if mode <= 7:
        shorter = draw(
            st.integers(0, p.length) if mode == 7 else st.integers(max(0, p.length - 8), p.length)
        )
        return Prefix.from_address(p.version, p.value, shorter)
    length = min(p.bits, p.length + draw(st.integers(0, 16)))
    extra = draw(st.integers(0, 255)) << max(0, p.bits - length)
    return Prefix.from_address(
        p.version, p.value | (extra & ((1 << (p.bits - p.length)) - 1)), length
    )


def asn(draw: st.DrawFn) -> int:
    return draw(st.sampled_from(GOOD_ASNS) if draw(st.integers(0, 6)) else st.sampled_from(ASNS))


def path(draw: st.DrawFn, peer: int) -> AsPath:
    kind = draw(st.integers(0, 29))
    if kind == 0:
        return AsPath(())
    hops: list[int] = [peer] if draw(st.integers(0, 4)) else [asn(draw)]
    hops += [asn(draw) for _ in range(draw(st.sampled_from((0, 1, 1, 1, 2, 3))))]
    seq: list[int] = []
    for a in hops:
        seq += [a] * draw(st.sampled_from((1, 1, 1, 2, 3)))
    if kind == 1:  # a long prepend, around the hop limit
        seq += [seq[-1]] * draw(st.integers(0, 50))
    segments = [Segment(SegmentType.AS_SEQUENCE, tuple(seq))]
    if kind == 2:
        set_type = draw(st.sampled_from([SegmentType.AS_SET, SegmentType.AS_CONFED_SET]))
        members = tuple(asn(draw) for _ in range(draw(st.integers(1, 2))))
        segments.insert(draw(st.integers(0, 1)), Segment(set_type, members))
    if kind == 3:
        confed = tuple(asn(draw) for _ in range(draw(st.integers(1, 2))))
        segments.insert(0, Segment(SegmentType.AS_CONFED_SEQUENCE, confed))
    return AsPath(tuple(segments))


def routes(draw: st.DrawFn, pool: Sequence[Prefix]) -> list[Route]:
    out: list[Route] = []
    for _ in range(draw(st.integers(1, 10))):
        neighbour = draw(st.sampled_from((*PEERS, RS)))
        first = draw(st.sampled_from(PEERS)) if neighbour == RS else neighbour
        session = draw(st.sampled_from((*SESSIONS, None)))
        problem = draw(st.sampled_from((None,) * 18 + ("bad", "no-prefix")))
        prefix = None if problem == "no-prefix" else near(draw, pool)
        out.append(Route(neighbour, prefix, path(draw, first), session, problem, "garbage"))
    # the same routes again, on other sessions, in another order
    for i in draw(st.lists(st.integers(0, len(out) - 1), max_size=6)):
        session = draw(st.sampled_from((*SESSIONS, None)))
        r = out[i]
        out.append(Route(r.peer_asn, r.prefix, r.as_path, session, r.problem, r.raw_prefix))
    return draw(st.permutations(out))


def vrp(draw: st.DrawFn, pool: Sequence[Prefix]) -> Vrp:
    prefix = near(draw, pool)
    max_length = min(prefix.bits, prefix.length + draw(st.sampled_from((0, 0, 1, 8, 16))))
    expires = draw(st.sampled_from((None, None, None, AS_OF - 1, AS_OF, AS_OF + 1)))
    return Vrp(prefix, max_length, draw(st.sampled_from((0, *GOOD_ASNS))), "ta", expires)


def as_set(draw: st.DrawFn) -> AsSet:
    member = (
        st.sampled_from(SET_NAMES)
        | st.sampled_from(GOOD_ASNS).map(lambda a: f"AS{a}")
        | st.sampled_from(ASNS).map(lambda a: f"as{a}")
        | st.just("%% not a member")
    )
    members = tuple(draw(st.lists(member, max_size=4)))
    return AsSet(draw(st.sampled_from(SET_NAMES)), members, draw(st.sampled_from(SOURCES)))


def org_handle(draw: st.DrawFn, pool: Sequence[Prefix]) -> OrgHandle:
    org = draw(st.sampled_from(("ORG-A", "org-a", "ORG-B")))
    source = draw(st.sampled_from(SOURCES))
    if draw(st.booleans()):
        return OrgHandle(
            org, source, prefixes=tuple(near(draw, pool) for _ in range(draw(st.integers(1, 2))))
        )
    return OrgHandle(org, source, asn=asn(draw))


def route_object(draw: st.DrawFn, pool: Sequence[Prefix]) -> RouteObject:
    """A route object, or now and then a prefix-list row of an as-set (origin 0)."""
    if draw(st.integers(0, 3)):
        return RouteObject(near(draw, pool), asn(draw))
    ref = draw(st.sampled_from((*SET_NAMES, "RIPE::AS-A", "ripe::as-c", "AS-OTHER")))
    return RouteObject(near(draw, pool), 0, set_prefix_source(ref, ["RIPE"]))


def snapshot(draw: st.DrawFn, pool: Sequence[Prefix]) -> Snapshot:
    def some(make: Callable[[], Any], most: int) -> tuple[Any, ...]:
        return tuple(make() for _ in range(draw(st.integers(0, most))))

    statuses = st.sampled_from(list(DelegationStatus) + [DelegationStatus.ALLOCATED] * 2)
    handles = st.sampled_from(HANDLES)
    registries = st.sampled_from(("ripencc", "arin"))
    return Snapshot(
        as_of=AS_OF,
        vrps=some(lambda: vrp(draw, pool), 5),
        route_objects=some(lambda: route_object(draw, pool), 5),
        as_sets=some(lambda: as_set(draw), 6),
        ip_delegations=some(
            lambda: IpDelegation(draw(registries), near(draw, pool), draw(statuses), draw(handles)),
            3,
        ),
        asn_delegations=some(
            lambda: AsnDelegation(
                draw(registries), asn(draw), draw(st.integers(1, 3)), draw(statuses), draw(handles)
            ),
            3,
        ),
        org_handles=some(lambda: org_handle(draw, pool), 4),
        asn_blocks=tuple(draw(st.lists(st.sampled_from(ASN_BLOCKS), max_size=2))),
        bogons=some(
            lambda: Bogon(near(draw, pool) if draw(st.integers(0, 3)) == 0 else draw(prefixes())), 2
        ),
        exchange_prefixes=some(lambda: ExchangePrefix(draw(prefixes()), "IX"), 2),
        aspas=some(
            lambda: Aspa.of(
                asn(draw),
                [asn(draw) for _ in range(draw(st.integers(0, 3)))],
                draw(st.sampled_from((None, None, AS_OF - 1, AS_OF))),
            ),
            6,
        ),
    )


def policy(draw: st.DrawFn, pool: Sequence[Prefix]) -> Policy:
    names = st.sampled_from(
        (
            *SET_NAMES,
            "RIPE::AS-A",
            "ARIN::AS-B",
            "ripe::as-c",
            "AS-MISSING",
            f"AS{GOOD_ASNS[0]}",
            f"RIPE::AS{GOOD_ASNS[1]}",
        )
    )
    peers = {
        a: PeerPolicy(a, as_sets=tuple(draw(st.lists(names, min_size=1, max_size=2))))
        for a in PEERS
        if draw(st.integers(0, 3))
    }
    families = (frozenset({4, 6}),) * 3 + (frozenset({6}), frozenset({4}))
    exchange = (ExchangePrefix(near(draw, pool), "IX"),) if draw(st.integers(0, 4)) == 0 else ()
    return Policy(
        local_asn=214312,
        families=draw(st.sampled_from(families)),
        ipv4_min_length=draw(st.sampled_from((0, 8, 10))),
        ipv4_max_length=draw(st.sampled_from((20, 24, 32))),
        ipv6_min_length=draw(st.sampled_from((0, 16, 20))),
        ipv6_max_length=draw(st.sampled_from((40, 48, 64))),
        max_hops=draw(st.sampled_from((4, 8, 50))),
        check_afi=draw(st.booleans()),
        check_first_as=draw(st.booleans()),
        check_bogon_asn=draw(st.booleans()),
        check_aspa=draw(st.booleans()),
        irr_strict_origin=draw(st.booleans()),
        as_set_max_depth=draw(st.integers(1, 4)),
        as_set_max_members=draw(st.sampled_from((1_000_000, 1_000_000, 2))),
        peers=peers,
        route_server_sessions=draw(st.sampled_from((frozenset(), frozenset({"rs-ams", "rs-fra"})))),
        customer_sessions=draw(st.sampled_from((frozenset(), frozenset({"ix-fra", "rs-fra"})))),
        exchange_prefixes=exchange,
    )


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Route], Snapshot, Policy]:
    """Routes, a snapshot and a policy that share a small pool of prefixes and ASNs."""
    pool = draw(st.lists(prefixes(usual=True), min_size=1, max_size=5))
    rs, snap = routes(draw, pool), snapshot(draw, pool)
    # downstream routes inside received routes, and VRPs for the latter, so that 4.1 and
    # 4.2 happen often enough
    extra_routes, extra_vrps = [], []
    for r in draw(st.lists(st.sampled_from(rs), max_size=3)):
        origin = r.as_path.origin
        if r.prefix is None or origin is None:
            continue
        extra_vrps.append(Vrp(r.prefix, min(r.prefix.bits, r.prefix.length + 16), origin))
        sub = near(draw, [r.prefix]) if draw(st.booleans()) else r.prefix
        down = draw(st.sampled_from((40000, 40001)))
        extra_routes.append(Route(r.peer_asn, sub, AsPath.sequence([origin, down]), r.session))
        if draw(st.booleans()):
            extra_vrps.append(Vrp(sub, sub.length, down))
    rs = draw(st.permutations(rs + extra_routes))
    snap = replace(snap, vrps=snap.vrps + tuple(extra_vrps))
    return rs, snap, policy(draw, pool)


Compared = tuple[Any, ...]
World = tuple[list[Route], Snapshot, Policy]


def compared(result: Evaluation) -> list[Compared]:
    return [
        (v.peer_asn, v.prefix, v.as_path, v.origin_asn, v.action, str(v.rule), v.rpki, v.sessions)
        for v in result
    ]


def fast_engine() -> Callable[[Sequence[Route], Snapshot, Policy], Evaluation]:
    # TODO(lead): drop this skip once routesieve.engine.evaluate has landed.
    if importlib.util.find_spec(FAST_MODULE) is None:
        pytest.skip(f"fast engine {FAST_MODULE} is not written yet")
    from routesieve.engine.evaluate import evaluate

    return evaluate


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_fast_and_reference_agree(world: World) -> None:
    rs, snap, pol = world
    fast = fast_engine()(rs, snap, pol)
    ref = reference_evaluate(rs, snap, pol)
    assert len(fast) == len(ref)
    for got, want in zip(compared(fast), compared(ref), strict=True):
        assert got == want


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_reference_verdicts_are_consistent(world: World) -> None:
    rs, snap, pol = world
    result = reference_evaluate(rs, snap, pol)
    assert 0 < len(result) <= len(rs)
    assert sum(1 for r in rs if r.problem is not None or r.prefix is None) <= len(result)
    for v in result:
        assert (v.action == Action.ACCEPT) is is_acceptance(Rule(v.rule))
        assert len(set(v.sessions)) == len(v.sessions)
        assert v.reason


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.randoms(use_true_random=False))
def test_reference_does_not_depend_on_route_order(world: World, rnd: Any) -> None:
    rs, snap, pol = world
    shuffled = list(rs)
    rnd.shuffle(shuffled)

    def decided(result: Evaluation) -> Counter[Compared]:
        return Counter(
            (v.peer_asn, v.prefix, v.as_path, v.rule, v.rpki, frozenset(v.sessions)) for v in result
        )

    assert decided(reference_evaluate(rs, snap, pol)) == decided(
        reference_evaluate(shuffled, snap, pol)
    )
