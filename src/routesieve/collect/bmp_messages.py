"""BMP messages (RFC 7854), with the flags of RFC 8671 (Adj-RIB-Out) and RFC 9069 (Loc-RIB).

Pure parsing, no I/O. :func:`parse_header` reads the 6-octet common header (enough to
know how many bytes to read next), :func:`parse_message` one whole message. Every
malformed or truncated input raises :class:`BmpError` with the byte offset (counted from
``base``, the position of the message in its stream) and what was wrong. A Route
Monitoring message keeps its BGP UPDATE as bytes, framing checked;
:func:`routesieve.collect.bmp_update.route_update` decodes it with
:mod:`routesieve.collect.bgp`, with 2-octet AS numbers when the A flag says so and
ADD-PATH path ids for the address families the Peer Up OPENs negotiated.
"""

from __future__ import annotations

import socket
import struct

from routesieve.collect.bmp_types import (
    _STAT_AFI,
    _STAT_U32,
    _STAT_U64,
    BGP_HEADER,
    FLAG_A,
    FLAG_F,
    FLAG_L,
    FLAG_O,
    FLAG_V,
    PEER_DOWN_REASONS,
    TERMINATION_REASONS,
    Announcement,
    BmpError,
    Initiation,
    Message,
    MsgType,
    OpenMessage,
    PeerDown,
    PeerHeader,
    PeerType,
    PeerUp,
    RouteMirroring,
    RouteMonitoring,
    Stat,
    Statistics,
    Termination,
    UnknownMessage,
    Update,
    View,
)

__all__ = [  # the types are re-exported: callers need one module for BMP
    "BGP_HEADER",
    "COMMON_HEADER",
    "FLAG_A",
    "FLAG_F",
    "FLAG_L",
    "FLAG_O",
    "FLAG_V",
    "MAX_MESSAGE_LENGTH",
    "PEER_DOWN_REASONS",
    "TERMINATION_REASONS",
    "VERSION",
    "Announcement",
    "BmpError",
    "Initiation",
    "Message",
    "MsgType",
    "OpenMessage",
    "PeerDown",
    "PeerHeader",
    "PeerType",
    "PeerUp",
    "RouteMirroring",
    "RouteMonitoring",
    "Stat",
    "Statistics",
    "Termination",
    "UnknownMessage",
    "Update",
    "View",
    "iter_messages",
    "parse_header",
    "parse_message",
    "parse_peer_header",
]

VERSION = 3
COMMON_HEADER = 6
PEER_HEADER = 42
MAX_MESSAGE_LENGTH = 1 << 18  # a Peer Up with two extended (RFC 8654) OPENs fits
_U16, _U32, _U64 = struct.Struct(">H"), struct.Struct(">I"), struct.Struct(">Q")
_PEER = struct.Struct(">BBQ16sI4sII")
_MARKER = b"\xff" * 16


def parse_header(data: bytes, base: int = 0, limit: int = MAX_MESSAGE_LENGTH) -> tuple[int, int]:
    """(message type, message length) from the first 6 octets of ``data``."""
    if len(data) < COMMON_HEADER:
        raise BmpError(base + len(data), f"common header cut short ({len(data)} of 6 octets)")
    if data[0] != VERSION:
        raise BmpError(base, f"version {data[0]}, expected 3")
    length, mtype = _U32.unpack_from(data, 1)[0], data[5]
    if length < COMMON_HEADER:
        raise BmpError(base + 1, f"message length {length} is shorter than the common header")
    if length > limit:
        raise BmpError(base + 1, f"message length {length} over the limit of {limit}")
    if mtype <= MsgType.ROUTE_MIRRORING and mtype not in (4, 5) and length < 48:
        raise BmpError(base + 1, f"message length {length} leaves no room for the peer header")
    return mtype, length


def parse_message(data: bytes, base: int = 0, limit: int = MAX_MESSAGE_LENGTH) -> Message:
    """One whole BMP message; ``data`` must hold exactly that message."""
    mtype, length = parse_header(data, base, limit)
    if len(data) < length:
        raise BmpError(base + len(data), f"message cut short ({len(data)} of {length} octets)")
    if len(data) > length:
        raise BmpError(base + length, f"{len(data) - length} octets after the message")
    if mtype == MsgType.INITIATION:
        return Initiation(_info_tlvs(data, COMMON_HEADER, length, base))
    if mtype == MsgType.TERMINATION:
        return _termination(data, length, base)
    if mtype > MsgType.ROUTE_MIRRORING:
        return UnknownMessage(mtype, data[COMMON_HEADER:])
    peer = parse_peer_header(data, COMMON_HEADER, base)
    pos = COMMON_HEADER + PEER_HEADER
    if mtype == MsgType.ROUTE_MONITORING:
        end = _bgp_frame(data, pos, length, base, 2, "UPDATE")
        if end != length:
            raise BmpError(base + end, f"{length - end} octets after the BGP UPDATE")
        return RouteMonitoring(peer, data[pos:length], base + pos)
    if mtype == MsgType.PEER_UP:
        return _peer_up(peer, data, pos, length, base)
    if mtype == MsgType.PEER_DOWN:
        return _peer_down(peer, data, pos, length, base)
    if mtype == MsgType.STATISTICS:
        return Statistics(peer, _stats(data, pos, length, base))
    return RouteMirroring(peer, tuple(_tlvs(data, pos, length, base)))


