"""Every rule for one route, pass or fail, with everything that was looked at.

``explain_row`` reads the decided columns and the snapshot index; it recomputes nothing
that changes the verdict, it only lists: the VRPs that cover the prefix, the route
objects for it, the handles on both sides, the as-set expansion, the bogon or exchange
blocks. Pure, like the rest of the engine.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from routesieve.columnar import AsnDelegationTable, IpDelegationTable
from routesieve.engine.aspa import AspaResult, AspaState, Direction, verify
from routesieve.engine.cover import CoverIndex, PrefixColumns
from routesieve.engine.decisions import Decisions
from routesieve.engine.rules import ALL_RULES, REJECTION_ORDER, TITLES, Rule
from routesieve.engine.slots import vrp_json
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.model import Prefix, RouteObject, RpkiState, Verdict, set_prefix_ref


@dataclass(frozen=True, slots=True)
class Step:
    """One rule for one route: ``outcome`` is pass, fail (rejected), match (accepted),
    no match, off (check switched off) or not reached (decided by an earlier rule)."""

    rule: str
    title: str
    outcome: str
    detail: str
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Explanation:
    verdict: Verdict
    steps: tuple[Step, ...]


def _covering(cover: CoverIndex, prefix: Prefix) -> list[int]:
    _, eid = cover.pairs(PrefixColumns.of([prefix]))
    return sorted(set(eid.tolist()))


def _exact(cover: CoverIndex, prefix: Prefix) -> list[int]:
    _, eid = cover.pairs(PrefixColumns.of([prefix]), exact=True)
    return sorted(set(eid.tolist()))


def explain_row(d: Decisions, row: int, builder: VerdictBuilder | None = None) -> Explanation:
    verdict = (builder or VerdictBuilder(d))(row)
    decided = ALL_RULES[int(d.rule[row])]
    route = d.table.first[row]
    prefix = route.prefix
    path = d.table.paths[int(d.table.path_id[row])]
    peer = int(d.table.peer[row])
    origin = path.origin
    facts: dict[Rule, tuple[bool | None, str, dict[str, Any]]] = {}
    pol = d.policy
    idx = d.index

    facts[Rule.X_AFI] = (
        None if not pol.check_afi or prefix is None else prefix.version in pol.families,
        f"families enabled: {', '.join(f'IPv{f}' for f in sorted(pol.families))}",
        {},
    )
    facts[Rule.X_MALFORMED] = (
        route.problem is None and prefix is not None and not path.is_empty,
        route.problem or ("empty AS path" if path.is_empty else "prefix and path read"),
        {},
    )
    if prefix is not None:
        low, high = pol.length_limits(prefix.version)
        facts[Rule.DEFAULT_ROUTE] = (prefix.length != 0, f"{prefix}", {})
        facts[Rule.AS_SET] = (not path.has_set, f"path {path}", {})
        facts[Rule.PREFIX_LENGTH] = (
            low <= prefix.length <= high,
            f"/{prefix.length}, allowed /{low}–/{high}",
            {},
        )
        bogons = [idx.bogons[i] for i in _covering(idx.bogon_cover, prefix)]
        facts[Rule.BOGON] = (
            not bogons,
            ", ".join(f"{b.prefix} ({b.reason})" for b in bogons) or "inside no bogon",
            {"bogons": [str(b.prefix) for b in bogons]},
        )
        xs = [idx.exchanges[i] for i in _covering(idx.exchange_cover, prefix)]
        facts[Rule.EXCHANGE_PREFIX] = (
            not xs,
            ", ".join(f"{x.prefix} ({x.exchange})" for x in xs) or "inside no exchange LAN",
            {"exchange_prefixes": [str(x.prefix) for x in xs]},
        )
    facts[Rule.PATH_TOO_LONG] = (
        path.hop_count <= pol.max_hops,
        f"{path.hop_count} hops, limit {pol.max_hops}",
        {},
    )
    unalloc = int(d.facts.unallocated[int(d.table.path_id[row])])
    facts[Rule.UNALLOCATED_ASN] = (
        unalloc < 0,
        f"AS{unalloc} unallocated" if unalloc >= 0 else "none",
        {},
    )
    asns = set(path.asns())
    facts[Rule.AS_TRANS] = (
        23456 not in asns,
        "AS 23456 present" if 23456 in asns else "absent",
        {},
    )
    facts[Rule.AS_ZERO] = (0 not in asns, "AS 0 present" if 0 in asns else "absent", {})
    vrps = [idx.vrps[i] for i in _covering(idx.vrp_cover, prefix)] if prefix is not None else []
    state = verdict.rpki
    facts[Rule.RPKI_INVALID] = (
        state not in (RpkiState.INVALID_ASN, RpkiState.INVALID_LENGTH),
        f"RPKI {state.value if state else 'not computed'}; covering VRPs: "
        + (", ".join(f"{v.prefix} max /{v.max_length} AS{v.asn}" for v in vrps) or "none"),
        {"covering_vrps": [vrp_json(v) for v in vrps]},
    )
    facts[Rule.X_FIRST_AS] = (
        None
        if not pol.check_first_as
        else bool(d.table.route_server[row]) or path.first == int(d.table.received_from[row]),
        f"first AS {path.first}, neighbour AS{int(d.table.received_from[row])}",
        {},
    )
    bogon_asn = int(d.facts.bogon_asn[int(d.table.path_id[row])])
    facts[Rule.X_BOGON_ASN] = (
        None if not pol.check_bogon_asn else bogon_asn < 0,
        f"AS{bogon_asn}" if bogon_asn >= 0 else "none",
        {},
    )

    aspa = d.aspa.get(row)
    if aspa is None and pol.check_aspa:  # not rejected by it: verified here, for the listing
        aspa = verify_row(d, row)
    facts[Rule.X_ASPA] = (
        None if not pol.check_aspa else (aspa is None or aspa.state is not AspaState.INVALID),
        "no prefix" if aspa is None else aspa.summary(),
        {} if aspa is None else {"hops": aspa.lines()},
    )

    expansion = d.expansions.get(peer)
    sets = list(expansion.sets) if expansion else []
    accept: dict[Rule, tuple[bool | None, str, dict[str, Any]]] = {}
    accept[Rule.RPKI_VALID_ORIGIN] = (
        origin == peer and state is RpkiState.VALID,
        f"origin AS{origin}, peer AS{peer}, RPKI {state.value if state else 'not computed'}",
        {},
    )
    accept[Rule.DOWNSTREAM_OF_ACCEPTED] = (
        decided is Rule.DOWNSTREAM_OF_ACCEPTED,
        _seeds_text(d, row, peer),
        {},
    )
    handles = _handles(d, prefix, peer)
    accept[Rule.RIR_HANDLE] = (decided is Rule.RIR_HANDLE, handles, {})
    objects = (
        [idx.route_objects[i] for i in _exact(idx.route_object_cover, prefix)] if prefix else []
    )
    policy_asns = {peer} | (set(expansion.asns) if expansion else set())
    opted_in = {ref.strip().upper() for ref in d.policy.peer(peer).as_sets}
    accept[Rule.IRR_EXACT] = (
        decided is Rule.IRR_EXACT,
        "route objects for exactly this prefix: "
        + (", ".join(_object_text(o, policy_asns, opted_in) for o in objects) or "none")
        + f"; IRR policy AS{peer}"
        + (
            f" + {', '.join(sets)} ({len(policy_asns) - 1} ASNs)" if sets else " (no as-set in use)"
        ),
        {
            "route_objects": [
                {"prefix": str(o.prefix), "origin": o.origin, "source": o.source} for o in objects
            ],
            "as_sets": sets,
        },
    )
    accept[Rule.AS_SET_TWO_HOPS] = (
        decided is Rule.AS_SET_TWO_HOPS,
        f"folded path {' '.join(map(str, path.folded or ()))}; "
        + (
            f"origin in {', '.join(sets)}: {origin in (expansion.asns if expansion else ())}"
            if sets
            else "no as-set in use"
        ),
        {},
    )
    steps: list[Step] = []
    reached = True
    for rule in REJECTION_ORDER:
        ok, text, ev = facts.get(rule, (None, "not checked", {}))
        outcome = "off" if ok is None else ("pass" if ok else "fail")
        if not reached and outcome != "off":
            outcome = f"{outcome} (not reached)"
        steps.append(Step(rule.value, TITLES[rule], outcome, text, ev))
        if rule is decided:
            reached = False
    for rule in (
        Rule.RPKI_VALID_ORIGIN,
        Rule.DOWNSTREAM_OF_ACCEPTED,
        Rule.RIR_HANDLE,
        Rule.IRR_EXACT,
        Rule.AS_SET_TWO_HOPS,
    ):
        ok, text, ev = accept[rule]
        outcome = "match" if ok else "no match"
        if not reached:
            outcome += " (not reached)"
        steps.append(Step(rule.value, TITLES[rule], outcome, text, ev))
        if rule is decided:
            reached = False
    if reached:
        steps.append(
            Step(Rule.NOT_ACCEPTED.value, TITLES[Rule.NOT_ACCEPTED], "fail", verdict.reason, {})
        )
    return Explanation(verdict, tuple(steps))


def verify_row(d: Decisions, row: int) -> AspaResult | None:
    """The ASPA verification of one row with its evidence, as X-ASPA would run it."""
    t = d.table
    if not t.has_prefix[row]:
        return None
    neighbour = None if t.route_server[row] else int(t.received_from[row])
    downstream = t.only_on(row, d.policy.customer_sessions)  # as verify_aspa decides
    direction = Direction.DOWNSTREAM if downstream else Direction.UPSTREAM
    return verify(t.paths[int(t.path_id[row])], neighbour, direction, d.index.aspa)


@dataclass(frozen=True)
class _Lookups:
    """Per-run lookups that explaining one route after another would otherwise redo: the
    rows that can seed 4.2 (with their peers) and the address delegations as a cover."""

    seed_rows: npt.NDArray[np.int64]
    seed_peers: npt.NDArray[np.int64]
    delegation_cover: CoverIndex
    asn_first: npt.NDArray[np.int64]
    asn_last: npt.NDArray[np.int64]


# keyed by identity (Decisions compares by value and holds lists): an entry goes when
# its Decisions does
_LOOKUPS: dict[int, _Lookups] = {}
_SEED_RULES = [ALL_RULES.index(Rule.RPKI_VALID_ORIGIN), ALL_RULES.index(Rule.RIR_HANDLE)]


def _lookups(d: Decisions) -> _Lookups:
    found = _LOOKUPS.get(id(d))
    if found is None:
        t = d.table
        path_origin = np.array([-1 if p.origin is None else p.origin for p in t.paths], np.int64)
        origin = path_origin[t.path_id] if len(t) else np.empty(0, np.int64)
        seeds = t.has_prefix & np.isin(d.rule, _SEED_RULES) & (origin == t.peer)
        rows = np.flatnonzero(seeds).astype(np.int64)
        ips = d.index.ip_delegations
        ip_table = ips if isinstance(ips, IpDelegationTable) else IpDelegationTable.of(ips)
        asns = d.index.asn_delegations
        asn_table = asns if isinstance(asns, AsnDelegationTable) else AsnDelegationTable.of(asns)
        found = _Lookups(
            rows,
            t.peer[rows],
            CoverIndex(PrefixColumns.of_array(ip_table.prefix)),
            asn_table.first,
            asn_table.first + asn_table.counts - 1,
        )
        _LOOKUPS[id(d)] = found
        weakref.finalize(d, _LOOKUPS.pop, id(d), None)
    return found


def _seeds_text(d: Decisions, row: int, peer: int) -> str:
    prefix = d.table.first[row].prefix
    if prefix is None:
        return "no prefix"
    look = _lookups(d)
    found = []
    for i in look.seed_rows[look.seed_peers == peer].tolist():
        other = d.table.first[i].prefix
        if other is not None and other.contains(prefix):
            found.append(f"{other} ({ALL_RULES[int(d.rule[i])].value})")
    return "accepted prefixes the peer originates that cover it: " + (", ".join(found) or "none")


def _handles(d: Decisions, prefix: Prefix | None, peer: int) -> str:
    idx = d.index
    if prefix is None:
        return "no prefix"
    look = _lookups(d)
    prefix_side = [idx.ip_delegations[i] for i in _covering(look.delegation_cover, prefix)]
    held = np.flatnonzero((look.asn_first <= peer) & (peer <= look.asn_last))
    asn_side = [idx.asn_delegations[i] for i in held.tolist()]
    p = (
        ", ".join(
            f"{x.registry}:{x.opaque_id or '-'} ({x.prefix}, {x.status.value})" for x in prefix_side
        )
        or "none"
    )
    a = (
        ", ".join(f"{x.registry}:{x.opaque_id or '-'} ({x.status.value})" for x in asn_side)
        or "none"
    )
    return f"prefix held by {p}; AS{peer} held by {a}"


def _object_text(o: RouteObject, policy_asns: set[int], opted_in: set[str]) -> str:
    """A route object (``AS65001 (RIPE) in policy``), or a prefix-list row of an as-set."""
    listed_in = set_prefix_ref(o.source)
    if listed_in is None:
        return f"AS{o.origin} ({o.source}){' in policy' if o.origin in policy_asns else ''}"
    sources = o.source.rpartition("@")[2]
    used = " in policy" if listed_in in opted_in else ""
    return f"in the prefix list of {listed_in} ({sources}){used}"
