"""Frozen value types shared by every layer.

Nothing here does I/O. Prefixes are kept as integers (address family, network value,
length) rather than :mod:`ipaddress` objects: they are hashed and compared millions of
times per run, and the engine turns them into numpy columns.
"""

from __future__ import annotations

import enum
import ipaddress
import socket
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

BITS = {4: 32, 6: 128}


class ParseError(ValueError):
    """A value from outside could not be read; the message says what and why."""


class Prefix(NamedTuple):
    """An IP prefix: ``version`` 4 or 6, ``value`` the network as an integer, ``length``.

    Host bits are always zero (``parse`` clears them, as BGP's NLRI encoding does).
    Immutable; a named tuple because millions are made, hashed and compared per run, and
    a tuple does that in C. Ordered by family, then address, then length.
    """

    version: int
    value: int
    length: int

    @staticmethod
    def parse(text: str) -> Prefix:
        """Read ``"2001:db8::/32"`` or ``"192.0.2.0/24"``; a bare address is a host route."""
        text = text.strip()
        addr, sep, plen = text.partition("/")
        try:
            if ":" in addr:
                version = 6
                value = int.from_bytes(socket.inet_pton(socket.AF_INET6, addr), "big")
            else:
                version = 4
                value = int.from_bytes(socket.inet_aton(addr), "big")
                if addr.count(".") != 3:
                    raise OSError
        except (OSError, ValueError):
            raise ParseError(f"not an IP prefix: {text!r}") from None
        bits = BITS[version]
        if sep:
            if not plen.isdigit():
                raise ParseError(f"not an IP prefix: {text!r} (bad length)")
            length = int(plen)
            if length > bits:
                raise ParseError(f"not an IP prefix: {text!r} (length over {bits})")
        else:
            length = bits
        return Prefix(version, value & _mask(bits, length), length)

    @staticmethod
    def from_address(version: int, value: int, length: int) -> Prefix:
        bits = BITS[version]
        return Prefix(version, value & _mask(bits, length), length)

    @property
    def bits(self) -> int:
        return BITS[self.version]

    @property
    def last(self) -> int:
        """The highest address inside the prefix, as an integer."""
        return self.value | ((1 << (self.bits - self.length)) - 1)

    def key(self, length: int) -> int:
        """The top ``length`` bits of the network (the key of its /length supernet)."""
        return self.value >> (self.bits - length)

    def contains(self, other: Prefix) -> bool:
        """True when ``other`` is a subnet of this prefix (equal or more specific)."""
        return (
            self.version == other.version
            and other.length >= self.length
            and other.value >> (self.bits - self.length) == self.value >> (self.bits - self.length)
        )

    def address_text(self) -> str:
        if self.version == 4:
            return socket.inet_ntoa(self.value.to_bytes(4, "big"))
        return socket.inet_ntop(socket.AF_INET6, self.value.to_bytes(16, "big"))

    def __str__(self) -> str:
        return f"{self.address_text()}/{self.length}"

    def __repr__(self) -> str:
        return f"Prefix({str(self)!r})"

    @staticmethod
    def from_range(version: int, first: int, count: int) -> list[Prefix]:
        """The fewest CIDR prefixes that cover ``count`` addresses from ``first``.

        RIR statistics give IPv4 blocks as a start and a host count that need not be a
        power of two (for example 1536 = a /23 and a /24).
        """
        if count <= 0 or first < 0 or first + count > 1 << BITS[version]:
            raise ParseError(f"bad address range: start {first}, count {count}")
        cls = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
        nets = ipaddress.summarize_address_range(cls(first), cls(first + count - 1))
        return [Prefix(version, int(n.network_address), n.prefixlen) for n in nets]


def _mask(bits: int, length: int) -> int:
    return ((1 << bits) - 1) ^ ((1 << (bits - length)) - 1)


class SegmentType(enum.IntEnum):
    """AS_PATH segment types (RFC 4271, RFC 5065)."""

    AS_SET = 1
    AS_SEQUENCE = 2
    AS_CONFED_SEQUENCE = 3
    AS_CONFED_SET = 4


_OPEN = {
    "{": SegmentType.AS_SET,
    "(": SegmentType.AS_CONFED_SEQUENCE,
    "[": SegmentType.AS_CONFED_SET,
}
_CLOSE = {
    SegmentType.AS_SET: "}",
    SegmentType.AS_CONFED_SEQUENCE: ")",
    SegmentType.AS_CONFED_SET: "]",
}
MAX_ASN = 4294967295


