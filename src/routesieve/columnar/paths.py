"""AS paths flattened into CSR arrays (:class:`PathTable`): segments and AS numbers, each
path held once, built into an :class:`AsPath` only when indexed."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from routesieve.columnar.arrays import I64, U8, Index
from routesieve.model import AsPath, Segment, SegmentType

_HEADER = np.int64(1 << 40)  # above every AS number: marks a segment in a path's key
_TYPES = {int(t): t for t in SegmentType}


@dataclass(frozen=True, eq=False, repr=False)
class PathTable(Sequence[AsPath]):
    """AS paths flattened: path ``p`` is segments ``seg_start[p]`` to ``seg_start[p+1]``,
    segment ``s`` has type ``seg_type[s]`` and AS numbers ``asns[asn_start[s]:asn_start[s+1]]``.

    Indexing builds an :class:`AsPath` once per path and keeps it, so routes that share a
    path share one object.
    """

    seg_start: I64
    seg_type: U8
    asn_start: I64
    asns: I64
    _built: dict[int, AsPath] = field(default_factory=dict, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the paths built so far (the cluster ships columns, not objects)."""
        return {**self.__dict__, "_built": {}}

    @staticmethod
    def of(paths: Sequence[AsPath]) -> PathTable:
        types: list[int] = []
        sizes: list[int] = []
        per_path: list[int] = []
        flat: list[int] = []
        for path in paths:
            per_path.append(len(path.segments))
            for seg in path.segments:
                types.append(int(seg.type))
                sizes.append(len(seg.asns))
                flat.extend(seg.asns)
        table = PathTable(
            _offsets(np.array(per_path, np.int64)),
            np.array(types, np.uint8),
            _offsets(np.array(sizes, np.int64)),
            np.array(flat, np.int64),
        )
        table._built.update(enumerate(paths))
        return table

    @staticmethod
    def concat(parts: Sequence[PathTable]) -> PathTable:
        if len(parts) == 1:
            return parts[0]
        seg_start = [np.zeros(1, np.int64)]
        asn_start = [np.zeros(1, np.int64)]
        segs = asns = 0
        for part in parts:
            seg_start.append(part.seg_start[1:] + segs)
            asn_start.append(part.asn_start[1:] + asns)
            segs += len(part.seg_type)
            asns += len(part.asns)
        return PathTable(
            np.concatenate(seg_start),
            np.concatenate([p.seg_type for p in parts] or [np.empty(0, np.uint8)]),
            np.concatenate(asn_start),
            np.concatenate([p.asns for p in parts] or [np.empty(0, np.int64)]),
        )

    def __len__(self) -> int:
        return len(self.seg_start) - 1

    @overload
    def __getitem__(self, i: int) -> AsPath: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[AsPath]: ...
    def __getitem__(self, i: int | slice) -> AsPath | Sequence[AsPath]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        j = operator.index(i)
        n = len(self)
        if j < 0:
            j += n
        if not 0 <= j < n:
            raise IndexError(f"PathTable index {i} out of range ({n} paths)")
        built = self._built.get(j)
        if built is None:
            built = self._built[j] = self._build(j)
        return built

    def _build(self, j: int) -> AsPath:
        first, last = self.seg_start.item(j), self.seg_start.item(j + 1)
        bounds = self.asn_start[first : last + 1].tolist()
        asns: list[int] = self.asns[bounds[0] : bounds[-1]].tolist()
        base = bounds[0]
        return AsPath(
            tuple(
                Segment(_TYPES[t], tuple(asns[a - base : b - base]))
                for t, a, b in zip(
                    self.seg_type[first:last].tolist(), bounds[:-1], bounds[1:], strict=True
                )
            )
        )

    def __iter__(self) -> Iterator[AsPath]:
        return (self[j] for j in range(len(self)))

    def segment_owner(self) -> I64:
        """The path of each segment."""
        return np.repeat(np.arange(len(self), dtype=np.int64), np.diff(self.seg_start))

    def asn_segment(self) -> I64:
        """The segment of each AS number."""
        return np.repeat(np.arange(len(self.seg_type), dtype=np.int64), np.diff(self.asn_start))

    def sizes(self) -> I64:
        """The number of AS numbers of each path."""
        out: I64 = np.diff(self.asn_start[self.seg_start])
        return out

    def unique(self) -> tuple[I64, PathTable]:
        """Equal paths made one: the new id of each path, and the distinct paths (in the
        order they first appear)."""
        n = len(self)
        if n == 0:
            return np.empty(0, np.int64), self
        # each path as a run of tokens: per segment a header (its type) and its AS numbers
        m = len(self.seg_type)
        flat = np.empty(len(self.asns) + m, np.int64)
        flat[self.asn_start[:-1] + np.arange(m, dtype=np.int64)] = _HEADER + self.seg_type
        flat[np.arange(len(self.asns), dtype=np.int64) + self.asn_segment() + 1] = self.asns
        edges = self.asn_start[self.seg_start] + self.seg_start
        size = np.diff(edges)
        # a hash per path, then an exact check that paths of one hash are equal; made
        # in place (the joined paths of a million routes: tens of MB per temporary)
        place = np.arange(len(flat), dtype=np.int64)
        place -= np.repeat(edges[:-1], size)  # each token's place in its path
        mixed = flat.astype(np.uint64)
        mixed += np.uint64(0x9E3779B97F4A7C15)
        mixed *= _MULTIPLIERS[place % len(_MULTIPLIERS)]
        high = place.astype(np.uint64)
        del place
        high <<= np.uint64(40)
        mixed ^= high
        del high
        digest = size.astype(np.uint64)
        full = size > 0
        if full.any():  # runs of the paths with tokens (strictly increasing starts)
            digest[full] ^= np.bitwise_xor.reduceat(mixed, edges[:-1][full])
        _, first, ids = np.unique(digest, return_index=True, return_inverse=True)
        lead = first[ids.reshape(n)]
        if not _same_runs(flat, edges, size, lead):
            return self._unique_by_bytes(flat, edges)
        order = np.sort(first)  # distinct paths in the order they first appear
        new_id = np.empty(n, np.int64)
        new_id[order] = np.arange(len(order), dtype=np.int64)
        ids_out: I64 = new_id[lead]
        return ids_out, (self if len(order) == n else self.take(order))

    def _unique_by_bytes(self, flat: I64, edges: I64) -> tuple[I64, PathTable]:
        """:meth:`unique` the slow way, for when two different paths share a hash."""
        raw = flat.tobytes()
        table: dict[bytes, int] = {}
        bounds = (edges * 8).tolist()
        ids = np.fromiter(
            (table.setdefault(raw[a:b], len(table)) for a, b in itertools.pairwise(bounds)),
            np.int64,
            len(self),
        )
        firsts = np.full(len(table), len(self), np.int64)
        np.minimum.at(firsts, ids, np.arange(len(self), dtype=np.int64))
        return ids, self.take(firsts)

    def take(self, idx: Index) -> PathTable:
        """The paths at ``idx``, in that order."""
        idx = np.asarray(idx, np.int64)
        seg_counts = np.diff(self.seg_start)[idx]
        seg_rows = _ranges(self.seg_start[idx], seg_counts)
        asn_counts = np.diff(self.asn_start)[seg_rows]
        asn_rows = _ranges(self.asn_start[seg_rows], asn_counts)
        out = PathTable(
            _offsets(seg_counts), self.seg_type[seg_rows], _offsets(asn_counts), self.asns[asn_rows]
        )
        built = self._built
        out._built.update((k, built[j]) for k, j in enumerate(idx.tolist()) if j in built)
        return out

    def __repr__(self) -> str:
        return f"PathTable(<{len(self)} paths>)"


