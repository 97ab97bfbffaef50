"""Hand-built BMP and BGP bytes for the tests (RFC 7854, 8671, 9069)."""

from __future__ import annotations

import socket
import struct

MARKER = b"\xff" * 16


def bmp(mtype: int, body: bytes, version: int = 3, length: int | None = None) -> bytes:
    total = 6 + len(body) if length is None else length
    return struct.pack(">BIB", version, total, mtype) + body


def tlv(ttype: int, value: bytes | str) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return struct.pack(">HH", ttype, len(raw)) + raw


def peer_header(
    address: str = "192.0.2.1",
    asn: int = 65001,
    *,
    peer_type: int = 0,
    flags: int = 0,
    distinguisher: int = 0,
    bgp_id: str = "192.0.2.1",
    raw_address: bytes | None = None,
) -> bytes:
    if raw_address is None:
        if ":" in address:
            raw_address = socket.inet_pton(socket.AF_INET6, address)
            flags |= 0x80 if peer_type != 3 else 0
        else:
            raw_address = bytes(12) + socket.inet_aton(address)
    return struct.pack(
        ">BBQ16sI4sII",
        peer_type,
        flags,
        distinguisher,
        raw_address,
        asn,
        socket.inet_aton(bgp_id),
        1_700_000_000,
        0,
    )


def bgp_message(mtype: int, body: bytes) -> bytes:
    return MARKER + struct.pack(">HB", 19 + len(body), mtype) + body


def nlri(prefix: str, path_id: int | None = None) -> bytes:
    addr, _, plen = prefix.partition("/")
    length = int(plen)
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    raw = socket.inet_pton(family, addr)[: (length + 7) // 8]
    head = struct.pack(">I", path_id) if path_id is not None else b""
    return head + bytes([length]) + raw


def attr(code: int, value: bytes, flags: int = 0x40) -> bytes:
    if len(value) > 255:
        return struct.pack(">BBH", flags | 0x10, code, len(value)) + value
    return struct.pack(">BBB", flags, code, len(value)) + value


def as_path(*segments: tuple[int, list[int]], size: int = 4) -> bytes:
    code = "I" if size == 4 else "H"
    out = b""
    for stype, asns in segments:
        out += struct.pack(f">BB{len(asns)}{code}", stype, len(asns), *asns)
    return attr(2, out)


def communities(*pairs: tuple[int, int]) -> bytes:
    return attr(8, b"".join(struct.pack(">HH", a, b) for a, b in pairs), 0xC0)


def large_communities(*triples: tuple[int, int, int]) -> bytes:
    return attr(32, b"".join(struct.pack(">III", *t) for t in triples), 0xC0)


def update(
    announce: list[str] = (),  # type: ignore[assignment]
    withdraw: list[str] = (),  # type: ignore[assignment]
    path: bytes | None = None,
    extra: bytes = b"",
    path_ids: bool = False,
) -> bytes:
    """An UPDATE; IPv6 prefixes go into MP_REACH/MP_UNREACH, IPv4 ones in the plain fields."""
    v4a = [p for p in announce if ":" not in p]
    v6a = [p for p in announce if ":" in p]
    v4w = [p for p in withdraw if ":" not in p]
    v6w = [p for p in withdraw if ":" in p]
    pid = 7 if path_ids else None
    attrs = b""
    if announce:
        attrs += attr(1, b"\x00")  # ORIGIN IGP
        attrs += path if path is not None else as_path((2, [65001, 65002]))
    if v4a:
        attrs += attr(3, socket.inet_aton("192.0.2.1"))
    if v6a:
        nh = socket.inet_pton(socket.AF_INET6, "2001:db8::1")
        body = struct.pack(">HBB", 2, 1, 16) + nh + b"\x00" + b"".join(nlri(p, pid) for p in v6a)
        attrs += attr(14, body, 0x80)
    if v6w:
        body = struct.pack(">HB", 2, 1) + b"".join(nlri(p, pid) for p in v6w)
        attrs += attr(15, body, 0x80)
    attrs += extra
    wd = b"".join(nlri(p, pid) for p in v4w)
    body = struct.pack(">H", len(wd)) + wd + struct.pack(">H", len(attrs)) + attrs
    body += b"".join(nlri(p, pid) for p in v4a)
    return bgp_message(2, body)


def open_message(asn: int = 65001, bgp_id: str = "192.0.2.1", addpath: int = 0) -> bytes:
    caps = struct.pack(">BBI", 65, 4, asn)
    caps += struct.pack(">BBHBB", 1, 4, 1, 0, 1) + struct.pack(">BBHBB", 1, 4, 2, 0, 1)
    if addpath:
        caps += struct.pack(">BBHBBHBB", 69, 8, 1, 1, addpath, 2, 1, addpath)
    params = struct.pack(">BB", 2, len(caps)) + caps
    body = struct.pack(">BHH4sB", 4, min(asn, 23456), 90, socket.inet_aton(bgp_id), len(params))
    return bgp_message(1, body + params)


def route_monitoring(peer: bytes, upd: bytes) -> bytes:
    return bmp(0, peer + upd)


def peer_up(peer: bytes, sent: bytes | None = None, received: bytes | None = None) -> bytes:
    local = bytes(12) + socket.inet_aton("192.0.2.254")
    body = peer + local + struct.pack(">HH", 179, 40000)
    body += sent if sent is not None else open_message(65000, "192.0.2.254")
    body += received if received is not None else open_message()
    return bmp(3, body + tlv(0, "hello"))


def peer_down(peer: bytes, reason: int = 4, data: bytes = b"") -> bytes:
    return bmp(2, peer + bytes([reason]) + data)


def initiation(sys_name: str = "r1", sys_descr: str = "test router") -> bytes:
    return bmp(4, tlv(2, sys_name) + tlv(1, sys_descr) + tlv(0, "free text"))


def termination(reason: int = 0) -> bytes:
    return bmp(5, tlv(0, "bye") + tlv(1, struct.pack(">H", reason)))


def statistics(peer: bytes) -> bytes:
    stats = [
        tlv(0, struct.pack(">I", 3)),
        tlv(7, struct.pack(">Q", 1000)),
        tlv(9, struct.pack(">HBQ", 2, 1, 600)),
    ]
    return bmp(1, peer + struct.pack(">I", len(stats)) + b"".join(stats))
