"""The immutable, dated bundle of outside data that one evaluation uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from routesieve.model import (
    AsnBlock,
    AsnDelegation,
    Aspa,
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

    ``as_of`` is the Unix time the snapshot stands for: VRPs and ASPAs that expire before
    it are ignored. The engine has no clock of its own.

    Each data set is a read-only sequence: a tuple when read from the source files, or a
    column-backed table (:mod:`routesieve.columnar`, for the big ones) when loaded from a
    stored snapshot. Both compare equal when they hold the same items in the same order.
    """

    as_of: int
    vrps: Sequence[Vrp] = ()
    route_objects: Sequence[RouteObject] = ()
    as_sets: Sequence[AsSet] = ()
    ip_delegations: Sequence[IpDelegation] = ()
    asn_delegations: Sequence[AsnDelegation] = ()
    org_handles: Sequence[OrgHandle] = ()
    asn_blocks: Sequence[AsnBlock] = ()
    bogons: Sequence[Bogon] = ()
    exchange_prefixes: Sequence[ExchangePrefix] = ()
    aspas: Sequence[Aspa] = ()
    provenance: tuple[Provenance, ...] = field(default=(), compare=False)
