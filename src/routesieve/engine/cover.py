"""Vectorised prefix look-ups: which entries cover which routes (pair membership, the
other bulk test the rules make, is :mod:`routesieve.engine.pairs`).

A prefix is held as three columns: ``version`` (4 or 6), ``hi`` (the top 64 bits of the
address, IPv4 addresses shifted to the top so that one mask works for both families)
and ``lo`` (the low 64 bits of an IPv6 address).

CIDR prefixes nest or are disjoint (a laminar family), so the distinct entry prefixes of
one family form a forest. :class:`CoverIndex` keeps them sorted by (address, length),
which is the forest's pre-order, each with its parent (the nearest covering entry
prefix) and its entries (equal prefixes) as a CSR group. One ``searchsorted`` of a route
lands on the last node at or before it in that order; every entry prefix that covers
the route is that node or one of its ancestors, so a few vectorised parent steps reach
the deepest covering node, and further parent steps walk the covering chain outwards.
Entries longer than /64 (IPv6 only) are rare (no route filter accepts them by default)
and are matched in plain Python.

A look-up answers, per route, the entry that the rules cite: among the entries that
cover the route (or equal it) and pass a test, the one of the deepest prefix, and of
equal prefixes the one listed last (the highest entry index).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routesieve.columnar import PrefixArray
from routesieve.engine.forest import MASK, Forest, full_value
from routesieve.model import Prefix

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
# a test of (route index, entry index) pairs, in bulk; None accepts every entry
Test = Callable[[I64, I64], Bools] | None


@dataclass(frozen=True)
class PrefixColumns:
    version: npt.NDArray[np.uint8]
    hi: U64
    lo: U64
    length: npt.NDArray[np.int16]

    def __len__(self) -> int:
        return len(self.length)

    @staticmethod
    def of(prefixes: Sequence[Prefix]) -> PrefixColumns:
        if isinstance(prefixes, PrefixArray):
            return PrefixColumns.of_array(prefixes)
        return PrefixColumns.of_array(PrefixArray.of(prefixes))

    @staticmethod
    def of_array(prefixes: PrefixArray) -> PrefixColumns:
        """The columns of a column-backed prefix table, without a loop over its items."""
        return PrefixColumns(
            prefixes.version, prefixes.hi, prefixes.lo, prefixes.length.astype(np.int16)
        )

    def take(self, idx: I64) -> PrefixColumns:
        return PrefixColumns(self.version[idx], self.hi[idx], self.lo[idx], self.length[idx])


class CoverIndex:
    """Entries (prefixes with their position in the source list) for cover look-ups.
    ``keep`` leaves out the entries where it is false (expired VRPs): the others keep
    their positions, so a table's columns are indexed as they are, not copied."""

    def __init__(self, cols: PrefixColumns, keep: Bools | None = None) -> None:
        self.size = len(cols) if keep is None else int(np.count_nonzero(keep))
        self._forest: dict[int, Forest] = {}
        self._long: dict[int, dict[int, list[int]]] = {}  # IPv6 length > 64
        for version, bits in ((4, 32), (6, 128)):
            vmask = cols.version == version
            if keep is not None:
                vmask &= keep
            if not vmask.any():
                continue
            short = vmask & (cols.length <= 64)
            ids = np.flatnonzero(short).astype(np.int64)
            if len(ids):
                self._forest[version] = Forest.build(cols.hi[ids], cols.length[ids], ids, bits)
            for i in np.flatnonzero(vmask & (cols.length > 64)).tolist():
                length = int(cols.length[i])
                value = full_value(version, int(cols.hi[i]), int(cols.lo[i]))
                self._long.setdefault(length, {}).setdefault(value >> (bits - length), []).append(i)
        self._long = dict(sorted(self._long.items(), reverse=True))  # deepest first

    @property
    def nodes(self) -> int:
        """How many distinct prefixes of at most /64 the index holds."""
        return sum(map(len, self._forest.values()))

    @staticmethod
    def of(prefixes: Sequence[Prefix]) -> CoverIndex:
        return CoverIndex(PrefixColumns.of(prefixes))

    def find(
        self,
        routes: PrefixColumns,
        tests: Sequence[Test] = (None,),
        *,
        exact: bool = False,
        deepest_only: bool = False,
    ) -> list[I64]:
        """Per test, per route: the entry the rules cite, or -1.

        That is, of the entries that cover the route (``exact``: equal it) and pass the
        test, one of the deepest prefix, and of those the highest entry index.
        ``deepest_only`` looks at the deepest covering prefix alone, pass or fail.
        """
        n = len(routes)
        found = [np.full(n, -1, np.int64) for _ in tests]
        if self.size == 0 or n == 0:
            return found
        done = np.zeros(n, np.bool_)  # long entries settled the row
        if self._long:
            self._find_long(routes, tests, found, done, exact, deepest_only)
        for version, forest in self._forest.items():
            rows = np.flatnonzero((routes.version == version) & ~done)
            if exact:
                rows = rows[routes.length[rows] <= 64]
            if len(rows) == 0:
                continue
            node = _nodes(forest, routes.hi[rows], routes.length[rows], exact)
            _walk(forest, rows, node, tests, found, exact or deepest_only, not self._long)
        return found

    def find_in_order(self, routes: PrefixColumns, rows: I64) -> I64 | None:
        """``find`` with no test for ``rows`` of ``routes`` sorted by ``hi`` (a route
        table), in ``rows``' order: each node's routes are one run of the sorted
        addresses, found by two searches per node, so an index of few ``nodes`` costs
        next to nothing per route. None when the index has entries longer than /64
        (then ``find`` it is)."""
        if self._long:
            return None
        found = np.full(len(routes), -1, np.int64)
        wanted = np.zeros(len(routes), np.bool_)
        wanted[rows] = True
        for version, forest in self._forest.items():
            rid, node = covered_in_order(routes, forest.hi, forest.length, version)
            keep = wanted[rid]
            # nodes come in pre-order, a deeper node after those that cover it: a
            # route's last node is its deepest, and the last entry its highest
            by_route = np.argsort(rid[keep], kind="stable")
            rid, node = rid[keep][by_route], node[keep][by_route]
            _keep_last(found, rid, forest.members[forest.start[node + 1] - 1].astype(np.int64))
        return found[rows]

    def pairs(self, routes: PrefixColumns, exact: bool = False) -> tuple[I64, I64]:
        """Every (route index, entry index) where the entry covers (or, exact, equals) the
        route: the whole covering chain of each route, for ``explain`` and tests."""
        out_r: list[I64] = []
        out_e: list[I64] = []
        for version, forest in self._forest.items():
            rows = np.flatnonzero(routes.version == version)
            if exact:
                rows = rows[routes.length[rows] <= 64]
            hi, length = routes.hi[rows], routes.length[rows]
            node = forest.exact(hi, length) if exact else forest.deepest(hi, length)
            while len(rows):
                keep = node >= 0
                rows, node = rows[keep], node[keep]
                rid, eid = _expand(forest, rows, node)
                out_r.append(rid)
                out_e.append(eid)
                node = np.full(len(node), -1, np.int64) if exact else forest.parent_of(node)
        for long, table in self._long.items():
            rows = np.flatnonzero((routes.version == 6) & (routes.length >= long))
            if exact:
                rows = rows[routes.length[rows] == long]
            for r in rows.tolist():
                value = full_value(6, int(routes.hi[r]), int(routes.lo[r]))
                hit = table.get(value >> (128 - long), [])
                out_r.append(np.full(len(hit), r, np.int64))
                out_e.append(np.array(hit, np.int64))
        if not out_r:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(out_r), np.concatenate(out_e)

    def _find_long(
        self,
        routes: PrefixColumns,
        tests: Sequence[Test],
        found: list[I64],
        done: Bools,
        exact: bool,
        deepest_only: bool,
    ) -> None:
        """Entries longer than /64, matched per route in Python (they are rare)."""
        cand = np.flatnonzero((routes.version == 6) & (routes.length > 64))
        if len(cand) == 0:
            return
        rs: list[int] = []
        es: list[int] = []
        ls: list[int] = []
        for r in cand.tolist():
            rlen = int(routes.length[r])
            value = full_value(6, int(routes.hi[r]), int(routes.lo[r]))
            for length, table in self._long.items():  # deepest first
                if length > rlen or (exact and length != rlen):
                    continue
                hit = table.get(value >> (128 - length))
                if hit:
                    rs.extend([r] * len(hit))
                    es.extend(hit)
                    ls.extend([length] * len(hit))
                    if deepest_only:
                        break
        if not rs:
            return
        rid, eid, lens = np.array(rs, np.int64), np.array(es, np.int64), np.array(ls, np.int64)
        order = np.lexsort((eid, lens, rid))  # by row, then shallow to deep, ids ascending
        rid, eid = rid[order], eid[order]
        for k, test in enumerate(tests):
            ok = np.ones(len(rid), np.bool_) if test is None else test(rid, eid)
            _keep_last(found[k], rid[ok], eid[ok])
        if deepest_only:
            done[rid] = True
        else:
            done |= _all_found(found)