# 64 odd multipliers, one per token place (mod 64): the draw
# ``np.random.default_rng(20261203).integers(1, 1 << 63, 64, dtype=np.uint64) * 2 + 1``,
# written out so that start-up does not import numpy.random (10-30 ms); a test keeps them
# equal to that draw.
# fmt: off
_MULTIPLIERS = np.array(
    [
        0xD67A0413F8EA3BD1, 0x99B04ACBC76177E1, 0x2FB36D81A296993B, 0x5CA05F4E7431ACBD,
        0x88A3FB363CA1BEA1, 0x07B7ADB7A59D1017, 0x05B2A66D2E2B03DB, 0xECEFDDEF6333E70D,
        0x84022DE7BACE72FB, 0xAC2B74A67617C609, 0x84BFD7B7F937ABEF, 0x46343EAB6DB224A7,
        0x6A7AD405C6AD224B, 0x3DE23660671B4A2B, 0xBF88BEBF93CA60A9, 0x7FA6A7A8ED6155CF,
        0x08456BB71096D517, 0xAB1954D980845E49, 0x1607476C8521567F, 0xF03C08E73F9950A1,
        0x088C21CF83746BB9, 0x5C3A5E04DF081E51, 0xCB04440F809C3335, 0x8D95B59E9E7D097B,
        0xF51BE6B99DDF065D, 0x19E0DF16F8E309A7, 0xDAF0728636510AAB, 0x14BBBADCE23C55C7,
        0x34C841A86AB9C451, 0xE42B9F0E4C091BD5, 0xF0E14F4A5D12B45F, 0x42FF7C24999C6459,
        0xDB1811C4007A0B43, 0xD367C7D01A977E7D, 0x890A74DEB536D15B, 0x8323DD3D45DBD893,
        0x73B04A562F45C0F1, 0x4176C2E8ED70C627, 0xF64A29DF30837757, 0x56CE17039F59D5F1,
        0x45915D6293097AF5, 0x2E3B27E6AA2F942B, 0xB0013E9329BD404F, 0xBA4B3D1B8B44E617,
        0xC3C6262737C9E9F9, 0x4303492E739F43ED, 0x991BD8D908E67E51, 0x186D912BD5958EE1,
        0xCBAE03EE24DD29BB, 0xDC9F48EAF8914E6D, 0x135BD9E4F377E915, 0x8C67985B9E592E1D,
        0xAC40C188910FA3A9, 0x56D5C5C49FA6DDA9, 0xB59973B602BE6DA3, 0xC636B0D6163C932D,
        0x0E51A22CB29C873B, 0xBBD2D237CE846BA5, 0xB745476ED0DDEB65, 0xDC79331B15BB3389,
        0xCD29BAB3C5463C97, 0x33759850F6ECF05D, 0x1477C6553C56754D, 0xD3D505FEF59D41E1,
    ],
    dtype=np.uint64,
)
# fmt: on


