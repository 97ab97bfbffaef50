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

from routesieve.engine.cover import PrefixColumns
from routesieve.model import AsPath, Prefix, Route, Segment

I64 = npt.NDArray[np.int64]
_LOW64 = (1 << 64) - 1


@dataclass(frozen=True)
class RouteTable:
    """One row per merged route, sorted by prefix.

    ``first`` is the first received route of each row (kept for its texts), ``peer`` the
    effective peer (the first AS on a route-server session), ``received_from`` the AS of
    the BGP neighbour, ``sessions(row)`` the session names the route was received on,
    ``path_id`` a row of ``paths``, ``appearance[k]`` the row of the k-th merged route.
    """

    first: list[Route]
    peer: I64
    received_from: I64
    route_server: npt.NDArray[np.bool_]
    malformed: npt.NDArray[np.bool_]
    has_prefix: npt.NDArray[np.bool_]
    session: list[str | None]  # the session of the first received route of each row
    merged_sessions: dict[int, tuple[str, ...]]  # rows received on more than that one
    prefixes: PrefixColumns
    path_id: I64
    paths: list[AsPath]
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


def _path_ids(paths_of: list[AsPath]) -> tuple[list[int], list[AsPath]]:
    """A path id per route: equal paths share one id, whether or not they share an object."""
    by_segments: dict[tuple[Segment, ...], int] = {}
    distinct: list[AsPath] = []
    by_identity: dict[int, int] = {}
    for path in {id(p): p for p in paths_of}.values():
        pid = by_segments.setdefault(path.segments, len(distinct))
        if pid == len(distinct):
            distinct.append(path)
        by_identity[id(path)] = pid
    return [by_identity[id(p)] for p in paths_of], distinct


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
    """Merge the routes and lay them out as columns (no per-route dictionary work)."""
    routes = list(routes)
    n_in = len(routes)
    pid_list, paths = _path_ids([r.as_path for r in routes])
    pid = np.array(pid_list, np.int64).reshape(n_in)
    member = np.array([-1 if p.first is None else p.first for p in paths], np.int64)
    session_of = [r.session for r in routes]
    rs = np.array([s in route_server_sessions for s in session_of], np.bool_).reshape(n_in)
    peer = np.array([r.peer_asn for r in routes], np.int64).reshape(n_in)
    received_from = peer.copy()
    takes_member = rs & (member[pid] >= 0)
    peer[takes_member] = member[pid][takes_member]
    placeholder = Prefix(6, 0, 0)
    prefix_of = [placeholder if r.prefix is None else r.prefix for r in routes]
    has_prefix = np.array([r.prefix is not None for r in routes], np.bool_).reshape(n_in)
    malformed = ~has_prefix | np.array([r.problem is not None for r in routes], np.bool_)
    version = np.array([p.version for p in prefix_of], np.uint8).reshape(n_in)
    hi = np.array(
        [(p.value << 32) if p.version == 4 else (p.value >> 64) for p in prefix_of], np.uint64
    ).reshape(n_in)
    lo = np.array(
        [0 if p.version == 4 else (p.value & _LOW64) for p in prefix_of], np.uint64
    ).reshape(n_in)
    length = np.array([p.length for p in prefix_of], np.int16).reshape(n_in)

    # step 2: one row per (effective peer, prefix, path); malformed routes stay alone
    alone = np.where(malformed, np.arange(n_in, dtype=np.int64), -1)
    lead = _groups(
        [alone, length.astype(np.int64), lo, hi, version.astype(np.int64), pid, peer], n_in
    )
    keep = np.flatnonzero(lead == np.arange(n_in))  # first received of each merged route
    sessions: dict[int, tuple[str, ...]] = {}
    for i in np.flatnonzero(lead != np.arange(n_in)).tolist():  # the rare repeats only
        leader = int(lead[i])
        seen = sessions.get(leader) or _one(session_of[leader])
        extra = session_of[i]
        sessions[leader] = seen if extra is None or extra in seen else (*seen, extra)

    # rows sorted by the top 64 bits keep the look-ups' queries in order
    order = keep[np.argsort(hi[keep], kind="stable")]
    appearance = np.argsort(order, kind="stable").astype(np.int64)  # k-th received -> row
    rows = order.tolist()
    return RouteTable(
        first=[routes[i] for i in rows],
        peer=peer[order],
        received_from=received_from[order],
        route_server=rs[order],
        malformed=malformed[order],
        has_prefix=has_prefix[order],
        session=[session_of[i] for i in rows],
        merged_sessions={row: sessions[i] for row, i in enumerate(rows) if i in sessions},
        prefixes=PrefixColumns(version[order], hi[order], lo[order], length[order]),
        path_id=pid[order],
        paths=paths,
        appearance=appearance,
    )
