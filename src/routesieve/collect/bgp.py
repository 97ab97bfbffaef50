"""Decoding the parts of BGP messages that received routes are made of.

BGP UPDATE messages (RFC 4271): withdrawn routes, path attributes and NLRI; AS_PATH
with 2- or 4-octet AS numbers and AS4_PATH merged per RFC 6793; MP_REACH_NLRI and
MP_UNREACH_NLRI (RFC 4760) for IPv4 and IPv6 unicast; ADD-PATH path identifiers
(RFC 7911). Used by the MRT reader; everything works on ``bytes`` with offsets.

A framing error (a length that runs past its field) raises :class:`Malformed`: the
whole MRT record is then unusable. A bad AS_PATH inside well-framed attributes does
not: the routes are kept with ``Attributes.problem`` set, to be judged as malformed.
"""

from __future__ import annotations

import contextlib
import struct
from dataclasses import dataclass, field

from routesieve.model import AsPath, Prefix, Segment, SegmentType

AS_TRANS = 23456
ATTR_AS_PATH = 2
ATTR_MP_REACH = 14
ATTR_MP_UNREACH = 15
ATTR_AS4_PATH = 17
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_CACHE_LIMIT = 500_000

Nlri = tuple[Prefix, int | None]


class Malformed(ValueError):
    """A BGP message or MRT record whose lengths do not fit; the message says where."""


@dataclass
class Attributes:
    """What a received route needs from the path attributes of one UPDATE or RIB entry."""

    as_path: AsPath | None = None
    problem: str | None = None
    announce: list[Nlri] = field(default_factory=list)
    withdraw: list[Nlri] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


_prefix_cache: tuple[dict[bytes, Prefix], dict[bytes, Prefix]] = ({}, {})
_path_cache: dict[tuple[int, bytes, bytes | None], AsPath | str] = {}
_rib_cache: dict[bytes, tuple[AsPath | None, str | None]] = {}


def decode_nlri(data: bytes, pos: int, end: int, version: int, addpath: bool) -> list[Nlri]:
    """The prefixes (and ADD-PATH ids) of an NLRI field ``data[pos:end]``."""
    bits = 32 if version == 4 else 128
    cache = _prefix_cache[0 if version == 4 else 1]
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    out: list[Nlri] = []
    path_id: int | None = None
    while pos < end:
        if addpath:
            if pos + 4 > end:
                raise Malformed("ADD-PATH path id runs past the NLRI field")
            path_id = _U32.unpack_from(data, pos)[0]
            pos += 4
        if pos >= end:
            raise Malformed("NLRI ends after a path id")
        plen = data[pos]
        stop = pos + 1 + ((plen + 7) >> 3)
        if plen > bits:
            raise Malformed(f"prefix length {plen} over {bits} in IPv{version} NLRI")
        if stop > end:
            raise Malformed("prefix runs past the NLRI field")
        raw = data[pos:stop]
        prefix = cache.get(raw)
        if prefix is None:
            value = int.from_bytes(raw[1:], "big") << (bits - 8 * (len(raw) - 1))
            prefix = cache[raw] = Prefix.from_address(version, value, plen)
        out.append((prefix, path_id))
        pos = stop
    return out


def decode_as_path(raw: bytes, asn_size: int) -> AsPath:
    """An AS_PATH or AS4_PATH value; adjacent AS_SEQUENCE segments are joined."""
    segments: list[Segment] = []
    pos, n = 0, len(raw)
    code = "I" if asn_size == 4 else "H"
    while pos < n:
        if pos + 2 > n:
            raise Malformed("AS_PATH segment header cut short")
        stype, count = raw[pos], raw[pos + 1]
        pos += 2
        if stype not in (1, 2, 3, 4):
            raise Malformed(f"unknown AS_PATH segment type {stype}")
        if count == 0:
            raise Malformed("empty AS_PATH segment")
        stop = pos + count * asn_size
        if stop > n:
            raise Malformed("AS_PATH segment runs past the attribute")
        asns = struct.unpack_from(f">{count}{code}", raw, pos)
        pos = stop
        if stype == 2 and segments and segments[-1].type == SegmentType.AS_SEQUENCE:
            segments[-1] = Segment(SegmentType.AS_SEQUENCE, segments[-1].asns + asns)
        else:
            segments.append(Segment(SegmentType(stype), asns))
    return AsPath(tuple(segments))


def _hops(seg: Segment) -> int:
    if seg.type == SegmentType.AS_SEQUENCE:
        return len(seg.asns)
    return 1 if seg.type == SegmentType.AS_SET else 0


def merge_as4_path(as_path: AsPath, as4_path: AsPath) -> AsPath:
    """RFC 6793 section 4.2.3: the leading ASes of AS_PATH, then the whole AS4_PATH.

    When AS4_PATH is longer than AS_PATH (counting an AS_SET as one and confederation
    segments as none) it is ignored.
    """
    keep = sum(map(_hops, as_path.segments)) - sum(map(_hops, as4_path.segments))
    if keep < 0:
        return as_path
    lead: list[Segment] = []
    for seg in as_path.segments:
        if keep <= 0 and seg.type in (SegmentType.AS_SEQUENCE, SegmentType.AS_SET):
            break
        if seg.type == SegmentType.AS_SEQUENCE:
            lead.append(Segment(seg.type, seg.asns[:keep]))
            keep -= min(keep, len(seg.asns))
        elif seg.type == SegmentType.AS_SET:
            lead.append(seg)
            keep -= 1
        else:
            lead.append(seg)
    merged: list[Segment] = []
    for seg in lead + list(as4_path.segments):
        if merged and seg.type == merged[-1].type == SegmentType.AS_SEQUENCE:
            merged[-1] = Segment(seg.type, merged[-1].asns + seg.asns)
        elif seg.asns:
            merged.append(seg)
    return AsPath(tuple(merged))


