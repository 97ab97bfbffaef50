"""Encoding and decoding of RTR PDUs (draft-ietf-sidrops-8210bis version 2 as StayRTR
speaks it, RFC 8210 version 1, RFC 6810 version 0). No I/O.

Every PDU starts with an 8-byte header (protocol version, PDU type, a 16-bit field that is
a session id, flags or an error code, and the total length); :func:`read_header` checks a
header on its own, so that a reader over a socket can refuse an impossible length before
waiting for its bytes, and :func:`decode` decodes one whole PDU. Malformed bytes raise
:class:`PduError`, saying which PDU type, which length and at which offset of the data.
"""

from __future__ import annotations

import struct
from typing import NoReturn

from routesieve.model import BITS, Prefix
from routesieve.sources.rtr.pdu import (
    HEADER,
    VERSIONS,
    AspaPdu,
    CacheReset,
    CacheResponse,
    EndOfData,
    ErrorCode,
    ErrorReport,
    Header,
    Pdu,
    PduError,
    PduType,
    PrefixPdu,
    ResetQuery,
    RouterKey,
    SerialNotify,
    SerialQuery,
)

__all__ = ["decode", "decode_body", "encode", "read_header"]

_Bytes = bytes | bytearray | memoryview
_HEAD = struct.Struct("!BBHI")
_SERIAL = struct.Struct("!I")
_TIMERS = struct.Struct("!IIII")
_V4 = struct.Struct("!BBBBII")
_V6 = struct.Struct("!BBBB16sI")
_ASPA = struct.Struct("!BBHI")  # flags, AFI flags, provider count, customer ASN
_ANNOUNCE = 1


class _Malformed(Exception):
    """A bad body field, turned into a :class:`PduError` with the PDU's offset and type."""


def _fixed_length(pdu_type: PduType, version: int) -> int | None:
    """The one length a PDU of this type may have, or None when it varies."""
    if pdu_type in (PduType.SERIAL_NOTIFY, PduType.SERIAL_QUERY):
        return 12
    if pdu_type in (PduType.RESET_QUERY, PduType.CACHE_RESPONSE, PduType.CACHE_RESET):
        return 8
    if pdu_type is PduType.IPV4_PREFIX:
        return 20
    if pdu_type is PduType.IPV6_PREFIX:
        return 32
    if pdu_type is PduType.END_OF_DATA:
        return 12 if version == 0 else 24
    return None


_MIN_LENGTH = {PduType.ROUTER_KEY: 32, PduType.ERROR_REPORT: 16, PduType.ASPA: 12}
_SINCE = {PduType.ROUTER_KEY: 1, PduType.ASPA: 2}  # the first version a type exists in


#: (version << 8 | type) -> (type, lowest length, highest length or 0 for ``max_length``)
_SHAPES = {
    version << 8 | kind: (kind, fixed or _MIN_LENGTH[kind], fixed or 0)
    for version in VERSIONS
    for kind in PduType
    if version >= _SINCE.get(kind, 0)
    for fixed in [_fixed_length(kind, version)]
}


def read_header(data: _Bytes, offset: int = 0, max_length: int = 65535) -> Header:
    """Read and check the 8-byte header at ``offset``: a known version and type, and the
    length that type allows (for variable-length types, at most ``max_length``)."""
    if len(data) - offset >= HEADER:
        version, raw_type, field, length = _HEAD.unpack_from(data, offset)
        shape = _SHAPES.get(version << 8 | raw_type)
        if shape is not None and shape[1] <= length <= (shape[2] or max_length):
            return Header(version, shape[0], field, length)
    _refuse_header(data, offset, max_length)


def _refuse_header(data: _Bytes, offset: int, max_length: int) -> NoReturn:
    """Raise the :class:`PduError` that says what is wrong with a header."""
    if len(data) - offset < HEADER:
        raise PduError(f"truncated header: {len(data) - offset} of {HEADER} bytes", offset=offset)
    version, raw_type, _, length = _HEAD.unpack_from(data, offset)
    try:
        pdu_type = PduType(raw_type)
    except ValueError:
        raise PduError(
            f"unknown PDU type {raw_type} (length {length})",
            offset=offset,
            code=ErrorCode.UNSUPPORTED_PDU_TYPE,
        ) from None
    if version not in VERSIONS:
        raise PduError(
            f"unsupported protocol version {version} (0, 1 and 2 are supported)",
            offset=offset,
            pdu_type=raw_type,
            code=ErrorCode.UNSUPPORTED_PROTOCOL_VERSION,
        )
    if version < _SINCE.get(pdu_type, 0):
        raise PduError(
            f"{_NAMES[pdu_type]} PDUs do not exist in version {version}",
            offset=offset,
            pdu_type=raw_type,
        )
    fixed = _fixed_length(pdu_type, version)
    if fixed is not None and length != fixed:
        raise PduError(
            f"length {length}, but a version {version} PDU of this type is {fixed} bytes",
            offset=offset,
            pdu_type=raw_type,
        )
    if fixed is None and not _MIN_LENGTH[pdu_type] <= length <= max_length:
        raise PduError(
            f"length {length} is outside {_MIN_LENGTH[pdu_type]}..{max_length}",
            offset=offset,
            pdu_type=raw_type,
        )
    raise AssertionError(f"header {bytes(data[offset : offset + HEADER]).hex()} is valid")


