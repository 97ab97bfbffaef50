"""Small builders of BGP and MRT bytes for the collect tests (RFC 4271, 4760, 6396)."""

from __future__ import annotations

import ipaddress
import struct


def attr(code: int, value: bytes, flags: int = 0x40) -> bytes:
    if len(value) > 255:
        return struct.pack(">BBH", flags | 0x10, code, len(value)) + value
    return struct.pack(">BBB", flags, code, len(value)) + value


def segment(kind: int, asns: list[int], size: int = 4) -> bytes:
    code = "I" if size == 4 else "H"
    return struct.pack(f">BB{len(asns)}{code}", kind, len(asns), *asns)


def as_path(*segments: bytes) -> bytes:
    return attr(2, b"".join(segments))


def as4_path(*segments: bytes) -> bytes:
    return attr(17, b"".join(segments), flags=0xC0)


def nlri(text: str, path_id: int | None = None) -> bytes:
    net = ipaddress.ip_network(text)
    raw = net.network_address.packed[: (net.prefixlen + 7) // 8]
    head = struct.pack(">I", path_id) if path_id is not None else b""
    return head + bytes([net.prefixlen]) + raw


def mp_reach(afi: int, prefixes: bytes, safi: int = 1) -> bytes:
    next_hop = bytes(16 if afi == 2 else 4)
    body = struct.pack(">HBB", afi, safi, len(next_hop)) + next_hop + b"\x00" + prefixes
    return attr(14, body, flags=0x80)


def mp_unreach(afi: int, prefixes: bytes, safi: int = 1) -> bytes:
    return attr(15, struct.pack(">HB", afi, safi) + prefixes, flags=0x80)


def update(withdrawn: bytes = b"", attrs: bytes = b"", announced: bytes = b"") -> bytes:
    body = struct.pack(">H", len(withdrawn)) + withdrawn
    body += struct.pack(">H", len(attrs)) + attrs + announced
    return b"\xff" * 16 + struct.pack(">HB", 19 + len(body), 2) + body


def keepalive() -> bytes:
    return b"\xff" * 16 + struct.pack(">HB", 19, 4)


def mrt(rtype: int, subtype: int, body: bytes, ts: int = 1_700_000_000) -> bytes:
    return struct.pack(">IHHI", ts, rtype, subtype, len(body)) + body


def bgp4mp(
    message: bytes,
    peer_ip: str = "192.0.2.1",
    peer_as: int = 65001,
    subtype: int = 4,
    et_micro: int | None = None,
    ts: int = 1_700_000_000,
) -> bytes:
    ip = ipaddress.ip_address(peer_ip)
    afi = 1 if ip.version == 4 else 2
    local = bytes(len(ip.packed))
    if subtype in (4, 5, 7, 9, 11):
        head = struct.pack(">IIHH", peer_as, 65000, 0, afi)
    else:
        head = struct.pack(">HHHH", peer_as, 65000, 0, afi)
    body = head + ip.packed + local + message
    if et_micro is not None:
        return mrt(17, subtype, struct.pack(">I", et_micro) + body, ts)
    return mrt(16, subtype, body, ts)


def peer_index_table(peers: list[tuple[str, int]]) -> bytes:
    body = bytes(4) + struct.pack(">H", 4) + b"view" + struct.pack(">H", len(peers))
    for ip_text, asn in peers:
        ip = ipaddress.ip_address(ip_text)
        ptype = (1 if ip.version == 6 else 0) | 2
        body += bytes([ptype]) + bytes(4) + ip.packed + struct.pack(">I", asn)
    return mrt(13, 1, body)


def rib_entry(peer_index: int, attrs: bytes, path_id: int | None = None) -> bytes:
    head = struct.pack(">HI", peer_index, 1_600_000_000)
    if path_id is not None:
        head += struct.pack(">I", path_id)
    return head + struct.pack(">H", len(attrs)) + attrs


def rib(prefix: str, entries: list[bytes], subtype: int | None = None, seq: int = 0) -> bytes:
    net = ipaddress.ip_network(prefix)
    if subtype is None:
        subtype = 2 if net.version == 4 else 4
    body = struct.pack(">I", seq) + nlri(prefix) + struct.pack(">H", len(entries))
    return mrt(13, subtype, body + b"".join(entries))