def _same_runs(flat: I64, edges: I64, size: I64, lead: I64) -> bool:
    """Whether every path has the same tokens as the path ``lead`` names for it."""
    other = np.flatnonzero(lead != np.arange(len(lead)))
    if not len(other):
        return True
    if (size[other] != size[lead[other]]).any():
        return False
    mine = _ranges(edges[:-1][other], size[other])
    theirs = _ranges(edges[:-1][lead[other]], size[other])
    return bool((flat[mine] == flat[theirs]).all())


def used_paths(pid: I64, paths: PathTable) -> tuple[I64, PathTable]:
    """Only the paths that ``pid`` names (in their order), and ``pid`` renumbered."""
    used = np.zeros(len(paths), np.bool_)
    used[pid] = True
    if used.all():
        return pid, paths
    renumber = np.cumsum(used) - 1
    return renumber[pid], paths.take(np.flatnonzero(used))


def _offsets(counts: I64) -> I64:
    out = np.zeros(len(counts) + 1, np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _ranges(starts: I64, counts: I64) -> I64:
    """The concatenation of ``range(s, s + c)`` for each start and count."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, np.int64)
    ends = np.cumsum(counts)
    step = np.ones(total, np.int64)
    nonempty = counts > 0
    firsts = (ends - counts)[nonempty]
    begin = starts[nonempty]
    # at the first item of each range: jump from the last item of the previous one
    step[firsts[1:]] = begin[1:] - (begin[:-1] + counts[nonempty][:-1] - 1)
    step[0] = begin[0]
    return np.cumsum(step)
