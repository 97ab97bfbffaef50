"""Received routes as columns: :class:`ReceivedRoutes`, a ``Sequence`` of :class:`Route`.

A full table is a quarter of a million routes or more. As ``Route`` objects they take
seconds to build and hundreds of megabytes to hold; as columns the JSON-lines reader
fills them without a Python object per line and the engine merges them (step 2) without
a Python loop per route. Indexing builds the ``Route`` the line reader would have made,
so code that walks routes one at a time works unchanged.

The AS paths are held once per distinct path, flattened (:class:`PathTable`: segments
and AS numbers as CSR arrays), and each route points at its path by number. Texts with
few distinct values (sessions, communities) are coded (:class:`Coded`), the raw
prefix texts (mostly distinct) kept in one buffer (:class:`CodedText`); problems are
sparse (the rows that have one, and their texts). ``Coded``, ``CodedText`` and
``PathTable`` live in ``columnar/coded.py`` and ``columnar/paths.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

from routesieve.columnar.arrays import I64, U32, Bools, ColumnTable, Index, PrefixArray
from routesieve.columnar.coded import Coded, CodedText
from routesieve.columnar.paths import PathTable, used_paths
from routesieve.model import AsPath, Prefix, Route, Segment

_NO_PREFIX = Prefix(6, 0, 0)  # what the prefix columns hold where a route has none


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
    raw_prefix: Coded[str] | CodedText
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
            CodedText.of((r.raw_prefix for r in routes), n),
            Coded.of((r.communities for r in routes), n),
            np.array([i for i, _ in problems], np.int64),
            tuple(p for _, p in problems),
        )

    @staticmethod
    def concat(
        parts: Sequence[ReceivedRoutes], same_paths: I64 | None = None, *, release: bool = False
    ) -> ReceivedRoutes:
        """The routes of each part, one after the other (equal paths made one).
        ``same_paths`` may number the paths of the parts, one after the other, so that
        equal paths have one number (0, 1, ... in the order they first appear): then
        the paths are not compared again. With ``release``, ``parts`` is a list the
        caller gives up: it is emptied, and each part's column is let go as soon as it
        is joined (a million routes: one column held twice at a time, not all of them)."""
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return ReceivedRoutes.of(())
        paths = PathTable.concat([p.paths for p in parts])
        shift = np.cumsum([0] + [len(p.paths) for p in parts[:-1]])
        rows = np.cumsum([0] + [len(p) for p in parts[:-1]]).tolist()
        problem_text = tuple(t for p in parts for t in p.problem_text)
        problem_rows = [p.problem_rows + r for p, r in zip(parts, rows, strict=True)]
        names = ("peer_asn", "has_prefix", "path_id", "session", "raw_prefix", "communities")
        cols: dict[str, list[Any]] = {name: [getattr(p, name) for p in parts] for name in names}
        for name in ("version", "hi", "lo", "length"):
            cols[name] = [getattr(p.prefix, name) for p in parts]
        if release and isinstance(parts, list):
            parts.clear()
        else:
            parts = ()
        pid = np.concatenate(
            [p + s for p, s in zip(cols.pop("path_id"), shift.tolist(), strict=True)]
        )
        if same_paths is None:
            remap, paths = paths.unique()
        else:
            remap = same_paths
            paths = paths.take(np.unique(same_paths, return_index=True)[1])
        pid, paths = used_paths(remap[pid], paths)

        def joined(name: str) -> Any:
            return np.concatenate(cols.pop(name))

        return ReceivedRoutes(
            joined("peer_asn"),
            PrefixArray(joined("version"), joined("hi"), joined("lo"), joined("length")),
            joined("has_prefix"),
            pid,
            paths,
            Coded.concat(cols.pop("session")),
            CodedText.concat(cols.pop("raw_prefix")),
            Coded.concat(cols.pop("communities")),
            np.concatenate(problem_rows).astype(np.int64),
            problem_text,
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