def iter_messages(data: bytes, base: int = 0) -> list[Message]:
    """Every message of a buffer that holds whole messages back to back."""
    out: list[Message] = []
    pos = 0
    while pos < len(data):
        _, length = parse_header(data[pos : pos + COMMON_HEADER], base + pos)
        out.append(parse_message(data[pos : pos + length], base + pos))
        pos += length
    return out


def parse_peer_header(data: bytes, pos: int, base: int = 0) -> PeerHeader:
    if pos + PEER_HEADER > len(data):
        raise BmpError(base + len(data), "per-peer header cut short")
    ptype, flags, dist, addr, asn, bgp_id, sec, usec = _PEER.unpack_from(data, pos)
    if ptype > PeerType.LOC_RIB:
        raise BmpError(base + pos, f"unknown peer type {ptype}")
    if ptype == PeerType.LOC_RIB:
        text = _addr(addr[12:] if not any(addr[:12]) else addr)
    elif flags & FLAG_V:
        text = _addr(addr)
    elif any(addr[:12]):
        raise BmpError(base + pos + 10, "IPv4 peer (V flag clear) with an address over 32 bits")
    else:
        text = _addr(addr[12:])
    return PeerHeader(PeerType(ptype), flags, dist, text, asn, _addr(bgp_id), sec, usec)


def _addr(raw: bytes) -> str:
    if len(raw) == 4:
        return socket.inet_ntoa(raw)
    return socket.inet_ntop(socket.AF_INET6, raw)


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _tlvs(data: bytes, pos: int, end: int, base: int) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    while pos < end:
        if pos + 4 > end:
            raise BmpError(base + pos, "TLV header cut short")
        ttype, tlen = _U16.unpack_from(data, pos)[0], _U16.unpack_from(data, pos + 2)[0]
        if pos + 4 + tlen > end:
            raise BmpError(
                base + pos + 2, f"TLV type {ttype} of {tlen} octets runs past the message"
            )
        out.append((ttype, data[pos + 4 : pos + 4 + tlen]))
        pos += 4 + tlen
    return out


def _info_tlvs(data: bytes, pos: int, end: int, base: int) -> tuple[tuple[int, str], ...]:
    return tuple((t, _text(v)) for t, v in _tlvs(data, pos, end, base))


def _termination(data: bytes, length: int, base: int) -> Termination:
    strings: list[str] = []
    reason: int | None = None
    pos = COMMON_HEADER
    for ttype, value in _tlvs(data, pos, length, base):
        if ttype == 1:
            if len(value) != 2:
                raise BmpError(base, f"termination reason of {len(value)} octets, expected 2")
            reason = _U16.unpack(value)[0]
        elif ttype == 0:
            strings.append(_text(value))
    return Termination(tuple(strings), reason)


def _bgp_frame(data: bytes, pos: int, end: int, base: int, want: int, name: str) -> int:
    """Check a BGP message header at ``pos``; return where the message ends."""
    if pos + BGP_HEADER > end:
        raise BmpError(base + pos, f"BGP {name} header cut short")
    if data[pos : pos + 16] != _MARKER:
        raise BmpError(base + pos, f"BGP {name} without the all-ones marker")
    blen, btype = int(_U16.unpack_from(data, pos + 16)[0]), data[pos + 18]
    if btype != want:
        raise BmpError(base + pos + 18, f"BGP message type {btype} where an {name} belongs")
    if blen < BGP_HEADER or pos + blen > end:
        raise BmpError(base + pos + 16, f"BGP {name} length {blen} does not fit the message")
    return pos + blen


