"""Received routes split by effective peer, so that every rule stays inside a partition.

Step 2 merges routes per (effective peer, prefix, path), and rule 4.2 looks only at the
routes of the same effective peer: so the effective peer is the partition key. It is the
first AS of the path on a route-server session and the neighbour AS elsewhere, exactly
as ``engine.table.build_table`` computes it (``tests/cluster`` checks they agree).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from routesieve.columnar.paths import used_paths
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.engine.table import effective_peers
from routesieve.model import Route


def effective_peer(route: Route, route_server_sessions: frozenset[str]) -> int:
    """The peer a route is judged for: on a route-server session, the first AS of its
    path (when the path starts with an AS_SEQUENCE), otherwise the neighbour AS."""
    if route.session in route_server_sessions:
        first = route.as_path.first
        if first is not None:
            return first
    return route.peer_asn


@dataclass(frozen=True)
class Partition:
    """The routes of a contiguous range of effective peers, in the order received."""

    number: int
    peers: tuple[int, ...]
    routes: Sequence[Route]


def _peer_ranges(
    counts: dict[int, int], total: int, parts: int
) -> tuple[list[list[int]], dict[int, int]]:
    """At most ``parts`` ranges of peers in AS order, of about equal route counts, and
    the range of each peer."""
    target = max(1, -(-total // max(1, parts)))
    bucket: dict[int, int] = {}
    groups: list[list[int]] = [[]]
    filled = 0
    for peer in sorted(counts):
        if filled >= target and len(groups) < parts:
            groups.append([])
            filled = 0
        groups[-1].append(peer)
        bucket[peer] = len(groups) - 1
        filled += counts[peer]
    return groups, bucket


def split_by_peer(
    routes: Sequence[Route], route_server_sessions: frozenset[str], parts: int
) -> list[Partition]:
    """At most ``parts`` partitions of about equal size, each a range of peers in AS
    order; every route is in exactly one, and keeps its place among the routes of its
    partition. A peer is never split. The routes are the objects given: the plain
    reference the driver's :func:`split_columns` is tested against."""
    peer_of = [effective_peer(r, route_server_sessions) for r in routes]
    groups, bucket = _peer_ranges(Counter(peer_of), len(routes), parts)
    members: list[list[Route]] = [[] for _ in groups]
    for route, peer in zip(routes, peer_of, strict=True):
        members[bucket[peer]].append(route)
    return [Partition(k, tuple(peers), members[k]) for k, peers in enumerate(groups) if members[k]]


def split_columns(
    routes: Sequence[Route], route_server_sessions: frozenset[str], parts: int
) -> list[Partition]:
    """:func:`split_by_peer` on columns: the same partitions, each a
    :class:`ReceivedRoutes` holding only the paths its routes use (what the driver ships
    to a worker), with no Python object per route."""
    received = ReceivedRoutes.of(routes)
    peer, _ = effective_peers(received, route_server_sessions)
    distinct, which, counts = np.unique(peer, return_inverse=True, return_counts=True)
    groups, bucket = _peer_ranges(
        dict(zip(distinct.tolist(), counts.tolist(), strict=True)), len(received), parts
    )
    part_of = np.array([bucket[p] for p in distinct.tolist()], np.int64)[which.reshape(-1)]
    out: list[Partition] = []
    for k, peers in enumerate(groups):
        rows = np.flatnonzero(part_of == k)
        if len(rows):
            taken = received.take(rows)
            path_id, paths = used_paths(taken.path_id, taken.paths)
            out.append(Partition(k, tuple(peers), replace(taken, path_id=path_id, paths=paths)))
    return out


def route_files(folder: Path) -> list[Path]:
    """The route files of a partitioned input folder, in name order: every regular file
    whose name does not start with ``.`` or ``_`` (each one is a partition)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "_")))