def covered_in_order(
    routes: PrefixColumns, hi: U64, length: npt.NDArray[np.int16], version: int
) -> tuple[I64, I64]:
    """Every (route, entry) where the entry (of ``version``, at most /64, ``hi``
    masked to its length) covers the route, for routes sorted by ``hi``: each entry's
    routes are one run of the sorted addresses. Pairs come entry by entry, in the
    entries' order, each entry's routes ascending."""
    hi = hi & MASK[length]
    end = hi | ~MASK[length]
    first = np.searchsorted(routes.hi, hi, "left").astype(np.int64)
    counts = np.searchsorted(routes.hi, end, "right").astype(np.int64) - first
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    eid = np.repeat(np.arange(len(hi), dtype=np.int64), counts)
    rid = np.arange(total, dtype=np.int64) + np.repeat(first - (np.cumsum(counts) - counts), counts)
    ok = (routes.version[rid] == version) & (routes.length[rid] >= length[eid])
    return rid[ok], eid[ok]


def find_in_order(routes: PrefixColumns, entries: PrefixColumns, test: Test) -> I64 | None:
    """``CoverIndex(entries).find(routes, (test,))`` for routes sorted by ``hi`` (a route
    table), with pairs found as runs of the sorted routes: quick for a few entries.
    None when an entry is longer than /64."""
    found = np.full(len(routes), -1, np.int64)
    if len(entries) == 0 or len(routes) == 0:
        return found
    if int(entries.length.max()) > 64:
        return None
    rids: list[I64] = []
    eids: list[I64] = []
    for version in (4, 6):
        sel = np.flatnonzero(entries.version == version)
        if len(sel):
            rid, k = covered_in_order(routes, entries.hi[sel], entries.length[sel], version)
            eid = sel[k]
            ok = np.ones(len(rid), np.bool_) if test is None else test(rid, eid)
            rids.append(rid[ok])
            eids.append(eid[ok])
    rid, eid = np.concatenate(rids), np.concatenate(eids)
    # per route, the deepest entry, then the highest entry index, last
    order = np.lexsort((eid, entries.length[eid], rid))
    _keep_last(found, rid[order], eid[order])
    return found


