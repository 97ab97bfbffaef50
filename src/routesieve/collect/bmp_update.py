"""The BGP UPDATE inside a BMP Route Monitoring message: announcements, withdrawals,
communities, with ADD-PATH per address family."""

from __future__ import annotations

import struct

from routesieve.collect.bgp import Malformed, decode_attributes, decode_nlri
from routesieve.collect.bmp_messages import (
    BGP_HEADER,
    Announcement,
    BmpError,
    RouteMonitoring,
    Update,
)
from routesieve.model import AsPath

_U16 = struct.Struct(">H")


def route_update(msg: RouteMonitoring, addpath: frozenset[int] = frozenset()) -> Update:
    """The UPDATE of a Route Monitoring message decoded; ``addpath`` holds the AFIs (1, 2)
    that carry path ids."""
    asn_size = 2 if msg.peer.two_octet_as else 4
    return decode_update_message(msg.bgp, msg.offset, asn_size, addpath)


def decode_update_message(
    bgp: bytes, base: int, asn_size: int, addpath: frozenset[int] = frozenset()
) -> Update:
    """A whole BGP UPDATE message (header included) as announcements and withdrawals.

    The UPDATE framing is that of :func:`routesieve.collect.bgp.decode_update`, redone
    here so that IPv4 and IPv6 can differ in ADD-PATH.
    """
    end = len(bgp)
    pos = BGP_HEADER
    try:
        if pos + 2 > end:
            raise Malformed("UPDATE cut short before withdrawn routes length")
        wend = pos + 2 + _U16.unpack_from(bgp, pos)[0]
        if wend + 2 > end:
            raise Malformed("withdrawn routes run past the UPDATE")
        withdrawn = decode_nlri(bgp, pos + 2, wend, 4, 1 in addpath)
        aend = wend + 2 + _U16.unpack_from(bgp, wend)[0]
        if aend > end:
            raise Malformed("path attributes run past the UPDATE")
        communities, mp_afi = _scan_attributes(bgp, wend + 2, aend)
        attrs = decode_attributes(bgp, wend + 2, aend, asn_size, mp_afi in addpath)
        nlri = decode_nlri(bgp, aend, end, 4, 1 in addpath)
    except Malformed as exc:
        raise BmpError(base, f"malformed BGP UPDATE: {exc}") from None
    problem = attrs.problem
    path = attrs.as_path
    if isinstance(communities, str):
        problem = problem or communities
        communities = ()
    if path is None:
        path, problem = AsPath(()), problem or "no AS_PATH attribute"
    elif problem is None and path.is_empty:
        problem = "empty AS path"
    announce = tuple(
        Announcement(prefix, pid, path, problem, communities)
        for prefix, pid in (*nlri, *attrs.announce)
    )
    return Update(announce, (*withdrawn, *attrs.withdraw), tuple(attrs.skipped))


def _scan_attributes(data: bytes, pos: int, end: int) -> tuple[tuple[str, ...] | str, int]:
    """Communities (RFC 1997 ``a:b``, RFC 8092 ``a:b:c``) and the AFI of MP_(UN)REACH.

    Framing errors are left to :func:`decode_attributes`; a community attribute of a bad
    length gives a problem text instead of the communities.
    """
    out: list[str] = []
    afi = 1
    while pos + 3 <= end:
        flags, code = data[pos], data[pos + 1]
        if flags & 0x10:
            if pos + 4 > end:
                break
            length, pos = _U16.unpack_from(data, pos + 2)[0], pos + 4
        else:
            length, pos = data[pos + 2], pos + 3
        value = data[pos : pos + length]
        pos += length
        if code == 8:
            if len(value) % 4:
                return f"malformed COMMUNITIES attribute of {len(value)} octets", afi
            for i in range(0, len(value), 4):
                out.append(f"{_U16.unpack_from(value, i)[0]}:{_U16.unpack_from(value, i + 2)[0]}")
        elif code == 32:
            if len(value) % 12:
                return f"malformed LARGE_COMMUNITY attribute of {len(value)} octets", afi
            for i in range(0, len(value), 12):
                out.append("{}:{}:{}".format(*struct.unpack_from(">III", value, i)))
        elif code in (14, 15) and len(value) >= 2:
            afi = _U16.unpack_from(value)[0]
    return tuple(out), afi
