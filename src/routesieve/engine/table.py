"""Step 2: received routes merged per (peer, prefix, path), as columns for the rules.

Rows are kept sorted by prefix: every look-up of the rules is a ``searchsorted`` of the
rows into a sorted table, and sorted queries keep those look-ups in cache.
``appearance`` maps the order in which merged routes were first received to rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import overload

import numpy as np
import numpy.typing as npt

from routesieve.columnar.paths import PathTable
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.engine.cover import PrefixColumns
from routesieve.model import Route, SegmentType

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class RouteTable:
    """One row per merged route, sorted by prefix.

    ``first`` is the first received route of each row (kept for its texts: a view of
    the received routes, not a copy of their columns), ``peer`` the
    effective peer (the first AS on a route-server session), ``received_from`` the AS of
    the BGP neighbour, ``sessions(row)`` the session names the route was received on,
    ``path_id`` a row of ``paths``, ``appearance[k]`` the row of the k-th merged route.
    """

    first: FirstRoutes  # routes are built when indexed
    peer: I64
    received_from: I64
    route_server: npt.NDArray[np.bool_]
    malformed: npt.NDArray[np.bool_]
    has_prefix: npt.NDArray[np.bool_]
    session: Sequence[str | None]  # the session of the first received route of each row
    merged_sessions: MergedSessions  # rows received on more than that one
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


class FirstRoutes(Sequence[Route]):
    """The first received route of each row: row ``k`` is ``received[rows[k]]``, built
    when asked for. The received routes' columns are shared, not copied (a copy in row
    order was 70 bytes a row that only ``explain`` and a few reasons ever read)."""

    def __init__(self, received: ReceivedRoutes, rows: npt.NDArray[np.integer]) -> None:
        self.received, self.rows = received, rows

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, k: int) -> Route: ...
    @overload
    def __getitem__(self, k: slice) -> list[Route]: ...
    def __getitem__(self, k: int | slice) -> Route | list[Route]:
        if isinstance(k, slice):
            return [self.received.row(i) for i in self.rows[k].tolist()]
        return self.received.row(int(self.rows[k]))

    def __iter__(self) -> Iterator[Route]:
        row = self.received.row
        for i in self.rows.tolist():
            yield row(i)


@dataclass(frozen=True)
class MergedSessions:
    """The sessions of the merged routes received on more than one: ``rows`` ascending,
    row ``rows[k]`` with the sessions ``names[codes[start[k]:start[k + 1]]]``."""

    rows: I64
    start: I64
    codes: I64
    names: tuple[str | None, ...]

    def get(self, row: int) -> tuple[str, ...] | None:
        k = int(np.searchsorted(self.rows, row))
        if k == len(self.rows) or self.rows.item(k) != row:
            return None
        codes = self.codes[self.start.item(k) : self.start.item(k + 1)].tolist()
        return tuple(name for name in map(self.names.__getitem__, codes) if name is not None)

    def __len__(self) -> int:
        return len(self.rows)


def _groups(keys: list[npt.NDArray[np.uint64]], n: int, hash_bits: int = 64) -> I64:
    """For each row, the first row (in input order) with the same keys.

    A hash of the keys in the top bits and the row in the bottom bits of one 64-bit
    integer are grouped by a plain sort (a row's group is its hash; the first row of a
    group comes first), then every row is checked against the row it was grouped with;
    only the groups where two different keys share a hash are sorted by the keys
    themselves. (``hash_bits`` narrows the hash, for tests of that case.)
    """
    if n == 0:
        return np.empty(0, np.int64)
    digest = np.zeros(n, np.uint64)
    for k, multiplier in zip(keys, _MULTIPLIERS, strict=False):
        mixed = (k ^ (k >> np.uint64(29))) * multiplier
        digest = (digest ^ mixed ^ (mixed >> np.uint64(32))) * _MULTIPLIERS[-1]
    row_bits = np.uint64(max(1, (n - 1).bit_length()))
    row_mask = np.uint64((1 << int(row_bits)) - 1)
    if hash_bits < 64:
        digest <<= np.uint64(64 - hash_bits)
    digest &= ~row_mask
    digest |= np.arange(n, dtype=np.uint64)
    digest.sort()
    row = (digest & row_mask).astype(np.int64)
    digest >>= row_bits
    new = np.ones(n, np.bool_)
    np.not_equal(digest[1:], digest[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    lead: I64 = np.empty(n, np.int64)
    lead[row] = np.repeat(row[starts], np.diff(np.append(starts, n)))
    wrong = np.zeros(n, np.bool_)
    for k in keys:
        wrong |= k[lead] != k
    if wrong.any():  # hashes shared by different keys: regroup those groups by the keys
        mixed_groups = np.zeros(n, np.bool_)
        mixed_groups[lead[wrong]] = True
        rows = np.flatnonzero(mixed_groups[lead])
        lead[rows] = rows[_sorted_groups([k[rows] for k in keys], len(rows))]
    return lead


def _sorted_groups(keys: list[npt.NDArray[np.uint64]], n: int) -> I64:
    """``_groups`` by sorting the keys themselves."""
    order = np.lexsort(keys)  # stable: equal keys stay in input order
    same = np.zeros(n, np.bool_)
    for k in keys:
        ks = k[order]
        same[1:] |= ks[1:] != ks[:-1]
    starts = np.flatnonzero(np.concatenate(([True], same[1:])))
    led = np.repeat(order[starts], np.diff(np.append(starts, n)))
    out = np.empty(n, np.int64)
    out[order] = led
    return out


_MULTIPLIERS = tuple(
    np.uint64(m)
    for m in (
        0x9E3779B97F4A7C15,
        0xBF58476D1CE4E5B9,
        0x94D049BB133111EB,
        0xD6E8FEB86659FD93,
        0xFF51AFD7ED558CCD,
    )
)


def _merged(lead: I64, codes: npt.NDArray[np.uint32], row_of: I64, none: int) -> MergedSessions:
    """The sessions of each merged route that has repeats, in first-seen order, once each
    (``none`` is the code of "no session"; only the repeats are looked at)."""
    n = len(lead)
    repeats = np.flatnonzero(lead != np.arange(n))
    leaders = _distinct(lead[repeats], n)
    who = np.concatenate((leaders, lead[repeats]))  # the leader, then each repeat
    when = np.concatenate((leaders, repeats))  # a leader comes before its repeats
    code = codes[when].astype(np.int64)
    # each (leader, session) once, at its first sighting; then in sighting order
    order = np.lexsort((when, code, who))
    first = np.ones(len(order), np.bool_)
    first[1:] = (who[order][1:] != who[order][:-1]) | (code[order][1:] != code[order][:-1])
    kept = order[first]
    kept = kept[np.lexsort((when[kept], who[kept]))]
    owner = row_of[who[kept]]
    by_row = np.argsort(owner, kind="stable")
    owner, flat = owner[by_row], code[kept][by_row]
    real = flat != none
    owner, flat = owner[real], flat[real]
    rows = _distinct(row_of[leaders], n)
    start = np.searchsorted(owner, rows).astype(np.int64)
    return MergedSessions(rows, np.append(start, len(owner)).astype(np.int64), flat, ())


def _distinct(values: I64, n: int) -> I64:
    """The distinct values of ``values`` (each in ``range(n)``), ascending, without a sort."""
    seen = np.zeros(n, np.bool_)
    seen[values] = True
    return np.flatnonzero(seen)


def build_table(routes: Sequence[Route], route_server_sessions: frozenset[str]) -> RouteTable:
    """Merge the routes and lay them out as columns (no Python work per route).

    ``routes`` are best :class:`ReceivedRoutes` (what the JSON-lines reader gives); any
    other sequence is turned into one first.
    """
    received = ReceivedRoutes.of(routes)
    n_in = len(received)
    pid = received.path_id
    paths = received.paths
    peer, rs = effective_peers(received, route_server_sessions)
    received_from = received.peer_asn.astype(np.int64)
    cols = received.prefix
    has_prefix = received.has_prefix
    malformed = ~has_prefix | received.problem_mask()
    version, hi, lo = cols.version, cols.hi, cols.lo
    length = cols.length.astype(np.int16)

    # step 2: one row per (effective peer, prefix, path); malformed routes stay alone
    lead = np.arange(n_in, dtype=np.int64)
    sound = np.flatnonzero(~malformed)
    if len(sound):
        both = (peer[sound].astype(np.uint64) << np.uint64(32)) | pid[sound].astype(np.uint64)
        form = version[sound].astype(np.uint64) << np.uint64(8) | length[sound].astype(np.uint64)
        lead[sound] = sound[_groups([both, form, lo[sound], hi[sound]], len(sound))]
    keep = np.flatnonzero(lead == np.arange(n_in))  # first received of each merged route

    # rows sorted by the top 64 bits keep the look-ups' queries in order
    by_prefix = np.argsort(hi[keep], kind="stable")
    order = keep[by_prefix]
    appearance = np.empty(len(order), np.int64)  # k-th received -> row
    appearance[by_prefix] = np.arange(len(order), dtype=np.int64)
    session = received.session
    row_of = np.full(n_in, -1, np.int64)
    row_of[order] = np.arange(len(order), dtype=np.int64)
    first_code: dict[str | None, int] = {}  # equal names may have several codes
    same = [first_code.setdefault(v, i) for i, v in enumerate(session.values)]
    codes = np.array(same, np.uint32)[session.codes] if same else session.codes
    merged = _merged(lead, codes, row_of, first_code.get(None, -1))
    return RouteTable(
        first=FirstRoutes(received, order),
        peer=peer[order],
        received_from=received_from[order],
        route_server=rs[order],
        malformed=malformed[order],
        has_prefix=has_prefix[order],
        session=session.take(order),
        merged_sessions=replace(merged, names=session.values),
        prefixes=PrefixColumns(version[order], hi[order], lo[order], length[order]),
        path_id=pid[order],
        paths=paths,
        appearance=appearance,
    )


def effective_peers(
    received: ReceivedRoutes, route_server_sessions: frozenset[str]
) -> tuple[I64, Bools]:
    """Per route, the peer it is judged for (the first AS of its path on a route-server
    session, when the path starts with an AS_SEQUENCE; the neighbour AS elsewhere), and
    whether it came over a route-server session."""
    pid = received.path_id
    member = _first_asns(received.paths)[pid]
    rs = received.session.mask(route_server_sessions)
    peer = received.peer_asn.astype(np.int64)
    takes_member = rs & (member >= 0)
    peer[takes_member] = member[takes_member]
    return peer, rs


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
