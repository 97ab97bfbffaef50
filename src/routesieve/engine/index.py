"""Look-up structures built once per (snapshot, policy) and shared by every evaluation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from routesieve.columnar import (
    AsnDelegationTable,
    BogonTable,
    IpDelegationTable,
    RouteObjectTable,
    VrpTable,
)
from routesieve.columnar.heap import give_back_free_memory
from routesieve.columnar.org_handles import OrgHandleTable
from routesieve.engine.as_sets import AsSetCatalog
from routesieve.engine.aspa import AspaIndex
from routesieve.engine.cover import CoverIndex, PrefixColumns
from routesieve.engine.pairs import PairSet
from routesieve.model import (
    AsnDelegation,
    Bogon,
    DelegationStatus,
    ExchangePrefix,
    IpDelegation,
    Prefix,
    RouteObject,
    Vrp,
    set_prefix_ref,
)
from routesieve.policy import Policy
from routesieve.snapshot import Snapshot

I64 = npt.NDArray[np.int64]
Ints = npt.NDArray[np.integer[Any]]  # a column kept in its own width (uint32 AS numbers, ...)
_HANDLE_STATUSES = frozenset((DelegationStatus.ALLOCATED.value, DelegationStatus.ASSIGNED.value))


@dataclass(frozen=True)
class Handle:
    """One handle: ``source`` says which registry or RPSL source, ``handle`` the id."""

    source: str
    handle: str


@dataclass(frozen=True)
class HandleIndex:
    """Prefix side and AS side of one kind of handle, joined by handle codes."""

    entries: Sequence[Prefix]
    cover: CoverIndex
    code: Ints  # per prefix entry (int32)
    asns: PairSet  # (asn, code)
    handles: Sequence[Handle]  # code -> handle
    most_specific_only: bool


@dataclass(frozen=True)
class SnapshotIndex:
    as_of: int
    vrps: Sequence[Vrp]
    vrp_cover: CoverIndex
    vrp_asn: Ints  # uint32, a view of the VRP table's column
    vrp_max: Ints  # uint8, likewise
    bogons: Sequence[Bogon]
    bogon_cover: CoverIndex
    exchanges: list[ExchangePrefix]
    exchange_cover: CoverIndex
    route_objects: Sequence[RouteObject]
    route_object_cover: CoverIndex
    route_object_origin: Ints  # uint32, a view of the route object table's column
    # per route object row: the id of the as-set whose prefix list it is, or -1 for a
    # real object (int8 while the ids fit); ids by the set as configured (``AS-X``, ``RIPE::AS-X``)
    route_object_set: Ints
    route_object_set_ids: dict[str, int]
    rir: HandleIndex
    org: HandleIndex
    as_sets: AsSetCatalog
    ip_delegations: Sequence[IpDelegation]
    asn_delegations: Sequence[AsnDelegation]
    aspa: AspaIndex


class _CodedHandles(Sequence[Handle]):
    """Handles by code, each built when asked for (a verdict shows a few of 100,000):
    code i is ``Handle(sources[key // width], ids[key % width])`` of ``keys[i]``."""

    def __init__(
        self, keys: I64, width: int, sources: tuple[str, ...], ids: tuple[str, ...]
    ) -> None:
        self._keys, self._width, self._sources, self._ids = keys, width, sources, ids

    def __len__(self) -> int:
        return len(self._keys)

    @overload
    def __getitem__(self, i: int) -> Handle: ...
    @overload
    def __getitem__(self, i: slice) -> list[Handle]: ...
    def __getitem__(self, i: int | slice) -> Handle | list[Handle]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        key = int(self._keys[i])
        return Handle(self._sources[key // self._width], self._ids[key % self._width])


def _first_seen(keys: I64) -> tuple[I64, I64, I64, I64]:
    """Number distinct ``keys`` in the order they first appear: the sorted distinct keys,
    each one's number (``rank``), the number of each key, and the keys by number."""
    unique_keys, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return unique_keys, rank, rank[inverse], unique_keys[order]


def _rir_handles(ips: IpDelegationTable, asns: AsnDelegationTable) -> HandleIndex:
    """Handles of the RIR statistics, in bulk: a handle is (registry, opaque id).

    Handles are numbered in the order their first given (allocated or assigned) address
    row appears; an ASN row counts only when its holder also holds addresses.
    """
    sel = np.flatnonzero(ips.status.mask(_HANDLE_STATUSES.__contains__) & ips.opaque_id.mask(bool))
    registry = ips.registry.recoded(str.lower)
    width = max(1, len(ips.opaque_id.names))
    keys = registry.codes[sel].astype(np.int64) * width + ips.opaque_id.codes[sel]
    unique_keys, rank, code, by_code = _first_seen(keys)
    sources = tuple(f"rir:{name}" for name in registry.names)
    handles = _CodedHandles(by_code, width, sources, ips.opaque_id.names)
    pair_a, pair_b = _asn_pairs(asns, registry.names, ips.opaque_id.names, unique_keys, rank)
    entries = ips.prefix.take(sel)
    return HandleIndex(
        entries,
        CoverIndex(PrefixColumns.of_array(entries)),
        code.astype(np.int32),
        PairSet(pair_a, pair_b),
        handles,
        most_specific_only=False,
    )


def _asn_pairs(
    asns: AsnDelegationTable,
    registries: tuple[str, ...],
    opaque_ids: tuple[str, ...],
    unique_keys: I64,
    rank: I64,
) -> tuple[I64, I64]:
    """(AS number, handle code) for every AS of every given ASN row whose holder is known."""
    reg_code = dict(zip(registries, range(len(registries)), strict=True))
    width = max(1, len(opaque_ids))
    rows = np.flatnonzero(
        asns.status.mask(_HANDLE_STATUSES.__contains__) & asns.opaque_id.mask(bool)
    )
    if len(unique_keys) == 0 or len(rows) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    reg_map = _codes(reg_code, [n.lower() for n in asns.registry.names])
    if asns.opaque_id.names is opaque_ids:  # one list of ids, shared when loaded
        oid_map = np.arange(len(opaque_ids), dtype=np.int64)
    else:
        oid_map = _codes(
            dict(zip(opaque_ids, range(len(opaque_ids)), strict=True)), asns.opaque_id.names
        )
    reg = reg_map[asns.registry.codes[rows]]
    oid = oid_map[asns.opaque_id.codes[rows]]
    keys = reg * width + oid
    pos = np.searchsorted(unique_keys, keys).clip(0, len(unique_keys) - 1)
    held = (reg >= 0) & (oid >= 0) & (unique_keys[pos] == keys)
    rows, pos = rows[held], pos[held]
    counts = asns.counts[rows]
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    pair_a = np.repeat(asns.first[rows], counts) + (np.arange(int(counts.sum())) - starts)
    return pair_a.astype(np.int64), np.repeat(rank[pos], counts).astype(np.int64)


def _codes(code: dict[str, int], names: Sequence[str]) -> I64:
    """``code[name]`` of each name, -1 when it has none (a C loop, not a Python one)."""
    return np.fromiter(map(code.get, names, repeat(-1)), np.int64, len(names))


def _org_handles(snapshot: Snapshot) -> HandleIndex:
    """Org handles: numbered by (source, org), compared in upper case, in the order they
    first appear; from the columns of an :class:`OrgHandleTable` (a stored snapshot)."""
    table = OrgHandleTable.of(snapshot.org_handles)
    source, org = table.source.recoded(str.upper), table.org.recoded(str.upper)
    width = max(1, len(org.names))
    keys = source.codes.astype(np.int64) * width + org.codes
    _, _, code, by_code = _first_seen(keys)
    sources = tuple(f"rpsl:{name}" for name in source.names)
    entries = table.entries.take(table.entry_rows())
    has_asn = table.asn >= 0
    return HandleIndex(
        entries,
        CoverIndex(PrefixColumns.of_array(entries)),
        np.repeat(code, table.n_prefixes).astype(np.int32),
        PairSet(table.asn[has_asn], code[has_asn]),
        _CodedHandles(by_code, width, sources, org.names),
        most_specific_only=True,
    )


def build_index(snapshot: Snapshot, policy: Policy) -> SnapshotIndex:
    """Index a snapshot for one policy (the policy adds its own exchange prefixes).

    Data sets held as column-backed tables (a stored snapshot) are indexed from their
    columns without building an item each; tuples are turned into columns first.
    """
    vrps, vrp_cover, vrp_asn, vrp_max = _live_vrps(snapshot)
    objects, object_prefixes, origins = _route_objects(snapshot.route_objects)
    set_of, set_ids = _set_rows(snapshot.route_objects)
    bogons = snapshot.bogons
    exchanges = [*policy.exchange_prefixes, *snapshot.exchange_prefixes]
    ips = snapshot.ip_delegations
    asns = snapshot.asn_delegations
    index = SnapshotIndex(
        as_of=snapshot.as_of,
        vrps=vrps,
        vrp_cover=vrp_cover,
        vrp_asn=vrp_asn,
        vrp_max=vrp_max,
        bogons=bogons,
        bogon_cover=CoverIndex.of(
            bogons.prefix if isinstance(bogons, BogonTable) else [b.prefix for b in bogons]
        ),
        exchanges=exchanges,
        exchange_cover=CoverIndex.of([x.prefix for x in exchanges]),
        route_objects=objects,
        route_object_cover=CoverIndex(object_prefixes),
        route_object_origin=origins,
        route_object_set=set_of,
        route_object_set_ids=set_ids,
        rir=_rir_handles(
            ips if isinstance(ips, IpDelegationTable) else IpDelegationTable.of(ips),
            asns if isinstance(asns, AsnDelegationTable) else AsnDelegationTable.of(asns),
        ),
        org=_org_handles(snapshot),
        as_sets=AsSetCatalog(snapshot.as_sets),
        ip_delegations=ips,
        asn_delegations=asns,
        aspa=AspaIndex.of(snapshot.aspas, snapshot.as_of),
    )
    give_back_free_memory()  # the sorts' and joins' temporaries
    return index


def _live_vrps(snapshot: Snapshot) -> tuple[Sequence[Vrp], CoverIndex, Ints, Ints]:
    """The VRPs, the cover index of those that have not expired at ``as_of``, and their AS
    and maxLength. Of a table: the table itself and views of its columns, the expired
    rows left out of the cover index only (a copy of the live rows was 26 MB of 822,000
    VRPs); a VRP's number is its row of the table."""
    if isinstance(snapshot.vrps, VrpTable):
        table = snapshot.vrps
        live = table.expires >= snapshot.as_of
        cover = CoverIndex(PrefixColumns.of_array(table.prefix), None if live.all() else live)
        return table, cover, table.asn, table.max_length
    vrps = [v for v in snapshot.vrps if v.expires is None or v.expires >= snapshot.as_of]
    return (
        vrps,
        CoverIndex(PrefixColumns.of([v.prefix for v in vrps])),
        np.fromiter((v.asn for v in vrps), np.int64, len(vrps)),
        np.fromiter((v.max_length for v in vrps), np.int64, len(vrps)),
    )


def _set_rows(objects: Sequence[RouteObject]) -> tuple[Ints, dict[str, int]]:
    """Which rows are prefix lists of as-sets (:func:`routesieve.model.set_prefix_source`):
    the set id of each row (-1 for a real route object), and the ids by set."""
    ids: dict[str, int] = {}

    def id_of(source: str) -> int:
        ref = set_prefix_ref(source)
        return -1 if ref is None else ids.setdefault(ref, len(ids))

    if isinstance(objects, RouteObjectTable):
        by_code = np.fromiter(map(id_of, objects.source.names), np.int32)
        narrow = np.int8 if len(ids) < 1 << 7 else np.int16 if len(ids) < 1 << 15 else np.int32
        by_code = by_code.astype(narrow)  # a set id per row: a million rows, 1-4 bytes each
        return (by_code[objects.source.codes] if len(by_code) else np.full(0, -1, narrow)), ids
    return np.fromiter((id_of(o.source) for o in objects), np.int32, len(objects)), ids


def _route_objects(
    objects: Sequence[RouteObject],
) -> tuple[Sequence[RouteObject], PrefixColumns, Ints]:
    if isinstance(objects, RouteObjectTable):
        return objects, PrefixColumns.of_array(objects.prefix), objects.origin
    return (
        objects,
        PrefixColumns.of([o.prefix for o in objects]),
        np.fromiter((o.origin for o in objects), np.int64, len(objects)),
    )
