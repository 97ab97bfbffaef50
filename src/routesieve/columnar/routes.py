"""Received routes as columns: :class:`ReceivedRoutes`, a ``Sequence`` of :class:`Route`.

A full table is a quarter of a million routes or more. As ``Route`` objects they take
seconds to build and hundreds of megabytes to hold; as columns the JSON-lines reader
fills them without a Python object per line and the engine merges them (step 2) without
a Python loop per route. Indexing builds the ``Route`` the line reader would have made,
so code that walks routes one at a time works unchanged.

The AS paths are held once per distinct path, flattened (:class:`PathTable`: segments
and AS numbers as CSR arrays), and each route points at its path by number. Texts with
few distinct values (sessions, raw prefix texts, communities) are coded
(:class:`Coded`); problems are sparse (the rows that have one, and their texts).
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, TypeVar, overload

import numpy as np
import numpy.typing as npt

from routesieve.columnar.arrays import ColumnTable, PrefixArray
from routesieve.model import AsPath, Prefix, Route, Segment, SegmentType

T = TypeVar("T")
U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Index = npt.NDArray[np.integer[Any]]

_NO_PREFIX = Prefix(6, 0, 0)  # what the prefix columns hold where a route has none
_HEADER = np.int64(1 << 40)  # above every AS number: marks a segment in a path's key
_TYPES = {int(t): t for t in SegmentType}


@dataclass(frozen=True, eq=False)
class Coded(Sequence[T]):
    """A column of values with few distinct ones: ``codes`` index into ``values``."""

    codes: U32
    values: tuple[T, ...]

    @staticmethod
    def of(items: Iterable[T], n: int) -> Coded[T]:
        """Code ``n`` values, numbered in the order they first appear."""
        table: dict[T, int] = {}
        codes = np.fromiter((table.setdefault(v, len(table)) for v in items), np.uint32, n)
        return Coded(codes, tuple(table))

    @staticmethod
    def concat(parts: Sequence[Coded[T]]) -> Coded[T]:
        """The rows of each part in turn (values are not merged: they need not be distinct)."""
        if len(parts) == 1:
            return parts[0]
        shift = np.cumsum([0] + [len(p.values) for p in parts[:-1]], dtype=np.int64)
        codes = [p.codes.astype(np.int64) + s for p, s in zip(parts, shift.tolist(), strict=True)]
        return Coded(
            np.concatenate(codes).astype(np.uint32) if codes else np.empty(0, np.uint32),
            tuple(v for p in parts for v in p.values),
        )

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, idx: Index) -> Coded[T]:
        return Coded(self.codes[idx], self.values)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Coded[T]: ...
    def __getitem__(self, i: int | slice) -> T | Coded[T]:
        if isinstance(i, slice):
            return self.take(np.arange(len(self))[i])
        return self.values[int(self.codes[i])]

    def value(self, i: int) -> T:
        return self.values[self.codes.item(i)]

    def lookup(self) -> npt.NDArray[np.object_]:
        """The values as an object array, to index with ``codes`` in bulk."""
        cached: npt.NDArray[np.object_] | None = self.__dict__.get("_lookup")
        if cached is None:
            cached = np.empty(len(self.values), dtype=object)
            for i, v in enumerate(self.values):  # one by one: a value may be a tuple
                cached[i] = v
            object.__setattr__(self, "_lookup", cached)
        return cached

    def items(self, start: int, stop: int) -> list[T]:
        out: list[T] = self.lookup()[self.codes[start:stop]].tolist()
        return out

    def mask(self, values: Iterable[Any]) -> Bools:
        """Per row: is its value one of ``values``?"""
        wanted = set(values)
        table = np.fromiter((v in wanted for v in self.values), np.bool_, len(self.values))
        return table[self.codes] if len(self.values) else np.zeros(len(self), np.bool_)


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
        owner = np.repeat(np.arange(n, dtype=np.int64), size)
        place = np.arange(len(flat), dtype=np.int64) - edges[:-1][owner]
        # a hash per path, then an exact check that paths of one hash are equal
        mixed = (flat.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)) * _MULTIPLIERS[
            place % len(_MULTIPLIERS)
        ] ^ (place.astype(np.uint64) << np.uint64(40))
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


_MULTIPLIERS = np.random.default_rng(20261203).integers(
    1, 1 << 63, 64, dtype=np.uint64
) * np.uint64(2) + np.uint64(1)


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


@dataclass(frozen=True, eq=False, repr=False)
class ReceivedRoutes(ColumnTable[Route]):
    """Received routes as columns (see the module docstring); ``paths`` are distinct.

    ``prefix`` holds ``::/0`` where ``has_prefix`` is false; ``problem_rows`` are the
    rows with a problem, ascending, and ``problem_text`` their problems.
    """

    peer_asn: U32
    prefix: PrefixArray
    has_prefix: Bools
    path_id: I64
    paths: PathTable
    session: Coded[str | None]
    raw_prefix: Coded[str]
    communities: Coded[tuple[str, ...]]
    problem_rows: I64
    problem_text: tuple[str, ...]
    KINDS: ClassVar[dict[str, str]] = {}  # checked by __post_init__ below

    def __post_init__(self) -> None:
        n = len(self.peer_asn)
        for name in ("prefix", "has_prefix", "path_id", "session", "raw_prefix", "communities"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"ReceivedRoutes.{name}: not {n} rows")
        if len(self.problem_rows) != len(self.problem_text):
            raise ValueError("ReceivedRoutes: problem rows and texts differ in number")
        if n and (int(self.path_id.min()) < 0 or int(self.path_id.max()) >= len(self.paths)):
            raise ValueError("ReceivedRoutes: a path id past the end of the paths")

    @staticmethod
    def of(routes: Sequence[Route]) -> ReceivedRoutes:
        """The columns of routes read one by one (MRT, bgpdump, BMP, routers, tests)."""
        if isinstance(routes, ReceivedRoutes):
            return routes
        n = len(routes)
        by_value: dict[tuple[Segment, ...], int] = {}
        by_object: dict[int, int] = {}
        distinct: list[AsPath] = []
        pids = np.empty(n, np.int64)
        for i, r in enumerate(routes):
            path = r.as_path
            pid = by_object.get(id(path))
            if pid is None:
                pid = by_value.setdefault(path.segments, len(distinct))
                if pid == len(distinct):
                    distinct.append(path)
                by_object[id(path)] = pid
            pids[i] = pid
        problems = [(i, r.problem) for i, r in enumerate(routes) if r.problem is not None]
        return ReceivedRoutes(
            np.fromiter((r.peer_asn for r in routes), np.uint32, n),
            PrefixArray.of([_NO_PREFIX if r.prefix is None else r.prefix for r in routes]),
            np.fromiter((r.prefix is not None for r in routes), np.bool_, n),
            pids,
            PathTable.of(distinct),
            Coded.of((r.session for r in routes), n),
            Coded.of((r.raw_prefix for r in routes), n),
            Coded.of((r.communities for r in routes), n),
            np.array([i for i, _ in problems], np.int64),
            tuple(p for _, p in problems),
        )

    @staticmethod
    def concat(parts: Sequence[ReceivedRoutes], same_paths: I64 | None = None) -> ReceivedRoutes:
        """The routes of each part, one after the other (equal paths made one).
        ``same_paths`` may number the paths of the parts, one after the other, so that
        equal paths have one number (0, 1, ... in the order they first appear): then
        the paths are not compared again."""
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return ReceivedRoutes.of(())
        paths = PathTable.concat([p.paths for p in parts])
        shift = np.cumsum([0] + [len(p.paths) for p in parts[:-1]])
        pid = np.concatenate([p.path_id + s for p, s in zip(parts, shift.tolist(), strict=True)])
        if same_paths is None:
            remap, paths = paths.unique()
        else:
            remap = same_paths
            paths = paths.take(np.unique(same_paths, return_index=True)[1])
        pid, paths = used_paths(remap[pid], paths)
        rows = np.cumsum([0] + [len(p) for p in parts[:-1]])
        return ReceivedRoutes(
            np.concatenate([p.peer_asn for p in parts]),
            PrefixArray(
                np.concatenate([p.prefix.version for p in parts]),
                np.concatenate([p.prefix.hi for p in parts]),
                np.concatenate([p.prefix.lo for p in parts]),
                np.concatenate([p.prefix.length for p in parts]),
            ),
            np.concatenate([p.has_prefix for p in parts]),
            pid,
            paths,
            Coded.concat([p.session for p in parts]),
            Coded.concat([p.raw_prefix for p in parts]),
            Coded.concat([p.communities for p in parts]),
            np.concatenate(
                [p.problem_rows + r for p, r in zip(parts, rows.tolist(), strict=True)]
            ).astype(np.int64),
            tuple(t for p in parts for t in p.problem_text),
        )

    def problem_mask(self) -> Bools:
        out = np.zeros(len(self), np.bool_)
        out[self.problem_rows] = True
        return out

    def take(self, idx: Index) -> ReceivedRoutes:
        """The routes at ``idx``, in that order (paths kept whole)."""
        idx = np.asarray(idx, np.int64)
        rows = np.full(len(self), -1, np.int64)
        rows[self.problem_rows] = np.arange(len(self.problem_rows), dtype=np.int64)
        which = rows[idx]
        has = np.flatnonzero(which >= 0)
        return ReceivedRoutes(
            self.peer_asn[idx],
            self.prefix.take(idx),
            self.has_prefix[idx],
            self.path_id[idx],
            self.paths,
            self.session.take(idx),
            self.raw_prefix.take(idx),
            self.communities.take(idx),
            has.astype(np.int64),
            tuple(self.problem_text[k] for k in which[has].tolist()),
        )

    def __len__(self) -> int:
        return len(self.peer_asn)

    def row(self, i: int) -> Route:
        k = int(np.searchsorted(self.problem_rows, i))
        has_problem = k < len(self.problem_rows) and self.problem_rows.item(k) == i
        return Route(
            peer_asn=self.peer_asn.item(i),
            prefix=self.prefix.row(i) if self.has_prefix.item(i) else None,
            as_path=self.paths[self.path_id.item(i)],
            session=self.session.value(i),
            problem=self.problem_text[k] if has_problem else None,
            raw_prefix=self.raw_prefix.value(i),
            communities=self.communities.value(i),
        )

    def rows(self, start: int, stop: int) -> list[Route]:
        prefixes: list[Prefix | None] = list(self.prefix.rows(start, stop))
        for j in np.flatnonzero(~self.has_prefix[start:stop]).tolist():
            prefixes[j] = None
        problems: list[str | None] = [None] * (stop - start)
        lo, hi = np.searchsorted(self.problem_rows, [start, stop]).tolist()
        for row, text in zip(
            self.problem_rows[lo:hi].tolist(), self.problem_text[lo:hi], strict=True
        ):
            problems[row - start] = text
        paths = self.paths
        return [
            Route(peer, prefix, paths[pid], session, problem, raw, comms)
            for peer, prefix, pid, session, problem, raw, comms in zip(
                self.peer_asn[start:stop].tolist(),
                prefixes,
                self.path_id[start:stop].tolist(),
                self.session.items(start, stop),
                problems,
                self.raw_prefix.items(start, stop),
                self.communities.items(start, stop),
                strict=True,
            )
        ]

    def same_columns(self, other: Self) -> bool:
        return self is other

    def __repr__(self) -> str:
        return f"ReceivedRoutes(<{len(self)} routes>)"
