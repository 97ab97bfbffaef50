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
from routesieve.model import AsPath, Route

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
    path_ids: dict[AsPath, int] = {}
    paths: list[AsPath] = []
    first: list[Route] = []
    peers: list[int] = []
    rs_flags: list[bool] = []
    bad: list[bool] = []
    sessions: list[list[str]] = []
    pids: list[int] = []
    version: list[int] = []
    value: list[int] = []
    length: list[int] = []
    for route in routes:
        path = route.as_path
        pid = by_identity.get(id(path))
        if pid is None:
            pid = path_ids.get(path)
            if pid is None:
                pid = path_ids[path] = len(paths)
                paths.append(path)
            by_identity[id(path)] = pid
        session = route.session
        rs = session is not None and session in route_server_sessions
        peer = route.peer_asn
        if rs:
            member = paths[pid].first
            if member is not None:
                peer = member
        prefix = route.prefix
        if prefix is None:
            v, val, ln = 6, 0, 0
        else:
            v, val, ln = prefix.version, prefix.value, prefix.length
        malformed = prefix is None or route.problem is not None
        if not malformed:
            key = (peer, v, val, ln, pid)
            row = rows.get(key)
            if row is not None:
                if session is not None and session not in sessions[row]:
                    sessions[row].append(session)
                continue
            rows[key] = len(first)
        first.append(route)
        peers.append(peer)
        rs_flags.append(rs)
        bad.append(malformed)
        sessions.append([session] if session is not None else [])
        pids.append(pid)
        version.append(v)
        value.append(val)
        length.append(ln)
    n = len(first)
    ver = np.array(version, np.uint8)
    hi = np.array(
        [(x << 32) if v == 4 else (x >> 64) for v, x in zip(version, value, strict=True)],
        np.uint64,
    )
    lo = np.array(
        [0 if v == 4 else (x & _LOW64) for v, x in zip(version, value, strict=True)], np.uint64
    )
    lengths = np.array(length, np.int16)
    order = np.lexsort((lengths, lo, hi, ver)).astype(np.int64)
    appearance = np.empty(n, np.int64)
    appearance[order] = np.arange(n, dtype=np.int64)
    take = order.tolist()
    return RouteTable(
        first=[first[i] for i in take],
        peer=np.array(peers, np.int64)[order],
        received_from=np.fromiter((first[i].peer_asn for i in take), np.int64, n),
        route_server=np.array(rs_flags, np.bool_)[order],
        malformed=np.array(bad, np.bool_)[order],
        has_prefix=np.fromiter((first[i].prefix is not None for i in take), np.bool_, n),
        sessions=[sessions[i] for i in take],
        prefixes=PrefixColumns(ver[order], hi[order], lo[order], lengths[order]),
        path_id=np.array(pids, np.int64)[order],
        paths=paths,
        appearance=appearance,
    )