def _open(data: bytes, pos: int, end: int, base: int) -> tuple[OpenMessage, int]:
    stop = _bgp_frame(data, pos, end, base, 1, "OPEN")
    if stop - pos < 29:
        raise BmpError(base + pos + 16, "BGP OPEN shorter than 29 octets")
    version, asn, hold = data[pos + 19], *struct.unpack_from(">HH", data, pos + 20)
    bgp_id, optlen, p = _addr(data[pos + 24 : pos + 28]), data[pos + 28], pos + 29
    wide = optlen == 255 and p < stop and data[p] == 255  # RFC 9072 extended parameters
    if wide:
        if p + 3 > stop:
            raise BmpError(base + p, "extended optional parameters length cut short")
        optlen, p = _U16.unpack_from(data, p + 1)[0], p + 3
    if p + optlen != stop:
        raise BmpError(base + pos + 28, "OPEN optional parameters do not match its length")
    caps: list[tuple[int, bytes]] = []
    while p < stop:
        hlen = 3 if wide else 2
        if p + hlen > stop:
            raise BmpError(base + p, "OPEN optional parameter header cut short")
        ptype, plen = data[p], _U16.unpack_from(data, p + 1)[0] if wide else data[p + 1]
        p += hlen
        if p + plen > stop:
            raise BmpError(base + p, "OPEN optional parameter runs past the OPEN")
        if ptype == 2:
            q, qend = p, p + plen
            while q < qend:
                if q + 2 > qend or q + 2 + data[q + 1] > qend:
                    raise BmpError(base + q, "OPEN capability runs past its parameter")
                caps.append((data[q], data[q + 2 : q + 2 + data[q + 1]]))
                q += 2 + data[q + 1]
        p += plen
    for code, value in caps:
        if code == 65 and len(value) == 4:
            asn = _U32.unpack(value)[0]
    return OpenMessage(version, asn, hold, bgp_id, tuple(caps)), stop


def _peer_up(peer: PeerHeader, data: bytes, pos: int, end: int, base: int) -> PeerUp:
    if pos + 20 > end:
        raise BmpError(base + pos, "Peer Up cut short before the OPEN messages")
    raw = data[pos : pos + 16]
    local = _addr(raw[12:]) if not any(raw[:12]) else _addr(raw)
    lport, rport = struct.unpack_from(">HH", data, pos + 16)
    sent, pos = _open(data, pos + 20, end, base)
    received, pos = _open(data, pos, end, base)
    return PeerUp(peer, local, lport, rport, sent, received, _info_tlvs(data, pos, end, base))


def _peer_down(peer: PeerHeader, data: bytes, pos: int, end: int, base: int) -> PeerDown:
    if pos >= end:
        raise BmpError(base + pos, "Peer Down without a reason")
    reason, pos = data[pos], pos + 1
    note: tuple[int, int] | None = None
    fsm: int | None = None
    info: tuple[tuple[int, str], ...] = ()
    if reason in (1, 3):
        stop = _bgp_frame(data, pos, end, base, 3, "NOTIFICATION")
        if stop - pos < BGP_HEADER + 2:
            raise BmpError(base + pos + 16, "BGP NOTIFICATION without error code and subcode")
        note, pos = (data[pos + 19], data[pos + 20]), stop
    elif reason == 2:
        if pos + 2 > end:
            raise BmpError(base + pos, "Peer Down FSM event code cut short")
        fsm, pos = _U16.unpack_from(data, pos)[0], pos + 2
    elif reason == 6:
        info, pos = _info_tlvs(data, pos, end, base), end
    if pos != end and reason in (1, 2, 3):
        raise BmpError(base + pos, f"{end - pos} octets after the Peer Down data")
    return PeerDown(peer, reason, note, fsm, info)


def _stats(data: bytes, pos: int, end: int, base: int) -> tuple[Stat, ...]:
    if pos + 4 > end:
        raise BmpError(base + pos, "statistics count cut short")
    count, pos = _U32.unpack_from(data, pos)[0], pos + 4
    tlvs = _tlvs(data, pos, end, base)
    if len(tlvs) != count:
        raise BmpError(base + pos - 4, f"statistics count {count} but {len(tlvs)} TLVs")
    out: list[Stat] = []
    for stype, value in tlvs:
        size = 4 if stype in _STAT_U32 else 8 if stype in _STAT_U64 else 11
        if stype in _STAT_U32 | _STAT_U64 | _STAT_AFI and len(value) != size:
            raise BmpError(base + pos, f"statistic type {stype} of {len(value)} octets")
        if size == 11 and len(value) == 11:
            afi, safi = _U16.unpack_from(value)[0], value[2]
            out.append(Stat(stype, _U64.unpack_from(value, 3)[0], afi, safi))
        elif len(value) in (4, 8):
            out.append(Stat(stype, int.from_bytes(value, "big")))
    return tuple(out)
