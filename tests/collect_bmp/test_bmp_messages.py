"""Parsing hand-built BMP messages: every type, the flags, and hostile bytes."""

from __future__ import annotations

import struct

import bmp_builders as b
import pytest

from routesieve.collect.bmp_messages import (
    MAX_MESSAGE_LENGTH,
    BmpError,
    Initiation,
    PeerDown,
    PeerType,
    PeerUp,
    RouteMirroring,
    RouteMonitoring,
    Statistics,
    Termination,
    UnknownMessage,
    View,
    iter_messages,
    parse_message,
)
from routesieve.collect.bmp_update import route_update
from routesieve.model import AsPath, Prefix

PEER = b.peer_header()


def test_initiation_and_termination_tlvs() -> None:
    msg = parse_message(b.initiation("edge-1", "BIRD 2.15"))
    assert isinstance(msg, Initiation)
    assert (msg.sys_name, msg.sys_descr, msg.strings) == ("edge-1", "BIRD 2.15", ("free text",))
    end = parse_message(b.termination(3))
    assert isinstance(end, Termination)
    assert end.reason == 3 and end.reason_text == "redundant connection" and end.strings == ("bye",)


def test_peer_header_fields_and_views() -> None:
    v6 = b.peer_header("2001:db8::5", 4200000000, distinguisher=7, flags=0x40)
    msg = parse_message(b.route_monitoring(v6, b.update(["2001:db8:1::/48"])))
    assert isinstance(msg, RouteMonitoring)
    p = msg.peer
    assert (p.address, p.asn, p.distinguisher, p.bgp_id) == (
        "2001:db8::5",
        4200000000,
        7,
        "192.0.2.1",
    )
    assert p.seconds == 1_700_000_000 and p.post_policy and p.view is View.POST_POLICY
    assert b_view(0) is View.PRE_POLICY
    assert b_view(0x10) is View.OUT_PRE  # RFC 8671 O flag
    assert b_view(0x50) is View.OUT_POST
    loc = b.peer_header("0.0.0.0", 65000, peer_type=3, flags=0x80)  # RFC 9069, F flag
    head = parse_message(b.route_monitoring(loc, b.update(["10.0.0.0/8"]))).peer  # type: ignore[union-attr]
    assert head.peer_type is PeerType.LOC_RIB and head.view is View.LOC_RIB and head.filtered
    assert not head.post_policy and not head.adj_rib_out  # 0x80 is F there, not V


def b_view(flags: int) -> View:
    msg = parse_message(b.route_monitoring(b.peer_header(flags=flags), b.update(["10.0.0.0/8"])))
    assert isinstance(msg, RouteMonitoring)
    return msg.peer.view


def test_route_monitoring_update_with_communities_and_sets() -> None:
    path = b.as_path((2, [65001, 65001, 65002]), (1, [65010, 65011]))
    extra = b.communities((65001, 100), (0, 666)) + b.large_communities((65001, 1, 2))
    upd = b.update(
        ["192.0.2.0/24", "2001:db8::/32"], ["198.51.100.0/24", "2001:db8:9::/48"], path, extra
    )
    msg = parse_message(b.route_monitoring(PEER, upd), base=1000)
    assert isinstance(msg, RouteMonitoring) and msg.offset == 1048
    got = route_update(msg)
    assert [str(a.prefix) for a in got.announce] == ["192.0.2.0/24", "2001:db8::/32"]
    assert got.announce[0].as_path == AsPath.parse("65001 65001 65002 {65010 65011}")
    assert got.announce[0].communities == ("65001:100", "0:666", "65001:1:2")
    assert {str(p) for p, _ in got.withdraw} == {"198.51.100.0/24", "2001:db8:9::/48"}


def test_a_flag_means_two_octet_paths() -> None:
    path = b.as_path((2, [65001, 23456]), size=2) + b.attr(
        17, struct.pack(">BBII", 2, 2, 65001, 4200000001), 0xC0
    )
    upd = b.update(["192.0.2.0/24"], path=path)
    msg = parse_message(b.route_monitoring(b.peer_header(flags=0x20), upd))
    assert isinstance(msg, RouteMonitoring) and msg.peer.two_octet_as
    assert route_update(msg).announce[0].as_path == AsPath.parse("65001 4200000001")


def test_addpath_from_peer_up_opens() -> None:
    up = parse_message(b.peer_up(PEER, b.open_message(65000, addpath=1), b.open_message(addpath=2)))
    assert isinstance(up, PeerUp)
    assert up.addpath_afis(View.PRE_POLICY) == frozenset({1, 2})
    assert up.addpath_afis(View.OUT_PRE) == frozenset()
    assert up.received_open.asn == 65001 and up.sent_open.four_octet_as
    assert (up.local_address, up.local_port, up.remote_port, up.info) == (
        "192.0.2.254",
        179,
        40000,
        ((0, "hello"),),
    )
    upd = b.update(["192.0.2.0/24", "2001:db8::/32"], path_ids=True)
    msg = parse_message(b.route_monitoring(PEER, upd))
    assert isinstance(msg, RouteMonitoring)
    got = route_update(msg, up.addpath_afis(View.PRE_POLICY))
    assert [(str(a.prefix), a.path_id) for a in got.announce] == [
        ("192.0.2.0/24", 7),
        ("2001:db8::/32", 7),
    ]