class Segment(NamedTuple):
    type: SegmentType
    asns: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class AsPath:
    """A received AS_PATH as segments.

    Text form (input and output): ASNs separated by spaces; ``{a b}`` is an AS_SET,
    ``(a b)`` an AS_CONFED_SEQUENCE and ``[a b]`` an AS_CONFED_SET. Inside brackets
    commas are accepted too, as ``bgpdump`` writes them.
    """

    segments: tuple[Segment, ...]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AsPath) and self.segments == other.segments

    def __hash__(self) -> int:
        # paths are hashed once per received route when routes are merged: keep it cheap
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(self.segments)
            object.__setattr__(self, "_hash", cached)
        return cached

    @staticmethod
    def parse(text: str) -> AsPath:
        segments: list[Segment] = []
        seq: list[int] = []
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c in " \t,":
                i += 1
            elif c in _OPEN:
                kind = _OPEN[c]
                end = text.find(_CLOSE[kind], i + 1)
                if end < 0:
                    raise ParseError(f"unclosed {c!r} in AS path {text!r}")
                inner = text[i + 1 : end].replace(",", " ").split()
                if not inner:
                    raise ParseError(f"empty {c}{_CLOSE[kind]} in AS path {text!r}")
                if seq:
                    segments.append(Segment(SegmentType.AS_SEQUENCE, tuple(seq)))
                    seq = []
                segments.append(Segment(kind, tuple(_asn(tok, text) for tok in inner)))
                i = end + 1
            else:
                j = i
                while j < n and text[j] not in " \t,{([":
                    j += 1
                seq.append(_asn(text[i:j], text))
                i = j
        if seq:
            segments.append(Segment(SegmentType.AS_SEQUENCE, tuple(seq)))
        return AsPath(tuple(segments))

    @staticmethod
    def from_json(value: Any) -> AsPath:
        """``[65001, 65002, [65003, 65004]]``: an inner list is an AS_SET."""
        if isinstance(value, str):
            return AsPath.parse(value)
        if not isinstance(value, list):
            raise ParseError(f"AS path must be text or a list, not {type(value).__name__}")
        segments: list[Segment] = []
        seq: list[int] = []
        for item in value:
            if isinstance(item, list):
                if seq:
                    segments.append(Segment(SegmentType.AS_SEQUENCE, tuple(seq)))
                    seq = []
                if not item:
                    raise ParseError("empty AS_SET in AS path")
                segments.append(Segment(SegmentType.AS_SET, tuple(_json_asn(a) for a in item)))
            else:
                seq.append(_json_asn(item))
        if seq:
            segments.append(Segment(SegmentType.AS_SEQUENCE, tuple(seq)))
        return AsPath(tuple(segments))

    @staticmethod
    def sequence(asns: Iterable[int]) -> AsPath:
        asns = tuple(asns)
        return AsPath((Segment(SegmentType.AS_SEQUENCE, asns),) if asns else ())

    def __str__(self) -> str:
        parts = []
        for seg in self.segments:
            text = " ".join(map(str, seg.asns))
            if seg.type == SegmentType.AS_SEQUENCE:
                parts.append(text)
            else:
                opener = next(k for k, v in _OPEN.items() if v == seg.type)
                parts.append(f"{opener}{text}{_CLOSE[seg.type]}")
        return " ".join(parts)

    def asns(self) -> Iterator[int]:
        for seg in self.segments:
            yield from seg.asns

    @cached_property
    def is_empty(self) -> bool:
        return not any(seg.asns for seg in self.segments)

    @cached_property
    def has_set(self) -> bool:
        """True when any segment is an AS_SET or a confederation segment (rule 3.2)."""
        return any(seg.type != SegmentType.AS_SEQUENCE for seg in self.segments)

    @cached_property
    def origin(self) -> int | None:
        """The last AS when the path ends with an AS_SEQUENCE, else None."""
        if not self.segments or self.segments[-1].type != SegmentType.AS_SEQUENCE:
            return None
        return self.segments[-1].asns[-1]

    @cached_property
    def first(self) -> int | None:
        """The first AS of the path when the path starts with an AS_SEQUENCE."""
        if not self.segments or self.segments[0].type != SegmentType.AS_SEQUENCE:
            return None
        return self.segments[0].asns[0]

    @cached_property
    def hop_count(self) -> int:
        """RFC 4271 path length: every AS of a sequence, prepends included; a set counts one."""
        return sum(
            len(seg.asns)
            if seg.type in (SegmentType.AS_SEQUENCE, SegmentType.AS_CONFED_SEQUENCE)
            else 1
            for seg in self.segments
        )

    @cached_property
    def folded(self) -> tuple[int, ...] | None:
        """The sequence with consecutive repeats (prepends) folded; None when it has a set."""
        if self.has_set:
            return None
        out: list[int] = []
        for asn in self.asns():
            if not out or out[-1] != asn:
                out.append(asn)
        return tuple(out)


def _asn(token: str, text: str) -> int:
    if token.isascii():
        if token.isdigit() and len(token) < 10:  # the common case, fast: plain, in range
            return int(token)
        if token[:2] in ("AS", "as") and token[2:].isdigit() and len(token) < 12:
            return int(token[2:])
    elif not token.strip().isascii():
        raise ParseError(f"not an AS number: {token!r} in AS path {text!r}")
    token = token.strip()
    if token[:2].upper() == "AS":
        token = token[2:]
    if "." in token:  # asdot: high.low
        high, _, low = token.partition(".")
        if high.isdigit() and low.isdigit() and int(high) < 65536 and int(low) < 65536:
            return int(high) * 65536 + int(low)
    if not token.isdigit() or int(token) > MAX_ASN:
        raise ParseError(f"not an AS number: {token!r} in AS path {text!r}")
    return int(token)


def _json_asn(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ParseError(f"not an AS number: {value!r}")
    if isinstance(value, str):
        return _asn(value, value)
    if not 0 <= value <= MAX_ASN:
        raise ParseError(f"not an AS number: {value!r}")
    return value


def parse_asn(value: Any) -> int:
    """An AS number from ``65001``, ``"65001"``, ``"AS65001"`` or asdot ``"1.10"``."""
    return _json_asn(value)


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


class RouteObject(NamedTuple):
    """An IRR route or route6 object (a named tuple: a full snapshot holds millions)."""

    prefix: Prefix
    origin: int
    source: str = ""


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


_ACTION_TEXT = {a: a.value for a in Action}
_STATE_TEXT: dict[RpkiState | None, str | None] = {s: s.value for s in RpkiState}
_STATE_TEXT[None] = None


def unique(items: Sequence[str]) -> tuple[str, ...]:
    """Items in first-seen order without repeats."""
    return tuple(dict.fromkeys(items))
