"""Frozen value types shared by every layer.

Nothing here does I/O. Prefixes live in :mod:`routesieve.prefix` and AS paths in
:mod:`routesieve.aspath`; both are re-exported here, so that every layer names its types
from one place.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from routesieve.aspath import MAX_ASN, AsPath, Segment, SegmentType, parse_asn
from routesieve.prefix import BITS, ParseError, Prefix

__all__ = [
    "BITS",
    "MAX_ASN",
    "Action",
    "AsPath",
    "AsSet",
    "AsnBlock",
    "AsnDelegation",
    "Aspa",
    "Bogon",
    "DelegationStatus",
    "ExchangePrefix",
    "IpDelegation",
    "OrgHandle",
    "ParseError",
    "Prefix",
    "Route",
    "RouteObject",
    "RpkiState",
    "Segment",
    "SegmentType",
    "Verdict",
    "Vrp",
    "parse_asn",
    "set_prefix_ref",
    "set_prefix_source",
    "unique",
]


@dataclass(frozen=True, slots=True)
class Route:
    """A route as received on one BGP session, before any import policy.

    ``prefix`` is None and ``problem`` says why when the input could not be read; such a
    route gets the verdict X-MALFORMED instead of being dropped.
    """

    peer_asn: int
    prefix: Prefix | None
    as_path: AsPath
    session: str | None = None
    problem: str | None = None
    raw_prefix: str = ""
    communities: tuple[str, ...] = ()  # as text: "65001:100", "65001:1:2" (large), ...

    @property
    def prefix_text(self) -> str:
        return str(self.prefix) if self.prefix is not None else self.raw_prefix


class RpkiState(enum.Enum):
    """RFC 6811 origin validation states, named as Hurricane Electric names them."""

    VALID = "VALID"
    INVALID_ASN = "INVALID_ASN"
    INVALID_LENGTH = "INVALID_LENGTH"
    UNKNOWN = "UNKNOWN"


class Vrp(NamedTuple):
    """A validated ROA payload. ``expires`` is a Unix time or None (a named tuple: a full
    snapshot holds about a million)."""

    prefix: Prefix
    max_length: int
    asn: int
    ta: str = ""
    expires: int | None = None

    def covers(self, prefix: Prefix) -> bool:
        return self.prefix.contains(prefix)


@dataclass(frozen=True, slots=True)
class Aspa:
    """An ASPA record: the customer AS and the set of its provider ASes (SPAS).

    ``providers`` is sorted and free of repeats; an ASPA whose only provider is AS 0 says
    "this AS has no providers" and is held as an empty tuple (every provider asked about
    is then "Not Provider+"). ``expires`` is a Unix time or None, as for a :class:`Vrp`.
    """

    customer: int
    providers: tuple[int, ...]
    expires: int | None = None

    @staticmethod
    def of(customer: int, providers: Sequence[int], expires: int | None = None) -> Aspa:
        """An ASPA from providers as found (any order, repeats, AS 0 alone for none)."""
        spas = tuple(sorted(set(providers) - {0}))
        return Aspa(customer, spas, expires)


class RouteObject(NamedTuple):
    """An IRR route or route6 object (a named tuple: a full snapshot holds millions).

    A row whose ``source`` is ``REF@SOURCES`` (see :func:`set_prefix_source`) is not an
    object but one prefix of an as-set's prefix list as an IRR server gave it (``!a6``):
    it stands for route objects whose origins are in the set, and its ``origin`` is 0.
    """

    prefix: Prefix
    origin: int
    source: str = ""


def set_prefix_source(ref: str, sources: Sequence[str]) -> str:
    """The ``source`` of a prefix-list row: the opted-in set as configured (upper-cased,
    ``SOURCE::`` kept) and the IRR sources the server was asked, ``AS-X@RIPE,RADB``."""
    return f"{ref.strip().upper()}@{','.join(sources)}"


def set_prefix_ref(source: str) -> str | None:
    """The as-set of a prefix-list row's ``source``, or None for a real route object (a
    real IRR source name never holds ``@``)."""
    ref, sep, _ = source.rpartition("@")
    return ref if sep else None


@dataclass(frozen=True, slots=True)
class AsSet:
    """An RPSL as-set: ``members`` are AS numbers (``AS65001``) or set names, as written."""

    name: str
    members: tuple[str, ...]
    source: str = ""


class DelegationStatus(enum.Enum):
    ALLOCATED = "allocated"
    ASSIGNED = "assigned"
    AVAILABLE = "available"
    RESERVED = "reserved"


@dataclass(frozen=True, slots=True)
class IpDelegation:
    """One prefix of an IPv4/IPv6 row of an RIR delegated-extended statistics file."""

    registry: str
    prefix: Prefix
    status: DelegationStatus
    opaque_id: str
    cc: str = ""


@dataclass(frozen=True, slots=True)
class AsnDelegation:
    """An ASN row of an RIR delegated-extended statistics file: ``count`` ASNs from ``first``."""

    registry: str
    first: int
    count: int
    status: DelegationStatus
    opaque_id: str
    cc: str = ""

    def contains(self, asn: int) -> bool:
        return self.first <= asn < self.first + self.count


@dataclass(frozen=True, slots=True)
class AsnBlock:
    """A row of the IANA AS-number registry: ``first``..``last`` and what IANA says of it."""

    first: int
    last: int
    description: str

    @property
    def allocated(self) -> bool:
        """True for blocks IANA shows as given out ("Assigned by ARIN", ...)."""
        return self.description.lower().startswith("assigned by")


@dataclass(frozen=True, slots=True)
class Bogon:
    """A prefix that must never be routed, with the reason it is one."""

    prefix: Prefix
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ExchangePrefix:
    """A LAN prefix of an exchange the local network is connected to (rule 3.5)."""

    prefix: Prefix
    exchange: str
    peeringdb_ix: int | None = None


@dataclass(frozen=True, slots=True)
class OrgHandle:
    """An ``org:`` handle from an RPSL inetnum/inet6num (``prefixes``) or aut-num (``asn``)."""

    org: str
    source: str
    prefixes: tuple[Prefix, ...] = ()
    asn: int | None = None


class Action(enum.Enum):
    ACCEPT = "accept"
    REJECT = "reject"


class Verdict(NamedTuple):
    """The decision for one route (merged over the sessions it was received on).

    Immutable like the other outcomes; a named tuple rather than a frozen dataclass
    because a full table makes hundreds of thousands of them per run, and a tuple is
    built several times faster.
    """

    peer_asn: int
    prefix: str
    as_path: str
    origin_asn: int | None
    action: Action
    rule: str
    reason: str
    rpki: RpkiState | None
    sessions: tuple[str, ...]
    evidence: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "peer_asn": self.peer_asn,
            "prefix": self.prefix,
            "as_path": self.as_path,
            "origin_asn": self.origin_asn,
            "action": _ACTION_TEXT[self.action],
            "rule": self.rule,
            "reason": self.reason,
            "rpki": _STATE_TEXT[self.rpki],
            "sessions": list(self.sessions),
            "evidence": self.evidence,
        }

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> Verdict:
        """The verdict ``to_json`` wrote (a stored run's line, a verdict table's row with
        its evidence parsed); ``KeyError``/``TypeError``/``ValueError`` when it is not one."""
        evidence = d["evidence"]
        if not isinstance(evidence, dict):
            raise TypeError(f"evidence is {type(evidence).__name__}, not an object")
        origin = d["origin_asn"]
        rpki = d["rpki"]
        return Verdict(
            int(d["peer_asn"]),
            str(d["prefix"]),
            str(d["as_path"]),
            None if origin is None else int(origin),
            Action(d["action"]),
            str(d["rule"]),
            str(d["reason"]),
            None if rpki is None else RpkiState(rpki),
            tuple(str(s) for s in d["sessions"]),
            evidence,
        )


_ACTION_TEXT = {a: a.value for a in Action}
_STATE_TEXT: dict[RpkiState | None, str | None] = {s: s.value for s in RpkiState}
_STATE_TEXT[None] = None


def unique(items: Sequence[str]) -> tuple[str, ...]:
    """Items in first-seen order without repeats."""
    return tuple(dict.fromkeys(items))
