"""What a router must enforce, built from the verdicts: the input of every router renderer.

``router_policy`` is pure: it takes the verdicts, the configuration's policy and peers,
and the snapshot, and returns plain values. Renderers (``outputs/bird.py`` …) only turn
those values into syntax, so every target enforces the same thing.

Prefix-list semantics (interpretation.md, "What the router enforces"): the router accepts
a route when it passes every rejection test a router can check (3.1–3.10 and the X-
checks that are on) and its prefix is in the accept list of its peer, the prefixes of
that peer's routes accepted by step 4. ``router_accepts`` says what that means for one
verdict, so tests and reports can predict the router exactly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from routesieve.engine.paths import BOGON_ASN_RANGES
from routesieve.engine.rules import Rule
from routesieve.model import Action, AsnBlock, Prefix, Verdict
from routesieve.policy import Policy
from routesieve.snapshot import Provenance, Snapshot

AS_TRANS = 23456


@dataclass(frozen=True, slots=True)
class SessionSpec:
    name: str
    neighbor: str | None
    exchange: str | None
    route_server: bool


@dataclass(frozen=True, slots=True)
class PeerFilter:
    """One configured peer: its accept list and, on route-server sessions, its members'."""

    asn: int
    name: str
    accept: tuple[Prefix, ...]
    members: tuple[tuple[int, tuple[Prefix, ...]], ...]  # route-server members, by AS
    sessions: tuple[SessionSpec, ...]
    max_prefix: int | None
    route_server: bool

    @property
    def filter_name(self) -> str:
        return f"peer_as{self.asn}_in"


@dataclass(frozen=True, slots=True)
class Guard:
    """The rejection tests a router can check, with the configured limits."""

    families: frozenset[int]
    ipv4_length: tuple[int, int]
    ipv6_length: tuple[int, int]
    max_hops: int
    bogons: tuple[Prefix, ...]
    exchange_prefixes: tuple[Prefix, ...]
    unallocated_asns: tuple[tuple[int, int], ...]  # 3.7: the range minus allocated blocks
    bogon_asns: tuple[tuple[int, int], ...]  # X-BOGON-ASN, empty when the check is off
    check_first_as: bool
    # X-ASPA is on: no rendered router checks ASPA, so it is in the accept lists only
    aspa_in_accept_lists: bool = False


@dataclass(frozen=True, slots=True)
class RoaEntry:
    prefix: Prefix
    max_length: int
    asn: int


@dataclass(frozen=True, slots=True)
class RtrCache:
    """An RTR cache as the router reaches it (plain TCP)."""

    host: str  # an IP address or a host name, without brackets
    port: int
    preference: int  # FRR's cache groups: the lowest is used, the next on failure

    @property
    def is_address(self) -> bool:
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


@dataclass(frozen=True, slots=True)
class RtrValidation:
    """Rule 3.10 checked by the router itself against RTR caches (``[render] rpki =
    "rtr"``), with the timers BIRD and FRR are given (OpenBGPD takes the cache's)."""

    caches: tuple[RtrCache, ...]
    refresh: int
    retry: int
    expire: int


@dataclass(frozen=True, slots=True)
class RouterPolicy:
    local_asn: int
    guard: Guard
    roas: tuple[RoaEntry, ...]  # routesieve's own VRP snapshot (the static ROA table)
    peers: tuple[PeerFilter, ...]
    provenance: tuple[Provenance, ...]
    rtr: RtrValidation | None = None  # set: the router validates live, ``roas`` not rendered


def unallocated_ranges(first: int, last: int, blocks: Iterable[AsnBlock]) -> list[tuple[int, int]]:
    """``first``..``last`` without the blocks IANA shows as allocated, as sorted ranges."""
    out: list[tuple[int, int]] = []
    start = first
    for b in sorted((b for b in blocks if b.allocated), key=lambda b: b.first):
        if b.last < start or b.first > last:
            continue
        if b.first > start:
            out.append((start, b.first - 1))
        start = max(start, b.last + 1)
    if start <= last:
        out.append((start, last))
    return out


