"""The forest of one family's entry prefixes: the structure behind ``CoverIndex``.

Distinct entry prefixes sorted by (address, length) are the forest's pre-order; each
node keeps its parent (the nearest covering node) and its entries (equal prefixes) as a
CSR group. A ``searchsorted`` lands on the last node at or before a route, and parent
steps reach the deepest node that covers it (:meth:`Forest.deepest`); exact matches of
prefixes up to /57 compare one packed 64-bit key.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
Bools = npt.NDArray[np.bool_]

# MASK[L]: the top L of 64 bits set
MASK = np.array(
    [0] + [((1 << 64) - 1) ^ ((1 << (64 - n)) - 1) for n in range(1, 65)], dtype=np.uint64
)
_PACKED = 57  # a prefix of up to 57 bits leaves 7 bits for its length
_LENGTH_BITS = np.uint64(127)  # where a packed key holds the length
# an IPv4 forest sorts (address, length, entry) packed in one 64-bit integer
_ID_BITS = 26
_ID_SHIFT = np.uint64(_ID_BITS)
_ID_MASK = np.uint64((1 << _ID_BITS) - 1)


def full_value(version: int, hi: int, lo: int) -> int:
    return (hi >> 32) if version == 4 else (hi << 64) | lo


class Forest:
    """The distinct entry prefixes (of at most 64 bits) of one family, in pre-order.

    ``start``: node k's entries are ``members[start[k]:start[k + 1]]``, ascending.
    ``parent`` (the nearest covering node, or -1) is computed when first needed: an
    index asked only for exact matches (route objects) never needs it. Node numbers and
    entry numbers are int32 (an index holds fewer than 2**31 entries).

    While every length fits in the bits below its prefix (always for IPv4), a node is
    held as one sortable integer, ``key`` (address | length), and its address ``hi`` is
    made from it when asked for; otherwise ``hi`` is held and ``key`` is None. A node's
    last address is made from both where a search needs it, not held.
    """

    def __init__(self, hi: U64, length: npt.NDArray[np.int16], start: I32, members: I32) -> None:
        self.length = length
        self.start = start
        self.members = members
        packed = int(length.max()) <= _PACKED
        self.key: U64 | None = hi | length.astype(np.uint64) if packed else None
        self._hi: U64 | None = None if packed else hi  # masked to the length

    @property
    def hi(self) -> U64:
        """The address of each node (top 64 bits, masked to its length)."""
        if self._hi is not None:
            return self._hi
        assert self.key is not None
        hi: U64 = self.key & ~_LENGTH_BITS
        return hi

    def _hi_of(self, node: I64 | I32) -> U64:
        if self._hi is not None:
            found: U64 = self._hi[node]
            return found
        assert self.key is not None
        return self.key[node] & ~_LENGTH_BITS

    @functools.cached_property
    def parent(self) -> I32:
        return _parents(self.hi, self.length)

    def parent_of(self, node: I64 | I32) -> I64:
        """The parent of each of ``node``. For a few nodes of a large forest (the IPv4
        VRPs asked for a handful of IPv4 routes) each parent is looked up by its
        address at every shorter length, so that the whole ``parent`` column is not
        computed for them."""
        if "parent" in self.__dict__ or self.key is None or len(node) * 16 > len(self):
            found: I64 = self.parent[node].astype(np.int64)
            return found
        return self._probe_parents(node)

    @functools.cached_property
    def _lengths(self) -> list[int]:
        """The lengths of the nodes, longest first."""
        lengths: list[int] = np.unique(self.length)[::-1].tolist()
        return lengths

    def _probe_parents(self, node: I64 | I32) -> I64:
        assert self.key is not None
        out = np.full(len(node), -1, np.int64)
        hi, length = self._hi_of(node), self.length[node]
        todo = np.arange(len(node))  # no parent found yet
        for shorter in self._lengths:  # longest first: the first found is the parent
            if len(todo) == 0:
                break
            asked = length[todo] > shorter
            sel = todo[asked]
            query = (hi[sel] & MASK[shorter]) | np.uint64(shorter)
            pos = np.searchsorted(self.key, query)
            pos[pos == len(self.key)] = 0
            hit = self.key[pos] == query
            out[sel[hit]] = pos[hit]
            asked[asked] = hit
            todo = todo[~asked]
        return out

    @staticmethod
    def build(hi: U64, length: npt.NDArray[np.int16], ids: I64, bits: int) -> Forest:
        hi = hi & MASK[length]
        if bits == 32 and (len(ids) == 0 or int(ids.max()) < 1 << _ID_BITS):
            # address, length and entry in one integer: a plain sort, no argsort
            key = (((hi >> np.uint64(26)) | length.astype(np.uint64)) << _ID_SHIFT) | ids.astype(
                np.uint64
            )
            key.sort()
            members = (key & _ID_MASK).astype(np.int32)
            key >>= _ID_SHIFT
            shi, slen = (
                (key >> np.uint64(6)) << np.uint64(32),
                (key & np.uint64(63)).astype(np.int16),
            )
        else:
            if int(length.max()) <= _PACKED:  # the length fits in the bits below the prefix
                order = np.argsort(hi | length.astype(np.uint64), kind="stable")
            else:
                order = np.lexsort((length, hi))
            shi, slen, members = hi[order], length[order], ids[order].astype(np.int32)
        new = np.ones(len(members), np.bool_)
        new[1:] = (shi[1:] != shi[:-1]) | (slen[1:] != slen[:-1])
        first = np.flatnonzero(new)
        start = np.append(first, len(members)).astype(np.int32)
        nhi, nlen = shi[first], slen[first]
        return Forest(nhi, nlen, start, members)

    def __len__(self) -> int:
        return len(self.length)

    def covers(self, node: I64 | I32, hi: U64, length: npt.NDArray[np.int16]) -> Bools:
        """Whether each node covers its route, for nodes at or before the route in the
        pre-order (a node found by the search, or an ancestor of one): such a node starts
        at or before the route, so it covers it when the route starts before its end."""
        node_length = self.length[node]
        end = self._hi_of(node) | ~MASK[node_length]
        found: Bools = (hi <= end) & (node_length <= length)
        return found

    def exact(self, hi: U64, length: npt.NDArray[np.int16]) -> I64:
        """Per route, the node equal to it, or -1."""
        if self.key is None:
            return self._exact_stepping(hi & MASK[length], length)
        query = hi | length.astype(np.uint64)
        node = np.searchsorted(self.key, query, "left").astype(np.int64)
        node[node == len(self.key)] = 0
        node[(self.key[node] != query) | (length > _PACKED)] = -1
        return node

    def _exact_stepping(self, hi: U64, length: npt.NDArray[np.int16]) -> I64:
        """``exact`` when the lengths do not fit below the addresses: the first node of
        the route's address, then forward over that address's shorter nodes (nodes are
        sorted by address, then length; an address has a few lengths at most)."""
        nodes = self.hi
        m = len(nodes)
        out = np.full(len(hi), -1, np.int64)
        pos = np.searchsorted(nodes, hi, "left").astype(np.int64)
        todo = np.flatnonzero(pos < m)
        while len(todo):
            at = pos[todo]
            same = nodes[at] == hi[todo]
            todo, at = todo[same], at[same]
            nlen, want = self.length[at], length[todo]
            hit = nlen == want
            out[todo[hit]] = at[hit]
            shorter = nlen < want
            todo, at = todo[shorter], at[shorter] + 1
            inside = at < m
            todo = todo[inside]
            pos[todo] = at[inside]
        return out

    def deepest(self, hi: U64, length: npt.NDArray[np.int16]) -> I64:
        """Per route, the deepest node that covers it, or -1."""
        if self.key is not None:  # a node's key is at most its address | the length bits
            node = np.searchsorted(self.key, hi | _LENGTH_BITS, "right").astype(np.int64) - 1
        else:
            node = np.searchsorted(self.hi, hi, "right").astype(np.int64) - 1
        todo = np.flatnonzero(node >= 0)
        while len(todo):
            cur = node[todo]
            miss = ~self.covers(cur, hi[todo], length[todo])
            todo = todo[miss]
            node[todo] = up = self.parent_of(cur[miss])
            todo = todo[up >= 0]
        return node


def _parents(hi: U64, length: npt.NDArray[np.int16]) -> I32:
    """The parent of each node of a pre-ordered laminar family, level by level.

    Subtrees that do not nest are ordered by address, so a node is at the current level
    exactly when it starts after the running maximum of the ends of the nodes before it
    that are not yet placed (those placed are its ancestors). Its parent is the last node
    of the level above that precedes it. Real data nests a few levels deep.
    """
    n = len(hi)
    parent = np.full(n, -1, np.int32)
    end = hi | ~MASK[length]
    rest = np.arange(n, dtype=np.int64)  # the nodes not placed yet, in pre-order
    above: I64 | None = None
    while len(rest):
        reach = np.maximum.accumulate(end[rest])
        top = np.ones(len(rest), np.bool_)
        top[1:] = hi[rest[1:]] > reach[:-1]
        level = rest[top]
        if above is not None:
            if len(level) * 16 > n:  # many: fill the last node above forward
                last = np.full(n, -1, np.int64)
                last[above] = above
                parent[level] = np.maximum.accumulate(last)[level]
            else:
                parent[level] = above[np.searchsorted(above, level) - 1]
        above, rest = level, rest[~top]
    return parent
