"""Step 2: received routes merged per (peer, prefix, path), as columns for the rules.

Rows are kept sorted by prefix: every look-up of the rules is a ``searchsorted`` of the
rows into a sorted table, and sorted queries keep those look-ups in cache.
``appearance`` maps the order in which merged routes were first received to rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routesieve.columnar.routes import PathTable, ReceivedRoutes
from routesieve.engine.cover import PrefixColumns
from routesieve.model import Route, SegmentType

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class RouteTable:
    """One row per merged route, sorted by prefix.

    ``first`` is the first received route of each row (kept for its texts), ``peer`` the
    effective peer (the first AS on a route-server session), ``received_from`` the AS of
    the BGP neighbour, ``sessions(row)`` the session names the route was received on,
    ``path_id`` a row of ``paths``, ``appearance[k]`` the row of the k-th merged route.
    """

    first: Sequence[Route]  # a ReceivedRoutes: routes are built when indexed
    peer: I64
    received_from: I64
    route_server: npt.NDArray[np.bool_]
    malformed: npt.NDArray[np.bool_]
    has_prefix: npt.NDArray[np.bool_]
    session: list[str | None]  # the session of the first received route of each row
    merged_sessions: dict[int, tuple[str, ...]]  # rows received on more than that one
    prefixes: PrefixColumns
    path_id: I64
    paths: PathTable
    appearance: I64

    def __len__(self) -> int:
        return len(self.first)

    def only_on(self, row: int, names: frozenset[str]) -> bool:
        """Whether every session the route of ``row`` was received on is one of ``names``
        (false for a route with no session)."""
        sessions = self.sessions(row)
        return bool(sessions) and all(s in names for s in sessions)

    def sessions(self, row: int) -> tuple[str, ...]:
        """The sessions a merged route was received on, in first-seen order."""
        merged = self.merged_sessions.get(row)
        if merged is not None:
            return merged
        return _one(self.session[row])


def _one(session: str | None) -> tuple[str, ...]:
    return () if session is None else (session,)


def _groups(keys: list[npt.NDArray[np.int64] | npt.NDArray[np.uint64]], n: int) -> I64:
    """For each row, the first row (in input order) with the same keys."""
    if n == 0:
        return np.empty(0, np.int64)
    order = np.lexsort((np.arange(n), *keys))  # equal keys: input order
    same = np.zeros(n, np.bool_)
    for k in keys:
        ks = k[order]
        same[1:] |= ks[1:] != ks[:-1]
    starts = np.flatnonzero(np.concatenate(([True], same[1:])))
    lead = np.repeat(order[starts], np.diff(np.append(starts, n)))
    out = np.empty(n, np.int64)
    out[order] = lead
    return out


def build_table(routes: Sequence[Route], route_server_sessions: frozenset[str]) -> RouteTable:
    """Merge the routes and lay them out as columns (no Python work per route).

    ``routes`` are best :class:`ReceivedRoutes` (what the JSON-lines reader gives); any
    other sequence is turned into one first.
    """
    received = ReceivedRoutes.of(routes)
    n_in = len(received)
    pid = received.path_id
    paths = received.paths
    member = _first_asns(paths)
    rs = received.session.mask(route_server_sessions)
    peer = received.peer_asn.astype(np.int64)
    received_from = peer.copy()
    takes_member = rs & (member[pid] >= 0)
    peer[takes_member] = member[pid][takes_member]
    cols = received.prefix
    has_prefix = received.has_prefix
    malformed = ~has_prefix | received.problem_mask()
    version, hi, lo = cols.version, cols.hi, cols.lo
    length = cols.length.astype(np.int16)

    # step 2: one row per (effective peer, prefix, path); malformed routes stay alone
    alone = np.where(malformed, np.arange(n_in, dtype=np.int64), -1)
    lead = _groups(
        [alone, length.astype(np.int64), lo, hi, version.astype(np.int64), pid, peer], n_in
    )
    keep = np.flatnonzero(lead == np.arange(n_in))  # first received of each merged route
    sessions: dict[int, tuple[str, ...]] = {}
    repeats = np.flatnonzero(lead != np.arange(n_in))
    if len(repeats):  # the rare repeats only
        session_of = received.session.lookup()
        for i in repeats.tolist():
            leader = int(lead[i])
            seen = sessions.get(leader) or _one(session_of[received.session.codes[leader]])
            extra = session_of[received.session.codes[i]]
            sessions[leader] = seen if extra is None or extra in seen else (*seen, extra)

    # rows sorted by the top 64 bits keep the look-ups' queries in order
    order = keep[np.argsort(hi[keep], kind="stable")]
    appearance = np.argsort(order, kind="stable").astype(np.int64)  # k-th received -> row
    session_rows: list[str | None] = received.session.lookup()[
        received.session.codes[order]
    ].tolist()
    merged_sessions: dict[int, tuple[str, ...]] = {}
    if sessions:
        row_of = np.full(n_in, -1, np.int64)
        row_of[order] = np.arange(len(order), dtype=np.int64)
        merged_sessions = {int(row_of[i]): s for i, s in sessions.items()}
    return RouteTable(
        first=received.take(order),
        peer=peer[order],
        received_from=received_from[order],
        route_server=rs[order],
        malformed=malformed[order],
        has_prefix=has_prefix[order],
        session=session_rows,
        merged_sessions=merged_sessions,
        prefixes=PrefixColumns(version[order], hi[order], lo[order], length[order]),
        path_id=pid[order],
        paths=paths,
        appearance=appearance,
    )


def _first_asns(paths: PathTable) -> I64:
    """The first AS of each path that starts with a non-empty AS_SEQUENCE, else -1."""
    n = len(paths)
    out = np.full(n, -1, np.int64)
    has = np.diff(paths.seg_start) > 0
    first_seg = paths.seg_start[:-1][has]
    ok = (paths.seg_type[first_seg] == SegmentType.AS_SEQUENCE) & (
        np.diff(paths.asn_start)[first_seg] > 0
    )
    out[np.flatnonzero(has)[ok]] = paths.asns[paths.asn_start[first_seg[ok]]]
    return out