def minimal_prefixes(prefixes: Iterable[Prefix]) -> tuple[Prefix, ...]:
    """Sorted, without the prefixes that another one of the list already covers."""
    out: list[Prefix] = []
    for p in sorted(set(prefixes), key=lambda p: (p.version, p.value, p.length)):
        if out and out[-1].contains(p):
            continue
        out.append(p)
    return tuple(out)


def router_policy(
    verdicts: Sequence[Verdict],
    policy: Policy,
    snapshot: Snapshot,
    sessions: dict[int, tuple[SessionSpec, ...]],
    max_prefix: dict[int, int | None],
    rtr: RtrValidation | None = None,
) -> RouterPolicy:
    """Everything a renderer needs. ``sessions`` and ``max_prefix`` are per configured
    peer AS; only configured peers get filters (a router has no session for the others).
    ``rtr``: the router validates RPKI live against these caches instead of ``roas``."""
    accepted: dict[int, set[Prefix]] = {}
    for v in verdicts:
        if v.action is Action.ACCEPT:
            accepted.setdefault(v.peer_asn, set()).add(Prefix.parse(v.prefix))
    peers: list[PeerFilter] = []
    for asn in sorted(sessions):
        specs = sessions[asn]
        rs_names = {s.name for s in specs if s.route_server}
        members: dict[int, set[Prefix]] = {}
        if rs_names:
            for v in verdicts:
                if v.action is Action.ACCEPT and rs_names.intersection(v.sessions):
                    members.setdefault(v.peer_asn, set()).add(Prefix.parse(v.prefix))
        conf = policy.peer(asn)
        peers.append(
            PeerFilter(
                asn=asn,
                name=conf.name,
                accept=_sorted(accepted.get(asn, ())),
                members=tuple((m, _sorted(p)) for m, p in sorted(members.items())),
                sessions=specs,
                max_prefix=max_prefix.get(asn),
                route_server=bool(rs_names),
            )
        )
    guard = Guard(
        families=policy.families,
        ipv4_length=policy.length_limits(4),
        ipv6_length=policy.length_limits(6),
        max_hops=policy.max_hops,
        bogons=minimal_prefixes(
            b.prefix for b in snapshot.bogons if b.prefix.version in policy.families
        ),
        exchange_prefixes=minimal_prefixes(
            x.prefix
            for x in (*policy.exchange_prefixes, *snapshot.exchange_prefixes)
            if x.prefix.version in policy.families
        ),
        unallocated_asns=tuple(
            unallocated_ranges(
                policy.unallocated_asn_first, policy.unallocated_asn_last, snapshot.asn_blocks
            )
        ),
        bogon_asns=tuple((a, b) for a, b, _ in BOGON_ASN_RANGES) if policy.check_bogon_asn else (),
        check_first_as=policy.check_first_as,
        aspa_in_accept_lists=policy.check_aspa,
    )
    roas = sorted(
        {
            RoaEntry(v.prefix, v.max_length, v.asn)
            for v in snapshot.vrps
            if (v.expires is None or v.expires >= snapshot.as_of)
            and v.prefix.version in policy.families
        },
        key=lambda r: (r.prefix.version, r.prefix.value, r.prefix.length, r.max_length, r.asn),
    )
    return RouterPolicy(
        policy.local_asn, guard, tuple(roas), tuple(peers), snapshot.provenance, rtr
    )


def _sorted(prefixes: Iterable[Prefix]) -> tuple[Prefix, ...]:
    return tuple(sorted(set(prefixes), key=lambda p: (p.version, p.value, p.length)))


def router_accepts(verdict: Verdict, accept_list: frozenset[Prefix] | set[Prefix]) -> bool:
    """Whether the generated filter accepts this route: step 4 accepted it, or it passed
    every rejection test a router can check (its verdict is 5, or X-ASPA, which no
    rendered router checks: it is part of the accept decision only, as its route adds no
    prefix to the accept list) and its prefix is in the peer's accept list through another
    path. X-AFI and X-MALFORMED routes never reach the filter."""
    if verdict.action is Action.ACCEPT:
        return True
    return verdict.rule in _ACCEPT_LIST_ONLY and Prefix.parse(verdict.prefix) in accept_list


_ACCEPT_LIST_ONLY = frozenset((Rule.NOT_ACCEPTED.value, Rule.X_ASPA.value))
