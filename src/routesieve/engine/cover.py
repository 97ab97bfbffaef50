"""Vectorised prefix look-ups: which entries cover which routes, and pair membership.

A prefix is held as three columns: ``version`` (4 or 6), ``hi`` (the top 64 bits of the
address, IPv4 addresses shifted to the top so that one shift works for both families)
and ``lo`` (the low 64 bits of an IPv6 address). An entry of length ``L <= 64`` covers a
route of length ``>= L`` when their top ``L`` bits agree, which is one shift and one
``searchsorted`` per distinct entry length. Entries longer than /64 are rare (no route
filter accepts them by default) and are matched in plain Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routesieve.columnar import PrefixArray
from routesieve.model import Prefix

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


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


def _keys(hi: U64, length: int) -> U64:
    if length == 0:
        return np.zeros(len(hi), np.uint64)
    return hi >> np.uint64(64 - length)


def _full_value(version: int, hi: int, lo: int) -> int:
    return (hi >> 32) if version == 4 else (hi << 64) | lo


class CoverIndex:
    """Entries (prefixes with their position in the source list) grouped for cover look-ups."""

    def __init__(self, cols: PrefixColumns) -> None:
        self.size = len(cols)
        self._short: dict[tuple[int, int], tuple[U64, I64]] = {}
        self._long: dict[tuple[int, int], dict[int, list[int]]] = {}
        ids = np.arange(len(cols), dtype=np.int64)
        for version in (4, 6):
            vmask = cols.version == version
            if not vmask.any():
                continue
            bits = 32 if version == 4 else 128
            for length in np.unique(cols.length[vmask]).tolist():
                sel = vmask & (cols.length == length)
                if length <= 64:
                    keys = _keys(cols.hi[sel], length)
                    order = np.argsort(keys, kind="stable")
                    self._short[(version, length)] = (keys[order], ids[sel][order])
                else:
                    table: dict[int, list[int]] = {}
                    for i in ids[sel].tolist():
                        value = _full_value(version, int(cols.hi[i]), int(cols.lo[i]))
                        table.setdefault(value >> (bits - length), []).append(i)
                    self._long[(version, length)] = table

    @staticmethod
    def of(prefixes: Sequence[Prefix]) -> CoverIndex:
        return CoverIndex(PrefixColumns.of(prefixes))

    def pairs(self, routes: PrefixColumns, exact: bool = False) -> tuple[I64, I64]:
        """Every (route index, entry index) where the entry covers (or, exact, equals) the route."""
        out_r: list[I64] = []
        out_e: list[I64] = []
        for (version, length), (keys, ids) in self._short.items():
            if exact:
                sel = np.flatnonzero((routes.version == version) & (routes.length == length))
            else:
                sel = np.flatnonzero((routes.version == version) & (routes.length >= length))
            if len(sel) == 0:
                continue
            q = _keys(routes.hi[sel], length)
            left = np.searchsorted(keys, q, "left")
            right = np.searchsorted(keys, q, "right")
            counts = right - left
            hit = counts > 0
            if not hit.any():
                continue
            sel, left, counts = sel[hit], left[hit], counts[hit]
            total = int(counts.sum())
            starts = np.repeat(np.cumsum(counts) - counts, counts)
            pos = np.repeat(left, counts) + (np.arange(total) - starts)
            out_r.append(np.repeat(sel, counts).astype(np.int64))
            out_e.append(ids[pos])
        for (version, length), table in self._long.items():
            bits = 32 if version == 4 else 128
            if exact:
                cand = np.flatnonzero((routes.version == version) & (routes.length == length))
            else:
                cand = np.flatnonzero((routes.version == version) & (routes.length >= length))
            rs: list[int] = []
            es: list[int] = []
            for r in cand.tolist():
                value = _full_value(version, int(routes.hi[r]), int(routes.lo[r]))
                for e in table.get(value >> (bits - length), ()):
                    rs.append(r)
                    es.append(e)
            if rs:
                out_r.append(np.array(rs, np.int64))
                out_e.append(np.array(es, np.int64))
        if not out_r:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(out_r), np.concatenate(out_e)


def first_hit(size: int, rid: I64, eid: I64) -> I64:
    """Per route, one entry index from the pairs (the last pair wins), or -1."""
    out = np.full(size, -1, np.int64)
    out[rid] = eid
    return out


class PairSet:
    """A set of (a, b) pairs of 32-bit numbers, tested in bulk."""

    def __init__(self, a: Sequence[int] | npt.NDArray[np.int64], b: Sequence[int] | I64) -> None:
        av = np.asarray(a, dtype=np.uint64)
        bv = np.asarray(b, dtype=np.uint64)
        self._keys = np.unique((av << np.uint64(32)) | bv)

    def __len__(self) -> int:
        return len(self._keys)

    def contains(self, a: I64, b: I64) -> Bools:
        if len(self._keys) == 0 or len(a) == 0:
            return np.zeros(len(a), np.bool_)
        ok = (a >= 0) & (b >= 0)
        q = (a.clip(0).astype(np.uint64) << np.uint64(32)) | b.clip(0).astype(np.uint64)
        pos = np.searchsorted(self._keys, q).clip(0, len(self._keys) - 1)
        found: Bools = ok & (self._keys[pos] == q)
        return found
