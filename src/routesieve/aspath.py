"""AS paths as segments (RFC 4271, RFC 5065) and AS numbers, read from text or JSON."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

from routesieve.numbers import is_digits, shown
from routesieve.prefix import ParseError


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
                    raise ParseError(f"unclosed {c!r} in AS path {shown(text, 80)}")
                inner = text[i + 1 : end].replace(",", " ").split()
                if not inner:
                    raise ParseError(f"empty {c}{_CLOSE[kind]} in AS path {shown(text, 80)}")
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
        raise ParseError(f"not an AS number: {shown(token)} in AS path {shown(text, 80)}")
    token = token.strip()
    if token[:2].upper() == "AS":
        token = token[2:]
    if "." in token:  # asdot: high.low
        high, _, low = token.partition(".")
        if is_digits(high, 5) and is_digits(low, 5) and int(high) < 65536 and int(low) < 65536:
            return int(high) * 65536 + int(low)
    if not is_digits(token, 10) or int(token) > MAX_ASN:
        raise ParseError(f"not an AS number: {shown(token)} in AS path {shown(text, 80)}")
    return int(token)


def _json_asn(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ParseError(f"not an AS number: {shown(repr(value))}")
    if isinstance(value, str):
        return _asn(value, value)
    if not 0 <= value <= MAX_ASN:
        raise ParseError(f"not an AS number: {shown(repr(value))}")
    return value


def parse_asn(value: Any) -> int:
    """An AS number from ``65001``, ``"65001"``, ``"AS65001"`` or asdot ``"1.10"``."""
    return _json_asn(value)