def run_starts(prefixes: PrefixColumns, *keys: npt.NDArray[np.integer]) -> Bools:
    """Whether each row differs from the row before it in prefix or in any of ``keys``:
    true on the first row of each run of equal rows (in a table sorted by address, most rows
    of one prefix follow each other)."""
    n = len(prefixes)
    new = np.ones(n, np.bool_)
    if n > 1:
        same = prefixes.hi[1:] == prefixes.hi[:-1]
        same &= prefixes.lo[1:] == prefixes.lo[:-1]
        same &= prefixes.length[1:] == prefixes.length[:-1]
        same &= prefixes.version[1:] == prefixes.version[:-1]
        for key in keys:
            same &= key[1:] == key[:-1]
        new[1:] = ~same
    return new


def _nodes(forest: Forest, hi: U64, length: npt.NDArray[np.int16], exact: bool) -> I64:
    """Per route, the node equal to it (``exact``) or its deepest covering node, searched
    once per run of equal routes (a route table's rows of one prefix from several
    peers mostly follow each other)."""
    new = np.ones(len(hi), np.bool_)
    new[1:] = (hi[1:] != hi[:-1]) | (length[1:] != length[:-1])
    lead = np.flatnonzero(new)
    if len(lead) * 8 > len(hi) * 7:  # few runs: not worth the copies
        return forest.exact(hi, length) if exact else forest.deepest(hi, length)
    hi, length = hi[lead], length[lead]
    node = forest.exact(hi, length) if exact else forest.deepest(hi, length)
    found: I64 = node[np.cumsum(new) - 1]
    return found


def _keep_last(col: I64, rid: I64, eid: I64) -> None:
    """Write each row's last pair (``rid`` holds each row's pairs together)."""
    if len(rid):
        last = np.ones(len(rid), np.bool_)
        last[:-1] = rid[1:] != rid[:-1]
        col[rid[last]] = eid[last]


def _all_found(found: list[I64]) -> Bools:
    every: Bools = np.logical_and.reduce([f >= 0 for f in found])
    return every


def _expand(forest: Forest, rows: I64, node: I64) -> tuple[I64, I64]:
    """(row, entry) for every entry of each row's node, a row's entries together."""
    if len(rows) == 0:
        return rows, rows
    first = forest.start[node]
    counts = forest.start[node + 1] - first
    if int(counts.max()) == 1:
        return rows, forest.members[first].astype(np.int64)
    total = int(counts.sum())
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    pos = np.repeat(first, counts) + (np.arange(total) - offsets)
    return np.repeat(rows, counts), forest.members[pos].astype(np.int64)


def _walk(
    forest: Forest,
    rows: I64,
    node: I64,
    tests: Sequence[Test],
    found: list[I64],
    one: bool,
    fresh: bool,
) -> None:
    """From each row's deepest covering node outwards, until every test has its entry
    (or, ``one``, at that node only): at each node, the last passing entry of its group.
    ``fresh``: no test has an entry for ``rows`` yet."""
    keep = node >= 0
    rows, node = rows[keep], node[keep]
    while len(rows):
        rid, eid = _expand(forest, rows, node)
        single = len(rid) == len(rows)  # one entry a node: a pair a row
        pending = np.zeros(len(rows), np.bool_)
        for k, test in enumerate(tests):
            col = found[k]
            if fresh:
                ok = None if test is None else test(rid, eid)
                r, e = (rid, eid) if ok is None else (rid[ok], eid[ok])
            else:
                sel = np.flatnonzero(col[rid] < 0)
                if test is not None and len(sel):
                    sel = sel[test(rid[sel], eid[sel])]
                r, e = rid[sel], eid[sel]
            if single:
                col[r] = e
            else:  # each row's pairs are together, ids ascending: the last is the highest
                _keep_last(col, r, e)
            pending |= col[rows] < 0
        if one:
            return
        fresh = False
        rows, node = rows[pending], forest.parent_of(node[pending])
        keep = node >= 0
        rows, node = rows[keep], node[keep]
