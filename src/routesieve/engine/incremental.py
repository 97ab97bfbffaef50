"""The verdicts of a running service, kept current change by change (no I/O, no clock).

``LiveEvaluation`` holds the received routes, the outside data and one verdict per merged
route. Each change re-decides only what it can affect, through the same ``decide`` as a
full run, on a small table of routes and the VRPs that cover them:

- a VRP added or removed: the routes whose prefix it covers;
- a route announced or withdrawn: its merged route;
- outside data other than VRPs replaced: every route of the peers it can affect (route
  objects by exact prefix; as-sets: the peers that use as-sets; anything else: all).

Rule 4.2 ties a peer's routes together: a route of another origin is accepted when one of
the peer's own prefixes accepted by 4.1 or 4.3 covers it. So a re-decided route of
another origin is decided together with the peer's own routes that cover it, and when a
route's standing as such a seed changes, the peer's routes it covers are re-decided too.
Decisions are per route otherwise, so the result equals a full ``evaluate`` of
``routes()`` against ``snapshot()``; the property test in
``tests/engine/test_incremental_matches_full.py`` checks that after every step.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import fields, replace

import numpy as np

from routesieve.engine.as_sets import RememberingCatalog
from routesieve.engine.changes import Applied, Key, Merged, VerdictChange, is_seed
from routesieve.engine.cover import CoverIndex, PrefixColumns
from routesieve.engine.evaluate import decide
from routesieve.engine.index import SnapshotIndex, build_index
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.model import Prefix, Route, Verdict, Vrp
from routesieve.policy import Policy
from routesieve.snapshot import Snapshot

_NOT_EVERYTHING = frozenset(("as_of", "vrps", "route_objects", "as_sets", "provenance"))
BULK = 3000  # above this many routes, re-decide against an index of every VRP


def _index(data: Snapshot, policy: Policy) -> SnapshotIndex:
    return replace(build_index(data, policy), as_sets=RememberingCatalog(data.as_sets))


class LiveEvaluation:
    """Routes, data and verdicts, updated in place; every method returns what changed."""

    def __init__(self, routes: Iterable[Route], snapshot: Snapshot, policy: Policy) -> None:
        self.policy = policy
        self._data = replace(snapshot, vrps=())
        self._base = _index(self._data, policy)
        self._seq = 0
        self._raw: dict[Route, tuple[int, Key]] = {}
        self._merged: dict[Key, Merged] = {}
        self._by_prefix: dict[Prefix, dict[Key, None]] = {}
        self._starts: dict[int, list[int]] = {4: [], 6: []}
        self._start_lengths: dict[tuple[int, int], Counter[int]] = {}
        self._route_lengths: Counter[tuple[int, int]] = Counter()
        self._by_peer: dict[int, dict[Key, None]] = {}
        self._vrps: dict[Vrp, int] = {}
        self._vrp_at: dict[Prefix, list[Vrp]] = {}
        self._vrp_lengths: Counter[tuple[int, int]] = Counter()
        self._full_vrp_index: SnapshotIndex | None = None
        self._bulk = False
        for v in snapshot.vrps:
            self._add_vrp(v)
        self._bulk = True  # no sorted inserts while loading: the starts are sorted once
        fresh: list[Key] = []
        for r in routes:
            k = self._add_route(r)
            if k is not None:
                fresh.append(k)
        self._bulk = False
        for version in (4, 6):
            self._starts[version] = sorted(v for (f, v) in self._start_lengths if f == version)
        # every route is decided here: no helper or dependent can be missing
        self._decide_once(dict.fromkeys(fresh), complete=True)

    # ---- what is held ----------------------------------------------------------------

    def routes(self) -> list[Route]:
        """Every received route, in the order they arrived."""
        return list(self._raw)

    def snapshot(self) -> Snapshot:
        """The outside data with the current VRPs."""
        return replace(self._data, vrps=tuple(self._vrps))

    def verdicts(self) -> list[Verdict]:
        """One verdict per merged route, in the order each was first received."""
        held = sorted(self._merged.values(), key=lambda m: self._raw[m.routes[0]][0])
        return [m.verdict for m in held if m.verdict is not None]

    def peer_verdicts(self, peer: int) -> list[Verdict]:
        keys = self._by_peer.get(peer, {})
        return [v for k in keys if (v := self._merged[k].verdict) is not None]

    def peers(self) -> list[int]:
        return sorted(self._by_peer)

    @property
    def vrp_count(self) -> int:
        return len(self._vrps)

    def __len__(self) -> int:
        return len(self._merged)

    # ---- changes ---------------------------------------------------------------------

    def add_vrps(self, vrps: Iterable[Vrp]) -> Applied:
        touched = [v.prefix for v in vrps if self._add_vrp(v)]
        return self._redecide_covered(touched)

    def remove_vrps(self, vrps: Iterable[Vrp]) -> Applied:
        touched = [v.prefix for v in vrps if self._remove_vrp(v)]
        return self._redecide_covered(touched)

    def set_vrps(self, vrps: Iterable[Vrp]) -> Applied:
        """Replace the whole VRP set (a file source): the difference is applied."""
        wanted = dict.fromkeys(vrps)
        gone = [v for v in self._vrps if v not in wanted]
        new = [v for v in wanted if v not in self._vrps]
        a = self.remove_vrps(gone)
        b = self.add_vrps(new)
        return a + b

    def announce(self, routes: Iterable[Route]) -> Applied:
        keys = [k for r in routes if (k := self._add_route(r)) is not None]
        return self._decide(dict.fromkeys(keys))

    def withdraw(self, routes: Iterable[Route]) -> Applied:
        """Take routes away; a merged route whose last route goes away loses its verdict."""
        keys: dict[Key, None] = {}
        for r in routes:
            k = self._remove_route(r)
            if k is not None:
                keys[k] = None
        gone: list[VerdictChange] = []
        seeds: list[Merged] = []
        still: dict[Key, None] = {}
        for k in keys:
            m = self._merged.get(k)
            if m is None:
                continue
            if m.routes:
                still[k] = None
                continue
            self._forget(m)
            gone.append(VerdictChange(m.peer, k, m.verdict, None))
            if is_seed(m.verdict):
                seeds.append(m)
        dependents = self._dependents(seeds, exclude=still)
        applied = self._decide({**still, **dependents})
        return Applied(len(gone), tuple(gone)) + applied

    def replace_routes(self, routes: Iterable[Route]) -> Applied:
        """Make the held routes equal ``routes`` (a full poll of a router)."""
        wanted = dict.fromkeys(routes)
        a = self.withdraw([r for r in self._raw if r not in wanted])
        b = self.announce([r for r in wanted if r not in self._raw])
        return a + b

    def replace_data(self, snapshot: Snapshot, peers: Iterable[int] | None = None) -> Applied:
        """New outside data other than VRPs (``snapshot.vrps`` is ignored): re-decide
        ``peers``, or the peers the difference can affect when None."""
        new = replace(snapshot, vrps=())
        if peers is None:
            peers = self._peers_affected(self._data, new)
        self._data = new
        self._base = _index(new, self.policy)
        self._full_vrp_index = None
        keys: dict[Key, None] = {}
        for p in peers:
            keys.update(self._by_peer.get(p, {}))
        return self._decide(keys)

    # ---- bookkeeping -----------------------------------------------------------------

    def _key(self, r: Route) -> tuple[Key, int]:
        first = r.as_path.first
        peer = r.peer_asn
        if r.session in self.policy.route_server_sessions and first is not None:
            peer = first
        if r.prefix is None or r.problem is not None:
            return ("malformed", self._seq + 1), peer
        return (peer, r.prefix, r.as_path.segments), peer

    def _add_route(self, r: Route) -> Key | None:
        if r in self._raw:
            return None
        key, peer = self._key(r)
        self._seq += 1
        self._raw[r] = (self._seq, key)
        m = self._merged.get(key)
        if m is None:
            prefix = r.prefix  # a malformed route with a prefix still gets its RPKI state
            m = self._merged[key] = Merged(key, peer, prefix, r.as_path.origin)
            self._by_peer.setdefault(peer, {})[key] = None
            if prefix is not None:
                self._index_prefix(prefix, key)
        m.routes.append(r)
        return key

    def _remove_route(self, r: Route) -> Key | None:
        held = self._raw.pop(r, None)
        if held is None:
            return None
        key = held[1]
        self._merged[key].routes.remove(r)
        return key

    def _forget(self, m: Merged) -> None:
        del self._merged[m.key]
        peer_keys = self._by_peer[m.peer]
        del peer_keys[m.key]
        if not peer_keys:
            del self._by_peer[m.peer]
        if m.prefix is not None:
            self._unindex_prefix(m.prefix, m.key)

    def _index_prefix(self, p: Prefix, key: Key) -> None:
        at = self._by_prefix.get(p)
        if at is None:
            at = self._by_prefix[p] = {}
            lengths = self._start_lengths.get((p.version, p.value))
            if lengths is None:
                lengths = self._start_lengths[(p.version, p.value)] = Counter()
                if not self._bulk:
                    insort(self._starts[p.version], p.value)
            lengths[p.length] += 1
            self._route_lengths[(p.version, p.length)] += 1
        at[key] = None

    def _unindex_prefix(self, p: Prefix, key: Key) -> None:
        at = self._by_prefix[p]
        del at[key]
        if at:
            return
        del self._by_prefix[p]
        lengths = self._start_lengths[(p.version, p.value)]
        lengths[p.length] -= 1
        if not lengths[p.length]:
            del lengths[p.length]
        if not lengths:
            del self._start_lengths[(p.version, p.value)]
            starts = self._starts[p.version]
            del starts[bisect_left(starts, p.value)]
        self._route_lengths[(p.version, p.length)] -= 1
        if not self._route_lengths[(p.version, p.length)]:
            del self._route_lengths[(p.version, p.length)]

    def _add_vrp(self, v: Vrp) -> bool:
        if v in self._vrps or (v.expires is not None and v.expires < self._data.as_of):
            return False
        self._seq += 1
        self._vrps[v] = self._seq
        self._vrp_at.setdefault(v.prefix, []).append(v)
        self._vrp_lengths[(v.prefix.version, v.prefix.length)] += 1
        self._full_vrp_index = None
        return True

    def _remove_vrp(self, v: Vrp) -> bool:
        if self._vrps.pop(v, None) is None:
            return False
        at = self._vrp_at[v.prefix]
        at.remove(v)
        if not at:
            del self._vrp_at[v.prefix]
        lk = (v.prefix.version, v.prefix.length)
        self._vrp_lengths[lk] -= 1
        if not self._vrp_lengths[lk]:
            del self._vrp_lengths[lk]
        self._full_vrp_index = None
        return True

    # ---- look-ups --------------------------------------------------------------------

    def _covered(self, p: Prefix) -> list[Key]:
        """Merged routes whose prefix is ``p`` or inside it."""
        starts = self._starts[p.version]
        lo, hi = bisect_left(starts, p.value), bisect_right(starts, p.last)
        out: list[Key] = []
        for value in starts[lo:hi]:
            for length in self._start_lengths[(p.version, value)]:
                if length >= p.length:
                    out.extend(self._by_prefix[Prefix(p.version, value, length)])
        return out

    def _covering(self, p: Prefix) -> list[Key]:
        """Merged routes whose prefix is ``p`` or covers it."""
        out: list[Key] = []
        for version, length in self._route_lengths:
            if version == p.version and length <= p.length:
                at = self._by_prefix.get(Prefix.from_address(version, p.value, length))
                if at:
                    out.extend(at)
        return out

    def _vrps_covering(self, prefixes: Iterable[Prefix]) -> list[Vrp]:
        found: dict[Vrp, int] = {}
        lengths = list(self._vrp_lengths)
        for p in prefixes:
            for version, length in lengths:
                if version == p.version and length <= p.length:
                    for v in self._vrp_at.get(Prefix.from_address(version, p.value, length), ()):
                        found[v] = self._vrps[v]
        return sorted(found, key=found.__getitem__)

    def _index_with(self, vrps: Sequence[Vrp]) -> SnapshotIndex:
        return replace(
            self._base,
            vrps=vrps,
            vrp_cover=CoverIndex(PrefixColumns.of([v.prefix for v in vrps])),
            vrp_asn=np.fromiter((v.asn for v in vrps), np.int64, len(vrps)),
            vrp_max=np.fromiter((v.max_length for v in vrps), np.int64, len(vrps)),
        )

    def _dependents(self, seeds: Iterable[Merged], exclude: dict[Key, None]) -> dict[Key, None]:
        """The peer's routes of another origin inside each seed's prefix."""
        out: dict[Key, None] = {}
        for s in seeds:
            if s.prefix is None:
                continue
            for k in self._covered(s.prefix):
                m = self._merged[k]
                if m.peer == s.peer and not m.own() and k not in exclude:
                    out[k] = None
        return out

    def _peers_affected(self, old: Snapshot, new: Snapshot) -> set[int]:
        # every data set but VRPs (kept here), IRR (below) and the provenance can touch
        # any route
        everything = [f.name for f in fields(Snapshot) if f.name not in _NOT_EVERYTHING]
        if any(getattr(old, name) != getattr(new, name) for name in everything):
            return set(self._by_peer)
        peers: set[int] = set()
        if old.as_sets != new.as_sets:
            peers |= {p for p, pp in self.policy.peers.items() if pp.as_sets}
        if old.route_objects != new.route_objects:
            changed = set(old.route_objects) ^ set(new.route_objects)
            for prefix in {o.prefix for o in changed}:
                peers |= {self._merged[k].peer for k in self._by_prefix.get(prefix, {})}
        return peers & set(self._by_peer)

    # ---- deciding --------------------------------------------------------------------

    def _redecide_covered(self, prefixes: list[Prefix]) -> Applied:
        keys: dict[Key, None] = {}
        for p in prefixes:
            keys.update(dict.fromkeys(self._covered(p)))
        return self._decide(keys)

    def _decide(self, keys: dict[Key, None]) -> Applied:
        first = self._decide_once(keys)
        seeds = [
            self._merged[c.key] for c in first.changes if is_seed(c.before) != is_seed(c.after)
        ]
        dependents = self._dependents(seeds, exclude=keys)
        if not dependents:
            return first
        return first + self._decide_once(dependents)

    def _decide_once(self, keys: dict[Key, None], complete: bool = False) -> Applied:
        chosen = {k: None for k in keys if k in self._merged}
        if not chosen:
            return Applied(0, ())
        helpers: dict[Key, None] = {}
        for k in () if complete else chosen:
            m = self._merged[k]
            if m.prefix is not None and not m.own() and m.origin is not None:
                for c in self._covering(m.prefix):
                    h = self._merged[c]
                    if h.peer == m.peer and h.own() and c not in chosen:
                        helpers[c] = None
        merged = [self._merged[k] for k in (*chosen, *helpers)]
        merged.sort(key=lambda m: self._raw[m.routes[0]][0])
        routes = [r for m in merged for r in m.routes]
        if len(routes) > BULK:
            if self._full_vrp_index is None:
                self._full_vrp_index = self._index_with(list(self._vrps))
            index = self._full_vrp_index
        else:
            index = self._index_with(self._vrps_covering({m.prefix for m in merged if m.prefix}))
        d = decide(routes, self._data, self.policy, index)
        build = VerdictBuilder(d)
        changes: list[VerdictChange] = []
        for row, r in enumerate(d.table.first):
            key = self._raw[r][1]
            if key not in chosen:
                continue
            m = self._merged[key]
            after = build(row)
            if after != m.verdict:
                changes.append(VerdictChange(m.peer, key, m.verdict, after))
                m.verdict = after
        return Applied(len(chosen), tuple(changes))