_NAMES = {PduType.ROUTER_KEY: "Router Key", PduType.ASPA: "ASPA"}


def decode(data: _Bytes, offset: int = 0, max_length: int = 65535) -> tuple[Pdu, int]:
    """Decode the PDU at ``offset``; return it and the offset just past it."""
    head = read_header(data, offset, max_length)
    end = offset + head.length
    if len(data) < end:
        raise PduError(
            f"truncated: length {head.length}, but only {len(data) - offset} bytes",
            offset=offset,
            pdu_type=head.pdu_type,
        )
    return decode_body(head, data, offset), end


def decode_body(head: Header, data: _Bytes, offset: int) -> Pdu:
    """Decode the PDU whose checked ``head`` is at ``offset`` (all its bytes are there)."""
    try:
        return _decode_body(head, data, offset)
    except _Malformed as exc:
        raise PduError(str(exc), offset=offset, pdu_type=head.pdu_type) from None


def _decode_body(head: Header, data: _Bytes, at: int) -> Pdu:
    version, kind, field, length = head
    body = at + HEADER
    if kind is PduType.IPV4_PREFIX or kind is PduType.IPV6_PREFIX:
        if kind is PduType.IPV4_PREFIX:
            flags, plen, maxlen, _zero, value, asn = _V4.unpack_from(data, body)
            family = 4
        else:
            flags, plen, maxlen, _zero, raw, asn = _V6.unpack_from(data, body)
            value = int.from_bytes(raw, "big")
            family = 6
        bits = BITS[family]
        if not plen <= maxlen <= bits:
            raise _Malformed(f"prefix length {plen} and max length {maxlen} (at most {bits})")
        if value & ((1 << (bits - plen)) - 1):
            raise _Malformed(f"prefix has bits set past its length /{plen}")
        return PrefixPdu(version, bool(flags & _ANNOUNCE), Prefix(family, value, plen), maxlen, asn)
    if kind is PduType.END_OF_DATA:
        (serial,) = _SERIAL.unpack_from(data, body)
        if version == 0:
            return EndOfData(version, field, serial)
        _, refresh, retry, expire = _TIMERS.unpack_from(data, body)
        return EndOfData(version, field, serial, refresh, retry, expire)
    if kind is PduType.SERIAL_NOTIFY:
        return SerialNotify(version, field, _SERIAL.unpack_from(data, body)[0])
    if kind is PduType.SERIAL_QUERY:
        return SerialQuery(version, field, _SERIAL.unpack_from(data, body)[0])
    if kind is PduType.CACHE_RESPONSE:
        return CacheResponse(version, field)
    if kind is PduType.RESET_QUERY:
        return ResetQuery(version)
    if kind is PduType.CACHE_RESET:
        return CacheReset(version)
    if kind is PduType.ROUTER_KEY:
        ski = bytes(data[body : body + 20])
        (asn,) = _SERIAL.unpack_from(data, body + 20)
        spki = bytes(data[body + 24 : at + length])
        return RouterKey(version, bool((field >> 8) & _ANNOUNCE), ski, asn, spki)
    if kind is PduType.ASPA:
        return _decode_aspa(version, field, data, at, length)
    return _decode_error_report(version, field, data, at, length)


def _decode_aspa(version: int, field: int, data: _Bytes, at: int, length: int) -> Pdu:
    """The 8210bis-10 layout has a zero header field and at least 16 bytes; the later one
    has its flags in the header (announce set) or is a 12-byte withdrawal."""
    if length == HEADER + 4 or field >> 8:
        if (length - HEADER - 4) % 4:
            raise _Malformed(f"length {length} is not 12 + 4 per provider")
        (customer,) = _SERIAL.unpack_from(data, at + HEADER)
        providers = struct.unpack_from(f"!{(length - HEADER - 4) // 4}I", data, at + HEADER + 4)
        return AspaPdu(version, bool((field >> 8) & _ANNOUNCE), False, customer, providers, False)
    flags, afi, count, customer = _ASPA.unpack_from(data, at + HEADER)
    if HEADER + 8 + 4 * count != length:
        raise _Malformed(f"{count} providers do not fit length {length} (16 + 4 per provider)")
    if afi > 1:
        raise _Malformed(f"AFI flags {afi:#04x}: only bit 0 (IPv6) is defined")
    start = at + HEADER + 8
    providers = struct.unpack_from(f"!{count}I", data, start)
    return AspaPdu(version, bool(flags & _ANNOUNCE), bool(afi), customer, providers)


