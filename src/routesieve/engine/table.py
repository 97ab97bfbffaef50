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
    the BGP neighbour, ``sessions`` the session names the route was received on,
    ``path_id`` a row of ``paths``, ``appearance[k]`` the row of the k-th merged route.
    """

    first: list[Route]
    peer: I64
    received_from: I64
    route_server: npt.NDArray[np.bool_]
    malformed: npt.NDArray[np.bool_]
    has_prefix: npt.NDArray[np.bool_]
    sessions: list[list[str]]
    prefixes: PrefixColumns
    path_id: I64
    paths: list[AsPath]
    appearance: I64

    def __len__(self) -> int:
        return len(self.first)


def build_table(routes: Sequence[Route], route_server_sessions: frozenset[str]) -> RouteTable:
    rows: dict[tuple[int, int, int, int, int], int] = {}
    by_identity: dict[int, int] = {}  # id(path) -> path id: readers share path objects
    path_ids: dict[tuple[Segment, ...], int] = {}  # by segments: hashed in C, not in Python
    paths: list[AsPath] = []
    members: list[int | None] = []  # the first AS of each path
    first: list[Route] = []
    peers: list[int] = []
    sessions: list[list[str]] = []
    pids: list[int] = []
    # this loop runs once per received route: locals only, no attribute look-ups
    identity_get, rows_get = by_identity.get, rows.get
    add_route, add_peer, add_sessions, add_pid = (
        first.append,
        peers.append,
        sessions.append,
        pids.append,
    )
    for route in routes:
        path = route.as_path
        pid = identity_get(id(path))
        if pid is None:
            pid = path_ids.get(path.segments)
            if pid is None:
                pid = path_ids[path.segments] = len(paths)
                paths.append(path)
                members.append(path.first)
            by_identity[id(path)] = pid
        session = route.session
        peer = route.peer_asn
        if session in route_server_sessions:
            member = members[pid]
            if member is not None:
                peer = member
        prefix = route.prefix
        if prefix is not None and route.problem is None:
            key = (peer, prefix.value, prefix.length, prefix.version, pid)
            row = rows_get(key)
            if row is not None:
                if session is not None and session not in sessions[row]:
                    sessions[row].append(session)
                continue
            rows[key] = len(first)
        add_route(route)
        add_peer(peer)
        add_sessions([] if session is None else [session])
        add_pid(pid)
    n = len(first)
    placeholder = Prefix(6, 0, 0)
    prefixes = [placeholder if r.prefix is None else r.prefix for r in first]
    version = [p.version for p in prefixes]
    ver = np.array(version, np.uint8)
    hi = np.array(
        [(p.value << 32) if p.version == 4 else (p.value >> 64) for p in prefixes], np.uint64
    )
    lo = np.array([0 if p.version == 4 else (p.value & _LOW64) for p in prefixes], np.uint64)
    length = [p.length for p in prefixes]
    rs_flags = [r.session in route_server_sessions for r in first]
    bad = [r.prefix is None or r.problem is not None for r in first]
    lengths = np.array(length, np.int16)
    # sorting by the top 64 bits is enough to keep the look-ups' queries in order
    order = np.argsort(hi, kind="stable").astype(np.int64)
    appearance = np.empty(n, np.int64)
    appearance[order] = np.arange(n, dtype=np.int64)
    take = order.tolist()
    return RouteTable(
        first=[first[i] for i in take],
        peer=np.array(peers, np.int64)[order],
        received_from=np.array([r.peer_asn for r in first], np.int64).reshape(n)[order],
        route_server=np.array(rs_flags, np.bool_)[order],
        malformed=np.array(bad, np.bool_)[order],
        has_prefix=np.array([r.prefix is not None for r in first], np.bool_).reshape(n)[order],
        sessions=[sessions[i] for i in take],
        prefixes=PrefixColumns(ver[order], hi[order], lo[order], lengths[order]),
        path_id=np.array(pids, np.int64)[order],
        paths=paths,
        appearance=appearance,
    )
