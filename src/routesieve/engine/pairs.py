"""Pair membership in bulk: is (a, b) one of a set of pairs of 32-bit numbers, for many
pairs at once (a peer and an origin in the IRR policy, a peer and a handle code in the
handle walks). The pairs are kept as sorted 64-bit keys and searched with
``searchsorted``; a subset for a few first numbers (:meth:`PairSet.only`) also keeps a
table of its second numbers, so that most misses cost no search."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# a subset (``PairSet.only``) keeps a table of its second numbers below this
_SEEN_LIMIT = 1 << 24


class PairSet:
    """A set of (a, b) pairs of 32-bit numbers, tested in bulk."""

    def __init__(self, a: Sequence[int] | npt.NDArray[np.int64], b: Sequence[int] | I64) -> None:
        av = np.asarray(a, dtype=np.uint64)
        bv = np.asarray(b, dtype=np.uint64)
        self._keys = np.unique((av << np.uint64(32)) | bv)
        # which second numbers some pair holds (a subset of a few first numbers: see only)
        self._seen: Bools | None = None

    def __len__(self) -> int:
        return len(self._keys)

    def only(self, a: npt.NDArray[np.integer]) -> PairSet:
        """The pairs whose first number is one of ``a`` (sorted, distinct): a smaller set
        to search when the queries have few first numbers (the peers of a table)."""
        a = np.asarray(a, np.int64)
        a = a[(a >= 0) & (a < 1 << 32)].astype(np.uint64) << np.uint64(32)
        first = np.searchsorted(self._keys, a, "left")
        # the last key of a first number is a | 0xFFFFFFFF (a + 2**32 would wrap for the
        # largest one, AS 4294967295)
        counts = np.searchsorted(self._keys, a | np.uint64(0xFFFFFFFF), "right") - first
        total = int(counts.sum())
        pos = np.repeat(first - (np.cumsum(counts) - counts), counts) + np.arange(total)
        subset = PairSet((), ())
        subset._keys = self._keys[pos]
        seconds = subset._keys & np.uint64(0xFFFFFFFF)
        if len(seconds) and int(seconds.max()) < _SEEN_LIMIT:  # codes, not AS numbers
            subset._seen = np.zeros(int(seconds.max()) + 1, np.bool_)
            subset._seen[seconds.astype(np.int64)] = True
        return subset

    def contains(self, a: npt.NDArray[np.integer], b: npt.NDArray[np.integer]) -> Bools:
        if len(self._keys) == 0 or len(a) == 0:
            return np.zeros(len(a), np.bool_)
        a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
        if self._seen is not None:  # most pairs fail on a second number no pair holds
            seen = self._seen
            inside = (b >= 0) & (b < len(seen))
            inside &= seen[np.clip(b, 0, len(seen) - 1)]
            maybe = np.flatnonzero(inside)
            if len(maybe) < len(a):
                out = np.zeros(len(a), np.bool_)
                out[maybe] = self._search(a[maybe], b[maybe])
                return out
        return self._search(a, b)

    def _search(self, a: npt.NDArray[np.integer], b: npt.NDArray[np.integer]) -> Bools:
        if len(a) == 0:
            return np.zeros(0, np.bool_)
        if int(a.min()) >= 0 and int(b.min()) >= 0:  # as usual: no -1 to leave out
            q = (a.view(np.uint64) << np.uint64(32)) | b.view(np.uint64)
            pos = np.searchsorted(self._keys, q)
            pos[pos == len(self._keys)] = 0
            found: Bools = self._keys[pos] == q
            return found
        ok = (a >= 0) & (b >= 0)
        q = (a.clip(0).astype(np.uint64) << np.uint64(32)) | b.clip(0).astype(np.uint64)
        pos = np.searchsorted(self._keys, q).clip(0, len(self._keys) - 1)
        found = ok & (self._keys[pos] == q)
        return found