def _decode_error_report(version: int, code: int, data: _Bytes, at: int, length: int) -> Pdu:
    end = at + length
    (inner,) = _SERIAL.unpack_from(data, at + HEADER)
    text_at = at + HEADER + 4 + inner
    if text_at + 4 > end:
        raise _Malformed(f"encapsulated PDU of {inner} bytes does not fit in length {length}")
    (text_len,) = _SERIAL.unpack_from(data, text_at)
    if text_at + 4 + text_len != end:
        raise _Malformed(
            f"encapsulated PDU ({inner}) and text ({text_len}) do not add up to length {length}"
        )
    pdu = bytes(data[at + HEADER + 4 : text_at])
    text = bytes(data[text_at + 4 : end]).decode("utf-8", "replace").rstrip("\x00")
    return ErrorReport(version, code, pdu, text)


def encode(pdu: Pdu) -> bytes:
    """The bytes of one PDU (the inverse of :func:`decode`)."""
    if isinstance(pdu, PrefixPdu):
        version, announce, prefix, maxlen, asn = pdu
        flags = _ANNOUNCE if announce else 0
        if prefix.version == 4:
            body = _V4.pack(flags, prefix.length, maxlen, 0, prefix.value, asn)
            return _HEAD.pack(version, PduType.IPV4_PREFIX, 0, 20) + body
        raw = prefix.value.to_bytes(16, "big")
        body = _V6.pack(flags, prefix.length, maxlen, 0, raw, asn)
        return _HEAD.pack(version, PduType.IPV6_PREFIX, 0, 32) + body
    if isinstance(pdu, SerialNotify | SerialQuery):
        kind = PduType.SERIAL_NOTIFY if isinstance(pdu, SerialNotify) else PduType.SERIAL_QUERY
        return _HEAD.pack(pdu.version, kind, pdu.session_id, 12) + _SERIAL.pack(pdu.serial)
    if isinstance(pdu, ResetQuery | CacheReset):
        kind = PduType.RESET_QUERY if isinstance(pdu, ResetQuery) else PduType.CACHE_RESET
        return _HEAD.pack(pdu.version, kind, 0, 8)
    if isinstance(pdu, CacheResponse):
        return _HEAD.pack(pdu.version, PduType.CACHE_RESPONSE, pdu.session_id, 8)
    if isinstance(pdu, EndOfData):
        if pdu.version == 0:
            return _HEAD.pack(0, PduType.END_OF_DATA, pdu.session_id, 12) + _SERIAL.pack(pdu.serial)
        timers = _TIMERS.pack(pdu.serial, pdu.refresh or 0, pdu.retry or 0, pdu.expire or 0)
        return _HEAD.pack(pdu.version, PduType.END_OF_DATA, pdu.session_id, 24) + timers
    if isinstance(pdu, RouterKey):
        if len(pdu.ski) != 20:
            raise ValueError(f"a Subject Key Identifier is 20 bytes, not {len(pdu.ski)}")
        flags = (_ANNOUNCE if pdu.announce else 0) << 8
        length = HEADER + 24 + len(pdu.spki)
        head = _HEAD.pack(pdu.version, PduType.ROUTER_KEY, flags, length)
        return head + pdu.ski + _SERIAL.pack(pdu.asn) + pdu.spki
    if isinstance(pdu, AspaPdu) and not pdu.afi_layout:
        count = len(pdu.providers)
        flags = (_ANNOUNCE if pdu.announce else 0) << 8
        head = _HEAD.pack(pdu.version, PduType.ASPA, flags, HEADER + 4 + 4 * count)
        return head + struct.pack(f"!I{count}I", pdu.customer, *pdu.providers)
    if isinstance(pdu, AspaPdu):
        count = len(pdu.providers)
        head = _HEAD.pack(pdu.version, PduType.ASPA, 0, HEADER + 8 + 4 * count)
        flags = _ANNOUNCE if pdu.announce else 0
        body = _ASPA.pack(flags, 1 if pdu.ipv6 else 0, count, pdu.customer)
        return head + body + struct.pack(f"!{count}I", *pdu.providers)
    text = pdu.text.encode()
    length = HEADER + 8 + len(pdu.pdu) + len(text)
    head = _HEAD.pack(pdu.version, PduType.ERROR_REPORT, pdu.code, length)
    return head + _SERIAL.pack(len(pdu.pdu)) + pdu.pdu + _SERIAL.pack(len(text)) + text
