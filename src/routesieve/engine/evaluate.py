"""The route filter algorithm, decided in bulk over columns: no I/O, no clock, no globals.

``evaluate`` merges the received routes (step 2), runs the rejection tests in their order
(X-AFI, X-MALFORMED, 3.1 … 3.10, then the X- checks that are switched on, X-ASPA last), then the
acceptance tests 4.1 … 4.5 in their order, and rejects the rest with rule 5. Each rule
only looks at the rows that no earlier rule has decided. What decided a row is kept as
indexes into the snapshot (the VRP, the bogon, the route object, the handle), and
``engine.verdicts`` and ``engine.templates`` turn them into reasons and evidence on demand.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from routesieve.columnar.heap import give_back_free_memory
from routesieve.engine import rpki
from routesieve.engine.as_sets import Expansion
from routesieve.engine.aspa import AspaResult, AspaState, Direction, outcome, verify
from routesieve.engine.cover import CoverIndex, PrefixColumns, find_in_order
from routesieve.engine.decisions import Decisions
from routesieve.engine.handles import handle_matches
from routesieve.engine.index import SnapshotIndex, build_index
from routesieve.engine.pairs import PairSet
from routesieve.engine.paths import PathFacts, path_facts
from routesieve.engine.result import Evaluation
from routesieve.engine.rules import ALL_RULES, Rule
from routesieve.engine.table import RouteTable, build_table
from routesieve.model import Route
from routesieve.policy import Policy
from routesieve.snapshot import Snapshot

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]  # evidence: indexes into the snapshot's tables (fewer than 2**31)
Bools = npt.NDArray[np.bool_]
CODE = {rule: np.int8(i) for i, rule in enumerate(ALL_RULES)}
UNDECIDED = np.int8(-1)
# from this many rows on, decide gives the rules' freed temporaries back to the system;
# for a few routes (the service's changes, tests) the trim of a fragmented heap can
# cost more than deciding them
_LARGE = 1 << 16


class _Rules:
    """The rule and evidence columns, written once per row by the first rule that decides."""

    def __init__(self, n: int) -> None:
        self.rule = np.full(n, UNDECIDED, np.int8)
        self.detail = np.full(n, -1, np.int64)  # an AS number for some rules: not int32

    def open(self) -> Bools:
        undecided: Bools = self.rule == UNDECIDED
        return undecided

    def decide(
        self, mask: Bools, rule: Rule, detail: npt.NDArray[np.integer] | None = None
    ) -> None:
        m = mask & (self.rule == UNDECIDED)
        self.rule[m] = CODE[rule]
        if detail is not None:
            self.detail[m] = detail[m]


def expansions(index: SnapshotIndex, policy: Policy, peers: Sequence[int]) -> dict[int, Expansion]:
    """The as-set expansion of every peer that opted in (step 1.1)."""
    out: dict[int, Expansion] = {}
    for peer in peers:
        names = policy.peer(peer).as_sets
        if names:
            out[peer] = index.as_sets.expand(
                names, policy.as_set_max_depth, policy.as_set_max_members
            )
    return out


def evaluate(
    routes: Sequence[Route],
    snapshot: Snapshot,
    policy: Policy,
    index: SnapshotIndex | None = None,
) -> Evaluation:
    """One verdict per merged route. Pass ``index`` to reuse look-ups across runs."""
    return Evaluation.of_decisions(decide(routes, snapshot, policy, index))


def decide(
    routes: Sequence[Route],
    snapshot: Snapshot,
    policy: Policy,
    index: SnapshotIndex | None = None,
) -> Decisions:
    if index is None:
        index = build_index(snapshot, policy)
    table = build_table(routes, policy.route_server_sessions)
    facts = path_facts(
        table.paths, snapshot.asn_blocks, policy.unallocated_asn_first, policy.unallocated_asn_last
    )
    decided = decide_table(table, facts, policy, index)
    if len(table) >= _LARGE:
        give_back_free_memory()  # the rules' temporaries: 40 MB on the bench set, 3 ms
    return decided


def decide_table(
    table: RouteTable, facts: PathFacts, policy: Policy, index: SnapshotIndex
) -> Decisions:
    """The rules on merged routes whose path facts are known (``decide`` without steps 1
    and 2: what the benchmark times as "the rules")."""
    n = len(table)
    pid = table.path_id
    cols = table.prefixes
    peer = table.peer
    origin = facts.origin[pid]
    out = _Rules(n)

    # ---- rejection tests, in order --------------------------------------------------
    if policy.check_afi:
        enabled = np.isin(cols.version, np.array(sorted(policy.families), np.uint8))
        out.decide(table.has_prefix & ~enabled, Rule.X_AFI)
    out.decide(table.malformed | facts.empty[pid], Rule.X_MALFORMED)
    out.decide(cols.length == 0, Rule.DEFAULT_ROUTE)
    out.decide(facts.has_set[pid], Rule.AS_SET)
    v4 = cols.version == 4
    low = np.where(v4, np.int16(policy.ipv4_min_length), np.int16(policy.ipv6_min_length))
    high = np.where(v4, np.int16(policy.ipv4_max_length), np.int16(policy.ipv6_max_length))
    out.decide((cols.length < low) | (cols.length > high), Rule.PREFIX_LENGTH)
    # a column per row is let go once used (the rules' high-water mark: a million rows
    # held ~130 MB of such columns to the end)
    del v4, low, high
    in_order = bool(np.all(cols.hi[1:] >= cols.hi[:-1]))  # as build_table lays them out
    _reject_covered(out, index.bogon_cover, cols, Rule.BOGON, in_order)
    _reject_covered(out, index.exchange_cover, cols, Rule.EXCHANGE_PREFIX, in_order)
    out.decide(facts.hops[pid] > policy.max_hops, Rule.PATH_TOO_LONG)
    unallocated = facts.unallocated[pid]
    out.decide(unallocated >= 0, Rule.UNALLOCATED_ASN, unallocated)
    del unallocated
    out.decide(facts.as_trans[pid], Rule.AS_TRANS)
    out.decide(facts.as_zero[pid], Rule.AS_ZERO)
    computed = table.has_prefix & (origin >= 0)
    state, vrp = rpki.rpki_states(index, cols, origin, computed)
    del computed
    out.decide((state == rpki.INVALID_ASN) | (state == rpki.INVALID_LENGTH), Rule.RPKI_INVALID)
    if policy.check_first_as:
        out.decide(~table.route_server & (facts.first[pid] != table.received_from), Rule.X_FIRST_AS)
    if policy.check_bogon_asn:
        bogon_asn = facts.bogon_asn[pid]
        out.decide(bogon_asn >= 0, Rule.X_BOGON_ASN, bogon_asn)
        del bogon_asn
    aspa: dict[int, AspaResult] = {}
    if policy.check_aspa:
        aspa = verify_aspa(table, index, policy, np.flatnonzero(out.open()))
        invalid = np.zeros(n, np.bool_)
        invalid[list(aspa)] = True
        out.decide(invalid, Rule.X_ASPA)

    # ---- acceptance tests, in order ---------------------------------------------------
    passed = out.open()
    alive = np.flatnonzero(passed)
    sub = cols.take(alive)
    own = origin == peer

    rir_peer = np.full(n, -1, np.int32)
    org_peer = np.full(n, -1, np.int32)
    alive_peer = peer[alive]
    among = _distinct_asns(alive_peer)
    rir_peer[alive] = handle_matches(index.rir, sub, alive_peer, among)
    org_peer[alive] = handle_matches(index.org, sub, alive_peer, among)
    peers = among.tolist()
    del alive, sub, alive_peer, among
    a41 = passed & own & (state == rpki.VALID)
    a43 = passed & ((rir_peer >= 0) | (org_peer >= 0))

    # 4.2 needs the first pass: the peer's own prefixes accepted by 4.1 or 4.3
    seeds = np.flatnonzero(own & (a41 | a43))
    seed_of = np.full(n, -1, np.int64)
    candidates = np.flatnonzero(passed & ~own & (origin >= 0))
    if len(seeds) and len(candidates):
        seed_peer, candidate_peer = peer[seeds], peer[candidates]

        def same_peer(r: I64, e: I64) -> Bools:
            found: Bools = seed_peer[e] == candidate_peer[r]
            return found

        seed = None
        if in_order:  # the seeds are few: each one's rows are a run of the sorted rows
            is_candidate = np.zeros(n, np.bool_)
            is_candidate[candidates] = True

            def downstream(r: I64, e: I64) -> Bools:
                ok: Bools = is_candidate[r] & (seed_peer[e] == peer[r])
                return ok

            seed = find_in_order(cols, cols.take(seeds), downstream)
            if seed is not None:
                seed_of = np.where(seed >= 0, seeds[seed], -1)
        if seed is None:
            (seed,) = CoverIndex(cols.take(seeds)).find(cols.take(candidates), (same_peer,))
            seed_of[candidates] = np.where(seed >= 0, seeds[seed], -1)
    out.decide(a41, Rule.RPKI_VALID_ORIGIN, vrp)
    out.decide(seed_of >= 0, Rule.DOWNSTREAM_OF_ACCEPTED, seed_of)
    out.decide(a43, Rule.RIR_HANDLE)
    del passed, own, a41, a43, seeds, candidates, seed_of

    expanded = expansions(index, policy, peers)
    irr_a: list[int] = []
    irr_b: list[int] = []
    set_a: list[int] = []
    set_b: list[int] = []
    for p in peers:
        irr_a.append(p)
        irr_b.append(p)
        members = expanded[p].asns if p in expanded else frozenset()
        irr_a.extend([p] * len(members))
        irr_b.extend(members)
        set_a.extend([p] * len(members))
        set_b.extend(members)
    irr_policy = PairSet(irr_a, irr_b)
    as_set_members = PairSet(set_a, set_b)
    list_a: list[int] = []  # (peer, id of an opted-in set with a prefix list)
    list_b: list[int] = []
    for p in peers:
        for ref in policy.peer(p).as_sets:
            list_id = index.route_object_set_ids.get(ref.strip().upper())
            if list_id is not None:
                list_a.append(p)
                list_b.append(list_id)
    set_lists = PairSet(list_a, list_b)

    still = np.flatnonzero(out.open())
    route_object = np.full(n, -1, np.int64)
    if len(still):
        still_peer, still_origin = peer[still], origin[still]
        ro_origin, ro_set = index.route_object_origin, index.route_object_set

        def in_policy(r: I64, e: I64) -> Bools:
            row_peer, entry_set, entry_origin = still_peer[r], ro_set[e], ro_origin[e]
            real = entry_set < 0
            asked = real & (entry_origin >= 0)
            if policy.irr_strict_origin:  # a prefix list has no origin to compare
                asked &= entry_origin == still_origin[r]
            ok: Bools = asked & (entry_origin == row_peer)  # the peer is in its own policy
            rest = np.flatnonzero(asked & ~ok)
            ok[rest] = irr_policy.contains(row_peer[rest], entry_origin[rest])
            if not policy.irr_strict_origin:
                lists = np.flatnonzero(~real)
                ok[lists] |= set_lists.contains(row_peer[lists], entry_set[lists])
            return ok

        (found,) = index.route_object_cover.find(cols.take(still), (in_policy,), exact=True)
        route_object[still] = found
    out.decide(route_object >= 0, Rule.IRR_EXACT, route_object)
    del still, route_object

    two_hop = facts.two_hop_origin[pid]
    cand45 = (
        out.open()
        & (facts.first[pid] == peer)
        & (two_hop >= 0)
        & (two_hop == origin)
        & (origin != peer)
    )
    idx45 = np.flatnonzero(cand45)
    member = as_set_members.contains(peer[idx45], origin[idx45])
    cand45[idx45] = member
    idx45 = idx45[member]
    rir_origin = np.full(n, -1, np.int32)
    org_origin = np.full(n, -1, np.int32)
    if len(idx45):
        sub45 = cols.take(idx45)
        rir_origin[idx45] = handle_matches(index.rir, sub45, origin[idx45])
        org_origin[idx45] = handle_matches(index.org, sub45, origin[idx45])
    a45 = cand45 & ((state == rpki.VALID) | (rir_origin >= 0) | (org_origin >= 0))
    out.decide(a45, Rule.AS_SET_TWO_HOPS)
    del two_hop, cand45, idx45, member, a45
    out.decide(np.ones(n, np.bool_), Rule.NOT_ACCEPTED)

    warnings = [w for p in sorted(expanded) for w in expanded[p].warnings]
    if policy.check_aspa and not index.aspa.providers:
        warnings.append(
            "X-ASPA is on, but the snapshot has no ASPA records (an RTR cache below "
            "version 2 sends none): every path is Unknown and none is rejected by it"
        )
    return Decisions(
        index=index,
        policy=policy,
        table=table,
        facts=facts,
        rule=out.rule,
        detail=out.detail,
        rpki_state=state,
        rpki_vrp=vrp,
        rir_peer=rir_peer,
        org_peer=org_peer,
        rir_origin=rir_origin,
        org_origin=org_origin,
        expansions=expanded,
        warnings=tuple(dict.fromkeys(warnings)),
        aspa=aspa,
    )


def verify_aspa(
    table: RouteTable, index: SnapshotIndex, policy: Policy, rows: npt.NDArray[np.intp]
) -> dict[int, AspaResult]:
    """X-ASPA for ``rows``: the verification, with its evidence, of each row it finds
    Invalid. Upstream verification, or downstream on a session where the local network
    is the customer; on a route-server session the route server's AS is not in the path,
    so there is no first-AS check and the member is the neighbour. The state is computed
    once per distinct (path, neighbour, direction), the evidence only for Invalid ones."""
    states: dict[tuple[int, int | None, Direction], AspaState] = {}
    found: dict[tuple[int, int | None, Direction], AspaResult] = {}
    out: dict[int, AspaResult] = {}
    picked = rows.tolist()
    has_prefix = table.has_prefix[rows].tolist()
    route_server = table.route_server[rows].tolist()
    received_from = table.received_from[rows].tolist()
    path_id = table.path_id[rows].tolist()
    customer = policy.customer_sessions
    aspa = index.aspa
    for row, prefixed, rs, neighbour_as, pid in zip(
        picked, has_prefix, route_server, received_from, path_id, strict=True
    ):
        if not prefixed:
            continue
        neighbour = None if rs else neighbour_as
        # merged from several sessions: downstream only when every one of them is a
        # session where we are the customer (upstream is the stricter verification)
        downstream = bool(customer) and table.only_on(row, customer)
        direction = Direction.DOWNSTREAM if downstream else Direction.UPSTREAM
        key = (pid, neighbour, direction)
        state = states.get(key)
        if state is None:
            state = states[key] = outcome(table.paths[pid], neighbour, direction, aspa)
        if state is AspaState.INVALID:
            result = found.get(key)
            if result is None:
                result = found[key] = verify(table.paths[pid], neighbour, direction, aspa)
            out[row] = result
    return out


def _distinct_asns(asns: I64) -> I64:
    """The distinct AS numbers, ascending (as 32-bit numbers when they fit: 40 % faster)."""
    if len(asns) and int(asns.min()) >= 0 and int(asns.max()) < 1 << 32:
        found: I64 = np.unique(asns.astype(np.uint32)).astype(np.int64)
        return found
    return np.unique(asns)


def _reject_covered(
    out: _Rules, cover: CoverIndex, cols: PrefixColumns, rule: Rule, in_order: bool
) -> None:
    """Reject the open rows whose prefix lies inside an entry of ``cover`` (``in_order``:
    the rows are sorted by address)."""
    alive = np.flatnonzero(out.open())
    if cover.size == 0 or len(alive) == 0:
        return
    small = cover.nodes * 8 <= len(alive)  # two searches per node beat one per row
    found = cover.find_in_order(cols, alive) if in_order and small else None
    if found is None:
        (found,) = cover.find(cols.take(alive))
    hit = np.full(len(out.rule), -1, np.int64)
    hit[alive] = found
    out.decide(hit >= 0, rule, hit)