def test_peer_down_reasons_and_statistics() -> None:
    note = b.bgp_message(3, b"\x06\x02")
    down = parse_message(b.peer_down(PEER, 1, note))
    assert (
        isinstance(down, PeerDown)
        and down.notification == (6, 2)
        and "NOTIFICATION" in down.reason_text
    )
    fsm = parse_message(b.peer_down(PEER, 2, b"\x00\x12"))
    assert isinstance(fsm, PeerDown) and fsm.fsm_event == 18
    assert parse_message(b.peer_down(PEER, 5)).reason_text == "peer de-configured"  # type: ignore[union-attr]
    stats = parse_message(b.statistics(PEER))
    assert isinstance(stats, Statistics)
    assert [(s.type, s.value, s.afi) for s in stats.stats] == [
        (0, 3, None),
        (7, 1000, None),
        (9, 600, 2),
    ]


def test_mirroring_unknown_and_a_stream() -> None:
    mirror = b.bmp(6, PEER + b.tlv(0, b.update(["10.0.0.0/8"])))
    assert isinstance(parse_message(mirror), RouteMirroring)
    assert isinstance(parse_message(b.bmp(42, b"xyz")), UnknownMessage)
    stream = b.initiation() + b.peer_up(PEER) + b.route_monitoring(PEER, b.update(["10.0.0.0/8"]))
    assert [type(m).__name__ for m in iter_messages(stream)] == [
        "Initiation",
        "PeerUp",
        "RouteMonitoring",
    ]


GOOD = b.route_monitoring(PEER, b.update(["10.0.0.0/8"]))


@pytest.mark.parametrize(
    ("data", "offset", "words"),
    [
        (b"\x03\x00\x00", 3, "common header cut short"),
        (b.bmp(4, b"", length=5), 1, "shorter than the common header"),
        (b.bmp(0, b"", length=MAX_MESSAGE_LENGTH + 1), 1, "over the limit"),
        (b.bmp(4, b.tlv(2, "r1"), version=1), 0, "version 1"),
        (GOOD + b"\x03\x00", len(GOOD), "2 octets after the message"),
        (GOOD[:-3], len(GOOD) - 3, "cut short"),
        (b.bmp(0, b"", length=20), 1, "no room for the peer header"),
        (
            b.route_monitoring(
                b.peer_header(raw_address=b"\x20\x01" + bytes(14)), b.update(["10.0.0.0/8"])
            ),
            16,
            "IPv4 peer",
        ),
        (
            b.route_monitoring(b.peer_header(peer_type=9), b.update(["10.0.0.0/8"])),
            6,
            "unknown peer type 9",
        ),
        (b.bmp(0, PEER + b"\x00" * 19), 48, "marker"),
        (
            b.bmp(0, PEER + b.update(["10.0.0.0/8"]) + b"zz"),
            48 + len(b.update(["10.0.0.0/8"])),
            "after the BGP UPDATE",
        ),
        (b.bmp(0, PEER + b.bgp_message(1, b"")), 66, "where an UPDATE belongs"),
        (b.bmp(4, b.tlv(2, "r1")[:-1] + b"\x00\x02\x00"), 12, "TLV header cut short"),
        (b.bmp(4, struct.pack(">HH", 2, 50) + b"r1"), 8, "runs past the message"),
        (b.bmp(3, PEER + bytes(20) + b.open_message()[:25]), 84, "OPEN length 49"),
        (b.bmp(2, PEER), 48, "without a reason"),
        (
            b.bmp(1, PEER + struct.pack(">I", 2) + b.tlv(0, b"\x00\x00\x00\x01")),
            48,
            "count 2 but 1",
        ),
    ],
)
def test_hostile_bytes_give_bmp_errors(data: bytes, offset: int, words: str) -> None:
    with pytest.raises(BmpError) as err:
        parse_message(data)
    assert words in err.value.reason
    assert err.value.offset == offset, err.value


def test_malformed_update_inside_a_well_framed_message() -> None:
    bad = b.bgp_message(2, struct.pack(">H", 10) + b"\x18\x0a")  # withdrawn length runs past
    msg = parse_message(b.bmp(0, PEER + bad), base=500)
    assert isinstance(msg, RouteMonitoring)
    with pytest.raises(BmpError, match="malformed BGP UPDATE") as err:
        route_update(msg)
    assert err.value.offset == 548


def test_route_problems_are_kept_not_dropped() -> None:
    no_path = b.bgp_message(2, struct.pack(">HH", 0, 4) + b.attr(1, b"\x00") + b.nlri("10.0.0.0/8"))
    msg = parse_message(b.bmp(0, PEER + no_path))
    assert isinstance(msg, RouteMonitoring)
    got = route_update(msg)
    assert got.announce[0].problem == "no AS_PATH attribute"
    bad_comm = b.update(["10.0.0.0/8"], extra=b.attr(8, b"\x00\x01\x02", 0xC0))
    msg = parse_message(b.route_monitoring(PEER, bad_comm))
    assert isinstance(msg, RouteMonitoring)
    got = route_update(msg)
    assert got.announce[0].problem and "COMMUNITIES" in got.announce[0].problem
    assert got.announce[0].prefix == Prefix.parse("10.0.0.0/8")