def _path(raw: bytes, raw4: bytes | None, asn_size: int) -> AsPath | str:
    """The AS path (AS4_PATH merged when due), or a problem text; cached by the bytes."""
    key = (asn_size, raw, raw4)
    hit = _path_cache.get(key)
    if hit is not None:
        return hit
    result: AsPath | str
    try:
        result = decode_as_path(raw, asn_size)
        if raw4 is not None and AS_TRANS in result.asns():
            with contextlib.suppress(Malformed):  # RFC 6793: a bad AS4_PATH is ignored
                result = merge_as4_path(result, decode_as_path(raw4, 4))
    except Malformed as exc:
        result = f"malformed AS_PATH: {exc}"
    if len(_path_cache) > _CACHE_LIMIT:
        _path_cache.clear()
    _path_cache[key] = result
    return result


def decode_attributes(
    data: bytes, pos: int, end: int, asn_size: int, addpath: bool, rib: bool = False
) -> Attributes:
    """Path attributes ``data[pos:end]``: the AS path and any MP_(UN)REACH_NLRI prefixes.

    ``rib`` marks a TABLE_DUMP_V2 entry, whose MP_REACH_NLRI holds only a next hop
    (RFC 6396 section 4.3.4) and whose AS_PATH is always 4-octet.
    """
    if rib:
        blob = data[pos:end]
        known = _rib_cache.get(blob)
        if known is not None:
            return Attributes(known[0], known[1])
    attrs = Attributes()
    raw_path: bytes | None = None
    raw4: bytes | None = None
    while pos < end:
        if pos + 3 > end:
            raise Malformed("path attribute header cut short")
        flags, code = data[pos], data[pos + 1]
        if flags & 0x10:
            if pos + 4 > end:
                raise Malformed("path attribute header cut short")
            length = _U16.unpack_from(data, pos + 2)[0]
            pos += 4
        else:
            length = data[pos + 2]
            pos += 3
        stop = pos + length
        if stop > end:
            raise Malformed(f"path attribute {code} runs past the attributes")
        if code == ATTR_AS_PATH:
            if raw_path is None:
                raw_path = data[pos:stop]
        elif code == ATTR_AS4_PATH:
            raw4 = data[pos:stop]
        elif code in (ATTR_MP_REACH, ATTR_MP_UNREACH) and not rib:
            _mp(data, pos, stop, code == ATTR_MP_REACH, addpath, attrs)
        pos = stop
    if raw_path is not None:
        path = _path(raw_path, raw4 if asn_size == 2 else None, asn_size)
        if isinstance(path, str):
            attrs.problem = path
            attrs.as_path = AsPath(())
        else:
            attrs.as_path = path
    if rib:
        if len(_rib_cache) > _CACHE_LIMIT:
            _rib_cache.clear()
        _rib_cache[blob] = (attrs.as_path, attrs.problem)
    return attrs


def _mp(data: bytes, pos: int, end: int, reach: bool, addpath: bool, attrs: Attributes) -> None:
    if pos + 3 > end:
        raise Malformed("MP_(UN)REACH_NLRI cut short")
    afi = _U16.unpack_from(data, pos)[0]
    safi = data[pos + 2]
    pos += 3
    if afi not in (1, 2) or safi != 1:
        attrs.skipped.append(f"{'MP_REACH' if reach else 'MP_UNREACH'} AFI {afi} SAFI {safi}")
        return
    if reach:
        if pos >= end:
            raise Malformed("MP_REACH_NLRI cut short")
        pos += 1 + data[pos] + 1  # next hop length, next hop, reserved
        if pos > end:
            raise Malformed("MP_REACH_NLRI next hop runs past the attribute")
    nlri = decode_nlri(data, pos, end, 4 if afi == 1 else 6, addpath)
    (attrs.announce if reach else attrs.withdraw).extend(nlri)


def decode_update(
    data: bytes, pos: int, end: int, asn_size: int, addpath: bool
) -> tuple[list[Nlri], Attributes, list[Nlri]]:
    """A BGP UPDATE body ``data[pos:end]`` (after the 19-octet header).

    Returns (withdrawn routes field, attributes, NLRI field); the MP_(UN)REACH_NLRI
    prefixes are in the attributes.
    """
    if pos + 2 > end:
        raise Malformed("UPDATE cut short before withdrawn routes length")
    wlen = _U16.unpack_from(data, pos)[0]
    wend = pos + 2 + wlen
    if wend + 2 > end:
        raise Malformed("withdrawn routes run past the UPDATE")
    withdrawn = decode_nlri(data, pos + 2, wend, 4, addpath)
    alen = _U16.unpack_from(data, wend)[0]
    aend = wend + 2 + alen
    if aend > end:
        raise Malformed("path attributes run past the UPDATE")
    attrs = decode_attributes(data, wend + 2, aend, asn_size, addpath)
    nlri = decode_nlri(data, aend, end, 4, addpath)
    return withdrawn, attrs, nlri
