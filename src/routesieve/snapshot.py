"""The immutable, dated bundle of outside data that one evaluation uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from routesieve.model import (
    AsnBlock,
    AsnDelegation,
    AsSet,
    Bogon,
    ExchangePrefix,
    IpDelegation,
    OrgHandle,
    RouteObject,
    Vrp,
)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where one data set came from: its kind, file or URL, its own date, and its size."""

    kind: str
    location: str
    generated: str | None
    count: int
    note: str = ""


@dataclass(frozen=True)
class Snapshot:
    """Everything the engine may look at besides the routes and the policy.

    ``as_of`` is the Unix time the snapshot stands for: VRPs that expire before it are
    ignored. The engine has no clock of its own.
    """

    as_of: int
    vrps: tuple[Vrp, ...] = ()
    route_objects: tuple[RouteObject, ...] = ()
    as_sets: tuple[AsSet, ...] = ()
    ip_delegations: tuple[IpDelegation, ...] = ()
    asn_delegations: tuple[AsnDelegation, ...] = ()
    org_handles: tuple[OrgHandle, ...] = ()
    asn_blocks: tuple[AsnBlock, ...] = ()
    bogons: tuple[Bogon, ...] = ()
    exchange_prefixes: tuple[ExchangePrefix, ...] = ()
    provenance: tuple[Provenance, ...] = field(default=(), compare=False)
