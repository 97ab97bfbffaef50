"""The column-backed tables of a snapshot's big data sets, one per model type.

Each is a ``Sequence`` of the model type it stands for (``VrpTable`` of
:class:`~routesieve.model.Vrp`, ...), built from those items with ``of`` or from columns
read from a stored snapshot (:mod:`routesieve.store`). AS numbers are ``uint32``,
lengths ``uint8``, RIR ASN ranges and expiry times ``int64``; strings (trust anchors,
IRR sources, registries, statuses, opaque ids, country codes, bogon reasons) are coded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

import numpy as np

from routesieve.columnar.arrays import (
    I64,
    NO_EXPIRY,
    U8,
    U32,
    Bools,
    ColumnTable,
    PrefixArray,
    StringColumn,
)
from routesieve.model import (
    AsnDelegation,
    Bogon,
    DelegationStatus,
    IpDelegation,
    RouteObject,
    Vrp,
)

_new_vrp = partial(tuple.__new__, Vrp)
_new_route_object = partial(tuple.__new__, RouteObject)
_STATUS_VALUES = frozenset(s.value for s in DelegationStatus)


def _expiry(value: int) -> int | None:
    return None if value == NO_EXPIRY else value


@dataclass(frozen=True, eq=False, repr=False)
class VrpTable(ColumnTable[Vrp]):
    """VRPs; ``expires`` holds :data:`NO_EXPIRY` for a VRP without an expiry time."""

    prefix: PrefixArray
    max_length: U8
    asn: U32
    ta: StringColumn
    expires: I64
    KINDS: ClassVar[dict[str, str]] = {
        "prefix": "prefix",
        "max_length": "u1",
        "asn": "u4",
        "ta": "strings",
        "expires": "i8",
    }

    def check_values(self) -> None:
        if (self.max_length > 128).any():
            raise ValueError("a VRP maxLength over 128")

    @staticmethod
    def of(vrps: Sequence[Vrp]) -> VrpTable:
        n = len(vrps)
        expires = np.fromiter(
            (NO_EXPIRY if v.expires is None else v.expires for v in vrps), np.int64, n
        )
        if (expires == NO_EXPIRY).sum() != sum(1 for v in vrps if v.expires is None):
            raise ValueError(f"a VRP expiry of {NO_EXPIRY}, kept for VRPs that never expire")
        return VrpTable(
            PrefixArray.of([v.prefix for v in vrps]),
            np.fromiter((v.max_length for v in vrps), np.uint8, n),
            np.fromiter((v.asn for v in vrps), np.uint32, n),
            StringColumn.of((v.ta for v in vrps), n),
            expires,
        )

    def live(self, as_of: int) -> VrpTable:
        """The VRPs that have not expired at ``as_of`` (the table itself when all are live)."""
        keep: Bools = self.expires >= as_of
        return self if keep.all() else self.take(np.flatnonzero(keep))

    def rows(self, start: int, stop: int) -> list[Vrp]:
        window = self.expires[start:stop]
        expires = window.tolist()
        if (window == NO_EXPIRY).any():
            expires = [_expiry(e) for e in expires]
        return list(
            map(
                _new_vrp,
                zip(
                    self.prefix.rows(start, stop),
                    self.max_length[start:stop].tolist(),
                    self.asn[start:stop].tolist(),
                    self.ta.values(start, stop),
                    expires,
                    strict=True,
                ),
            )
        )

    def row(self, i: int) -> Vrp:
        return _new_vrp(
            (
                self.prefix.row(i),
                self.max_length.item(i),
                self.asn.item(i),
                self.ta.value(i),
                _expiry(self.expires.item(i)),
            )
        )


@dataclass(frozen=True, eq=False, repr=False)
class RouteObjectTable(ColumnTable[RouteObject]):
    """IRR route and route6 objects."""

    prefix: PrefixArray
    origin: U32
    source: StringColumn
    KINDS: ClassVar[dict[str, str]] = {"prefix": "prefix", "origin": "u4", "source": "strings"}

    @staticmethod
    def of(objects: Sequence[RouteObject]) -> RouteObjectTable:
        n = len(objects)
        return RouteObjectTable(
            PrefixArray.of([o.prefix for o in objects]),
            np.fromiter((o.origin for o in objects), np.uint32, n),
            StringColumn.of((o.source for o in objects), n),
        )

    def rows(self, start: int, stop: int) -> list[RouteObject]:
        return list(
            map(
                _new_route_object,
                zip(
                    self.prefix.rows(start, stop),
                    self.origin[start:stop].tolist(),
                    self.source.values(start, stop),
                    strict=True,
                ),
            )
        )

    def row(self, i: int) -> RouteObject:
        return _new_route_object((self.prefix.row(i), self.origin.item(i), self.source.value(i)))


@dataclass(frozen=True, eq=False, repr=False)
class BogonTable(ColumnTable[Bogon]):
    """Bogon prefixes with their reasons (a full-bogons list holds over 100,000)."""

    prefix: PrefixArray
    reason: StringColumn
    KINDS: ClassVar[dict[str, str]] = {"prefix": "prefix", "reason": "strings"}

    @staticmethod
    def of(bogons: Sequence[Bogon]) -> BogonTable:
        n = len(bogons)
        return BogonTable(
            PrefixArray.of([b.prefix for b in bogons]),
            StringColumn.of((b.reason for b in bogons), n),
        )

    def rows(self, start: int, stop: int) -> list[Bogon]:
        reasons = self.reason.values(start, stop)
        return [Bogon(p, r) for p, r in zip(self.prefix.rows(start, stop), reasons, strict=True)]

    def row(self, i: int) -> Bogon:
        return Bogon(self.prefix.row(i), self.reason.value(i))


def _check_statuses(status: StringColumn) -> None:
    unknown = set(status.names) - _STATUS_VALUES
    if unknown:
        raise ValueError(f"unknown delegation status {sorted(unknown)[0]!r}")


@dataclass(frozen=True, eq=False, repr=False)
class IpDelegationTable(ColumnTable[IpDelegation]):
    """The IPv4/IPv6 rows of RIR statistics files (one row per CIDR prefix)."""

    registry: StringColumn
    prefix: PrefixArray
    status: StringColumn  # DelegationStatus values
    opaque_id: StringColumn
    cc: StringColumn
    KINDS: ClassVar[dict[str, str]] = {
        "registry": "strings",
        "prefix": "prefix",
        "status": "strings",
        "opaque_id": "strings",
        "cc": "strings",
    }

    def check_values(self) -> None:
        _check_statuses(self.status)

    @staticmethod
    def of(rows: Sequence[IpDelegation]) -> IpDelegationTable:
        n = len(rows)
        return IpDelegationTable(
            StringColumn.of((d.registry for d in rows), n),
            PrefixArray.of([d.prefix for d in rows]),
            StringColumn.of((d.status.value for d in rows), n),
            StringColumn.of((d.opaque_id for d in rows), n),
            StringColumn.of((d.cc for d in rows), n),
        )

    def rows(self, start: int, stop: int) -> list[IpDelegation]:
        statuses = self.status.objects(DelegationStatus)[self.status.codes[start:stop]].tolist()
        return [
            IpDelegation(*fields)
            for fields in zip(
                self.registry.values(start, stop),
                self.prefix.rows(start, stop),
                statuses,
                self.opaque_id.values(start, stop),
                self.cc.values(start, stop),
                strict=True,
            )
        ]

    def row(self, i: int) -> IpDelegation:
        return IpDelegation(
            self.registry.value(i),
            self.prefix.row(i),
            DelegationStatus(self.status.value(i)),
            self.opaque_id.value(i),
            self.cc.value(i),
        )


@dataclass(frozen=True, eq=False, repr=False)
class AsnDelegationTable(ColumnTable[AsnDelegation]):
    """The ASN rows of RIR statistics files: ``count`` AS numbers from ``first``."""

    registry: StringColumn
    first: I64
    counts: I64  # ``count`` of each row (the name ``count`` is Sequence's)
    status: StringColumn  # DelegationStatus values
    opaque_id: StringColumn
    cc: StringColumn
    KINDS: ClassVar[dict[str, str]] = {
        "registry": "strings",
        "first": "i8",
        "counts": "i8",
        "status": "strings",
        "opaque_id": "strings",
        "cc": "strings",
    }

    def check_values(self) -> None:
        _check_statuses(self.status)
        if (self.first < 0).any() or (self.counts < 0).any():
            raise ValueError("a negative AS number or count")

    @staticmethod
    def of(rows: Sequence[AsnDelegation]) -> AsnDelegationTable:
        n = len(rows)
        return AsnDelegationTable(
            StringColumn.of((d.registry for d in rows), n),
            np.fromiter((d.first for d in rows), np.int64, n),
            np.fromiter((d.count for d in rows), np.int64, n),
            StringColumn.of((d.status.value for d in rows), n),
            StringColumn.of((d.opaque_id for d in rows), n),
            StringColumn.of((d.cc for d in rows), n),
        )

    def rows(self, start: int, stop: int) -> list[AsnDelegation]:
        statuses = self.status.objects(DelegationStatus)[self.status.codes[start:stop]].tolist()
        return [
            AsnDelegation(*fields)
            for fields in zip(
                self.registry.values(start, stop),
                self.first[start:stop].tolist(),
                self.counts[start:stop].tolist(),
                statuses,
                self.opaque_id.values(start, stop),
                self.cc.values(start, stop),
                strict=True,
            )
        ]

    def row(self, i: int) -> AsnDelegation:
        return AsnDelegation(
            self.registry.value(i),
            self.first.item(i),
            self.counts.item(i),
            DelegationStatus(self.status.value(i)),
            self.opaque_id.value(i),
            self.cc.value(i),
        )
