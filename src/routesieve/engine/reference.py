"""A deliberately simple implementation of the route filter algorithm, for tests only.

Every lookup is a scan over a list: no indexes, no numpy, no cleverness. It is slow and
meant to be obviously right, so that property tests can check the fast engine
(:mod:`routesieve.engine.evaluate`) against it. Pure: no I/O, no clock.

Decisions the specification leaves open (shared with the fast engine):

- as-set expansion is breadth first: a set is expanded when it can be reached within
  ``as_set_max_depth`` levels (the top set is level 1), whatever the order of members;
  ``as_set_max_members`` bounds the number of distinct ASNs collected.
- a name given in the peer's configuration that reads as an AS number (``AS65001``) is
  that AS number; any other name is looked up as an as-set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from routesieve.engine import reference_aspa
from routesieve.engine.reference_as_sets import expand_as_sets
from routesieve.engine.result import Evaluation
from routesieve.engine.rules import Rule, is_acceptance
from routesieve.model import (
    Action,
    DelegationStatus,
    Prefix,
    Route,
    RpkiState,
    Verdict,
    Vrp,
    set_prefix_ref,
    unique,
)
from routesieve.policy import Policy
from routesieve.snapshot import Snapshot

_GIVEN = (DelegationStatus.ALLOCATED, DelegationStatus.ASSIGNED)
_BOGON_ASNS: tuple[tuple[int, int, str], ...] = (
    (64496, 64511, "documentation (RFC 5398)"),
    (64512, 65534, "private use (RFC 6996)"),
    (65535, 65535, "reserved (RFC 7300)"),
    (65536, 65551, "documentation (RFC 5398)"),
    (65552, 131071, "reserved"),
    (4200000000, 4294967294, "private use (RFC 6996)"),
    (4294967295, 4294967295, "reserved (RFC 7300)"),
)

Outcome = tuple[Rule, str, dict[str, Any]]


@dataclass
class _Merged:
    """One route for the verdict: the first received copy, its peer and all its sessions."""

    peer: int
    route: Route
    sessions: list[str] = field(default_factory=list)


def evaluate(routes: Sequence[Route], snapshot: Snapshot, policy: Policy) -> Evaluation:
    """The verdict of every (merged) route, in the order each was first received."""
    merged = _merge(routes, policy)
    warnings: list[str] = []
    expansions: dict[int, set[int]] = {}
    for m in merged:
        if m.peer not in expansions:
            expansions[m.peer] = expand_as_sets(
                policy.peer(m.peer).as_sets, snapshot, policy, warnings
            )
    vrps = [v for v in snapshot.vrps if v.expires is None or v.expires >= snapshot.as_of]
    states = [_rpki(m.route, vrps) for m in merged]
    outcomes: list[Outcome | None] = [
        _reject(m, s, snapshot, policy) for m, s in zip(merged, states, strict=True)
    ]

    # First pass: routes the peer originates (4.2 does not apply to them).
    own_accepted: list[tuple[int, Prefix, Rule]] = []
    for i, m in enumerate(merged):
        if outcomes[i] is None and m.route.as_path.origin == m.peer:
            outcome = _accept(m, states[i], [], expansions[m.peer], vrps, snapshot, policy)
            outcomes[i] = outcome
            rule = outcome[0]
            if rule in (Rule.RPKI_VALID_ORIGIN, Rule.RIR_HANDLE):
                assert m.route.prefix is not None
                own_accepted.append((m.peer, m.route.prefix, rule))
    # Second pass: every other route that passed the rejection tests.
    for i, m in enumerate(merged):
        if outcomes[i] is None:
            covering = [(p, r) for peer, p, r in own_accepted if peer == m.peer]
            outcomes[i] = _accept(
                m, states[i], covering, expansions[m.peer], vrps, snapshot, policy
            )

    verdicts = []
    for m, state, decided in zip(merged, states, outcomes, strict=True):
        assert decided is not None
        rule, reason, evidence = decided
        verdicts.append(
            Verdict(
                peer_asn=m.peer,
                prefix=m.route.prefix_text,
                as_path=str(m.route.as_path),
                origin_asn=m.route.as_path.origin,
                action=Action.ACCEPT if is_acceptance(rule) else Action.REJECT,
                rule=rule.value,
                reason=reason,
                rpki=state,
                sessions=unique(m.sessions),
                evidence=evidence,
            )
        )
    return Evaluation.of(verdicts, unique(warnings))


def effective_peer(route: Route, policy: Policy) -> int:
    """The peer AS of a route: the first AS of the path on a route-server session."""
    if route.session in policy.route_server_sessions and route.as_path.first is not None:
        return route.as_path.first
    return route.peer_asn


def _merge(routes: Sequence[Route], policy: Policy) -> list[_Merged]:
    merged: list[_Merged] = []
    for route in routes:
        peer = effective_peer(route, policy)
        target = None
        if route.problem is None and route.prefix is not None:
            for m in merged:
                if (
                    m.route.problem is None
                    and m.peer == peer
                    and m.route.prefix == route.prefix
                    and m.route.as_path == route.as_path
                ):
                    target = m
                    break
        if target is None:
            target = _Merged(peer, route)
            merged.append(target)
        if route.session is not None:
            target.sessions.append(route.session)
    return merged


# --- RPKI -------------------------------------------------------------------------------


def _rpki(route: Route, vrps: list[Vrp]) -> RpkiState | None:
    prefix, origin = route.prefix, route.as_path.origin
    if prefix is None or origin is None:
        return None
    return rpki_state(prefix, origin, vrps)


def rpki_state(prefix: Prefix, origin: int, vrps: list[Vrp]) -> RpkiState:
    """RFC 6811 state of (prefix, origin) against VRPs that are already known unexpired."""
    covering = [v for v in vrps if v.prefix.contains(prefix)]
    same_as = [v for v in covering if v.asn == origin and v.asn != 0]
    if any(prefix.length <= v.max_length for v in same_as):
        return RpkiState.VALID
    if same_as:
        return RpkiState.INVALID_LENGTH
    if covering:
        return RpkiState.INVALID_ASN
    return RpkiState.UNKNOWN


def _vrp_json(v: Vrp) -> dict[str, Any]:
    return {"prefix": str(v.prefix), "max_length": v.max_length, "asn": v.asn, "ta": v.ta}


# --- Step 3 and the X- checks -----------------------------------------------------------


def _reject(m: _Merged, state: RpkiState | None, snap: Snapshot, policy: Policy) -> Outcome | None:
    route, path = m.route, m.route.as_path
    prefix = route.prefix
    if policy.check_afi and prefix is not None and prefix.version not in policy.families:
        enabled = ", ".join(f"IPv{v}" for v in sorted(policy.families)) or "none"
        return Rule.X_AFI, f"IPv{prefix.version} is not enabled (enabled: {enabled})", {}
    if route.problem is not None or prefix is None or path.is_empty:
        why = route.problem or ("no prefix" if prefix is None else "empty AS path")
        return Rule.X_MALFORMED, why, {}
    if prefix.length == 0:
        return Rule.DEFAULT_ROUTE, f"{prefix} is a default route", {}
    if path.has_set:
        return Rule.AS_SET, "AS path has an AS_SET or confederation segment", {}
    low, high = policy.length_limits(prefix.version)
    if not low <= prefix.length <= high:
        reason = f"prefix length /{prefix.length} is outside {low}-{high} for IPv{prefix.version}"
        return Rule.PREFIX_LENGTH, reason, {"min": low, "max": high}
    for bogon in snap.bogons:
        if bogon.prefix.contains(prefix):
            reason = f"inside bogon {bogon.prefix}" + (f" ({bogon.reason})" if bogon.reason else "")
            return Rule.BOGON, reason, {"bogon": str(bogon.prefix)}
    for ix in (*policy.exchange_prefixes, *snap.exchange_prefixes):
        if ix.prefix.contains(prefix):
            reason = f"inside exchange LAN prefix {ix.prefix} of {ix.exchange or 'an exchange'}"
            return Rule.EXCHANGE_PREFIX, reason, {"exchange_prefix": str(ix.prefix)}
    if path.hop_count > policy.max_hops:
        reason = f"AS path has {path.hop_count} hops, more than {policy.max_hops}"
        return Rule.PATH_TOO_LONG, reason, {"hops": path.hop_count}
    for asn in path.asns():
        if policy.unallocated_asn_first <= asn <= policy.unallocated_asn_last and not any(
            b.allocated and b.first <= asn <= b.last for b in snap.asn_blocks
        ):
            return Rule.UNALLOCATED_ASN, f"AS{asn} is not allocated by IANA", {"asn": asn}
    if 23456 in path.asns():
        return Rule.AS_TRANS, "AS 23456 (AS_TRANS) in the path", {"asn": 23456}
    if 0 in path.asns():
        return Rule.AS_ZERO, "AS 0 in the path", {"asn": 0}
    if state in (RpkiState.INVALID_ASN, RpkiState.INVALID_LENGTH):
        assert state is not None
        reason = f"RPKI {state.value} for {prefix} from AS{path.origin}"
        return Rule.RPKI_INVALID, reason, {"rpki": state.value}
    first_rs = route.session in policy.route_server_sessions
    if policy.check_first_as and not first_rs and path.first != route.peer_asn:
        reason = f"first AS {path.first} of the path is not the peer AS{route.peer_asn}"
        return Rule.X_FIRST_AS, reason, {"first": path.first}
    if policy.check_bogon_asn:
        for asn in path.asns():
            for first, last, kind in _BOGON_ASNS:
                if first <= asn <= last:
                    return Rule.X_BOGON_ASN, f"AS{asn} is {kind}", {"asn": asn}
    if policy.check_aspa:
        neighbour = None if first_rs else route.peer_asn
        # a route merged from several sessions is verified downstream only when every
        # session it came on is one where we are the customer (upstream is the stricter)
        downstream = bool(m.sessions) and all(s in policy.customer_sessions for s in m.sessions)
        aspa = reference_aspa.verify(snap.aspas, snap.as_of, path, neighbour, downstream)
        if aspa == "Invalid":
            return Rule.X_ASPA, "ASPA verification: Invalid", {"aspa": aspa}
    return None


# --- Step 4 -----------------------------------------------------------------------------


def _accept(
    m: _Merged,
    state: RpkiState | None,
    covering: list[tuple[Prefix, Rule]],
    as_set_asns: set[int],
    vrps: list[Vrp],
    snap: Snapshot,
    policy: Policy,
) -> Outcome:
    prefix, path, peer = m.route.prefix, m.route.as_path, m.peer
    origin = path.origin
    assert prefix is not None and origin is not None
    if origin == peer and state == RpkiState.VALID:
        good = [
            _vrp_json(v)
            for v in vrps
            if v.prefix.contains(prefix) and v.asn == origin and prefix.length <= v.max_length
        ]
        return (
            Rule.RPKI_VALID_ORIGIN,
            f"originated by the peer AS{peer}, RPKI VALID",
            {"vrp": good[0]},
        )
    if origin != peer:
        for own, rule in covering:
            if own.contains(prefix):
                reason = (
                    f"inside {own}, originated by the peer AS{peer} and accepted by {rule.value}"
                )
                return Rule.DOWNSTREAM_OF_ACCEPTED, reason, {"covering": str(own), "by": rule.value}
    handle = rir_handle_match(prefix, peer, snap)
    if handle is not None:
        return (
            Rule.RIR_HANDLE,
            f"RIR handle {handle['handle']} of {prefix} is also AS{peer}'s",
            handle,
        )
    policy_asns = {peer} | as_set_asns
    opted_in = {ref.strip().upper() for ref in policy.peer(peer).as_sets}
    for ro in snap.route_objects:
        if ro.prefix != prefix:
            continue
        listed_in = set_prefix_ref(ro.source)
        if listed_in is not None:  # a prefix of a set's prefix list: no origin to compare
            if listed_in not in opted_in or policy.irr_strict_origin:
                continue
        elif ro.origin not in policy_asns or (policy.irr_strict_origin and ro.origin != origin):
            continue
        reason = f"route object {ro.prefix} AS{ro.origin} is in the IRR policy of AS{peer}"
        return (
            Rule.IRR_EXACT,
            reason,
            {
                "route_object": {
                    "prefix": str(ro.prefix),
                    "origin": ro.origin,
                    "source": ro.source,
                }
            },
        )
    if (
        path.first == peer
        and path.folded == (peer, origin)
        and origin != peer
        and origin in as_set_asns
    ):
        if state == RpkiState.VALID:
            return (
                Rule.AS_SET_TWO_HOPS,
                f"AS{origin} is in the as-set of AS{peer}, RPKI VALID",
                {"rpki": "VALID"},
            )
        handle = rir_handle_match(prefix, origin, snap)
        if handle is not None:
            reason = (
                f"AS{origin} is in the as-set of AS{peer}, RIR handle {handle['handle']} matches"
            )
            return Rule.AS_SET_TWO_HOPS, reason, handle
    rpki = state.value if state is not None else "none"
    reason = (
        f"not accepted: RPKI {rpki}; no route object for {prefix} with an origin in the IRR "
        f"policy of AS{peer}; no RIR handle match for AS{peer}"
    )
    return Rule.NOT_ACCEPTED, reason, {"rpki": rpki, "as_set": bool(as_set_asns)}


def rir_handle_match(prefix: Prefix, asn: int, snap: Snapshot) -> dict[str, Any] | None:
    """Evidence that a handle of the prefix is a handle of the AS, or None."""
    for d in snap.ip_delegations:
        if d.status not in _GIVEN or not d.opaque_id or not d.prefix.contains(prefix):
            continue
        for e in snap.asn_delegations:
            if (
                e.status in _GIVEN
                and e.registry == d.registry
                and e.opaque_id == d.opaque_id
                and e.contains(asn)
            ):
                return {"source": f"rir-stats:{d.registry}", "handle": d.opaque_id}
    with_prefixes = [(p, h) for h in snap.org_handles for p in h.prefixes if p.contains(prefix)]
    if not with_prefixes:
        return None
    longest = max(p.length for p, _ in with_prefixes)
    for p, h in with_prefixes:
        if p.length != longest:
            continue
        for a in snap.org_handles:
            if a.asn == asn and a.source == h.source and a.org.lower() == h.org.lower():
                return {"source": f"rpsl-org:{h.source}", "handle": h.org, "inetnum": str(p)}
    return None
