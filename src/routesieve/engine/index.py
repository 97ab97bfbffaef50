"""Look-up structures built once per (snapshot, policy) and shared by every evaluation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routesieve.engine.as_sets import AsSetCatalog
from routesieve.engine.cover import CoverIndex, PairSet, PrefixColumns
from routesieve.model import (
    AsnDelegation,
    Bogon,
    DelegationStatus,
    ExchangePrefix,
    IpDelegation,
    Prefix,
    RouteObject,
    Vrp,
)
from routesieve.policy import Policy
from routesieve.snapshot import Snapshot

I64 = npt.NDArray[np.int64]
_HANDLE_STATUSES = (DelegationStatus.ALLOCATED, DelegationStatus.ASSIGNED)


@dataclass(frozen=True)
class Handle:
    """One handle: ``source`` says which registry or RPSL source, ``handle`` the id."""

    source: str
    handle: str


@dataclass(frozen=True)
class HandleIndex:
    """Prefix side and AS side of one kind of handle, joined by handle codes."""

    entries: list[Prefix]
    cover: CoverIndex
    code: I64  # per prefix entry
    lengths: I64  # per prefix entry
    asns: PairSet  # (asn, code)
    handles: list[Handle]  # code -> handle
    most_specific_only: bool


@dataclass(frozen=True)
class SnapshotIndex:
    as_of: int
    vrps: list[Vrp]
    vrp_cover: CoverIndex
    vrp_asn: I64
    vrp_max: I64
    bogons: list[Bogon]
    bogon_cover: CoverIndex
    exchanges: list[ExchangePrefix]
    exchange_cover: CoverIndex
    route_objects: list[RouteObject]
    route_object_cover: CoverIndex
    route_object_origin: I64
    rir: HandleIndex
    org: HandleIndex
    as_sets: AsSetCatalog
    ip_delegations: list[IpDelegation]
    asn_delegations: list[AsnDelegation]


def _rir_handles(ips: list[IpDelegation], asns: list[AsnDelegation]) -> HandleIndex:
    codes: dict[tuple[str, str], int] = {}
    entry_prefixes: list[Prefix] = []
    entry_codes: list[int] = []
    for d in ips:
        if d.status in _HANDLE_STATUSES and d.opaque_id:
            code = codes.setdefault((d.registry.lower(), d.opaque_id), len(codes))
            entry_prefixes.append(d.prefix)
            entry_codes.append(code)
    pair_a: list[int] = []
    pair_b: list[int] = []
    for a in asns:
        if a.status in _HANDLE_STATUSES and a.opaque_id:
            held = codes.get((a.registry.lower(), a.opaque_id))
            if held is None:
                continue  # this holder has no address delegation: it can never match
            pair_a.extend(range(a.first, a.first + a.count))
            pair_b.extend([held] * a.count)
    handles = [Handle(f"rir:{reg}", oid) for (reg, oid) in codes]
    return HandleIndex(
        entry_prefixes,
        CoverIndex.of(entry_prefixes),
        np.array(entry_codes, np.int64),
        np.array([p.length for p in entry_prefixes], np.int64),
        PairSet(pair_a, pair_b),
        handles,
        most_specific_only=False,
    )


def _org_handles(snapshot: Snapshot) -> HandleIndex:
    codes: dict[tuple[str, str], int] = {}
    entry_prefixes: list[Prefix] = []
    entry_codes: list[int] = []
    pair_a: list[int] = []
    pair_b: list[int] = []
    for h in snapshot.org_handles:
        code = codes.setdefault((h.source.upper(), h.org.upper()), len(codes))
        for p in h.prefixes:
            entry_prefixes.append(p)
            entry_codes.append(code)
        if h.asn is not None:
            pair_a.append(h.asn)
            pair_b.append(code)
    handles = [Handle(f"rpsl:{src}", org) for (src, org) in codes]
    return HandleIndex(
        entry_prefixes,
        CoverIndex.of(entry_prefixes),
        np.array(entry_codes, np.int64),
        np.array([p.length for p in entry_prefixes], np.int64),
        PairSet(pair_a, pair_b),
        handles,
        most_specific_only=True,
    )


def build_index(snapshot: Snapshot, policy: Policy) -> SnapshotIndex:
    """Index a snapshot for one policy (the policy adds its own exchange prefixes)."""
    vrps = [v for v in snapshot.vrps if v.expires is None or v.expires >= snapshot.as_of]
    bogons = list(snapshot.bogons)
    exchanges = [*policy.exchange_prefixes, *snapshot.exchange_prefixes]
    objects = list(snapshot.route_objects)
    ips = list(snapshot.ip_delegations)
    asns = list(snapshot.asn_delegations)
    return SnapshotIndex(
        as_of=snapshot.as_of,
        vrps=vrps,
        vrp_cover=CoverIndex.of([v.prefix for v in vrps]),
        vrp_asn=np.fromiter((v.asn for v in vrps), np.int64, len(vrps)),
        vrp_max=np.fromiter((v.max_length for v in vrps), np.int64, len(vrps)),
        bogons=bogons,
        bogon_cover=CoverIndex.of([b.prefix for b in bogons]),
        exchanges=exchanges,
        exchange_cover=CoverIndex.of([x.prefix for x in exchanges]),
        route_objects=objects,
        route_object_cover=CoverIndex(PrefixColumns.of([o.prefix for o in objects])),
        route_object_origin=np.fromiter((o.origin for o in objects), np.int64, len(objects)),
        rir=_rir_handles(ips, asns),
        org=_org_handles(snapshot),
        as_sets=AsSetCatalog(snapshot.as_sets),
        ip_delegations=ips,
        asn_delegations=asns,
    )
