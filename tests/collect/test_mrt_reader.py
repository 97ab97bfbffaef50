"""The binary MRT reader on small hand-built records (RFC 6396, RFC 8050)."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

from mrt_builders import (
    as4_path,
    as_path,
    attr,
    bgp4mp,
    keepalive,
    mp_reach,
    mp_unreach,
    mrt,
    nlri,
    peer_index_table,
    rib,
    rib_entry,
    segment,
    update,
)

from routesieve.collect.mrt import iter_mrt_events, read_routes_mrt
from routesieve.collect.replay import ReadStats
from routesieve.model import AsPath, Prefix, SegmentType
from routesieve.problems import Problem


def write(tmp_path: Path, *records: bytes, name: str = "t.mrt") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(records))
    return path


def test_as_set_segment_kept_as_set(tmp_path: Path) -> None:
    attrs = as_path(segment(2, [65001, 65002]), segment(1, [65003, 65004]))
    path = write(tmp_path, bgp4mp(update(attrs=attrs, announced=nlri("198.51.100.0/24"))))
    (route,) = read_routes_mrt(path).items
    assert route.as_path.segments[-1].type == SegmentType.AS_SET
    assert str(route.as_path) == "65001 65002 {65003 65004}"
    assert route.as_path.origin is None


def test_confederation_segments_kept(tmp_path: Path) -> None:
    attrs = as_path(segment(3, [64512]), segment(4, [64513, 64514]), segment(2, [65001]))
    path = write(tmp_path, bgp4mp(update(attrs=attrs, announced=nlri("198.51.100.0/24"))))
    (route,) = read_routes_mrt(path).items
    assert str(route.as_path) == "(64512) [64513 64514] 65001"


def test_two_byte_as_path_read_for_plain_message_subtype(tmp_path: Path) -> None:
    attrs = as_path(segment(2, [65001, 3356], size=2))
    record = bgp4mp(update(attrs=attrs, announced=nlri("203.0.113.0/24")), subtype=1)
    (route,) = read_routes_mrt(write(tmp_path, record)).items
    assert route.as_path == AsPath.sequence([65001, 3356])
    assert route.peer_asn == 65001 and route.session == "192.0.2.1"


def test_as4_path_merged_when_as_path_has_as_trans(tmp_path: Path) -> None:
    attrs = as_path(segment(2, [65001, 23456, 23456], size=2)) + as4_path(
        segment(2, [4200000001, 4200000002])
    )
    record = bgp4mp(update(attrs=attrs, announced=nlri("203.0.113.0/24")), subtype=1)
    (route,) = read_routes_mrt(write(tmp_path, record)).items
    assert str(route.as_path) == "65001 4200000001 4200000002"


def test_longer_as4_path_is_ignored(tmp_path: Path) -> None:
    attrs = as_path(segment(2, [23456], size=2)) + as4_path(segment(2, [1, 2, 3]))
    record = bgp4mp(update(attrs=attrs, announced=nlri("203.0.113.0/24")), subtype=1)
    (route,) = read_routes_mrt(write(tmp_path, record)).items
    assert str(route.as_path) == "23456"


def test_mp_reach_and_unreach_give_ipv6_events_in_bgpdump_order(tmp_path: Path) -> None:
    attrs = (
        as_path(segment(2, [65001]))
        + mp_unreach(2, nlri("2001:db8:1::/48"))
        + mp_reach(2, nlri("2001:db8:2::/48") + nlri("2001:db8:3::/48"))
    )
    msg = update(withdrawn=nlri("192.0.2.0/24"), attrs=attrs, announced=nlri("198.51.100.0/24"))
    path = write(tmp_path, bgp4mp(msg, peer_ip="2001:db8::1"))
    events = list(iter_mrt_events(path))
    assert [(e.kind.value, str(e.prefix)) for e in events] == [
        ("W", "192.0.2.0/24"),
        ("W", "2001:db8:1::/48"),
        ("A", "198.51.100.0/24"),
        ("A", "2001:db8:2::/48"),
        ("A", "2001:db8:3::/48"),
    ]
    assert {e.peer_ip for e in events} == {"2001:db8::1"}


def test_other_afi_safi_skipped_and_counted(tmp_path: Path) -> None:
    attrs = as_path(segment(2, [65001])) + mp_reach(1, nlri("10.0.0.0/8"), safi=128)
    stats = ReadStats()
    path = write(tmp_path, bgp4mp(update(attrs=attrs)))
    assert list(iter_mrt_events(path, [], stats)) == []
    assert stats.skipped == {"MP_REACH AFI 1 SAFI 128": 1}


def test_bgp4mp_et_microseconds_read(tmp_path: Path) -> None:
    msg = update(attrs=as_path(segment(2, [65001])), announced=nlri("198.51.100.0/24"))
    (event,) = iter_mrt_events(write(tmp_path, bgp4mp(msg, et_micro=123456)))
    assert (event.timestamp, event.microseconds) == (1_700_000_000, 123456)


def test_addpath_update_path_ids_read(tmp_path: Path) -> None:
    msg = update(
        attrs=as_path(segment(2, [65001])),
        announced=nlri("198.51.100.0/24", path_id=1) + nlri("198.51.100.0/24", path_id=2),
    )
    events = list(iter_mrt_events(write(tmp_path, bgp4mp(msg, subtype=9))))
    assert [e.path_id for e in events] == [1, 2]


def test_state_changes_and_keepalives_counted_not_routes(tmp_path: Path) -> None:
    state = mrt(16, 5, struct.pack(">IIHH", 65001, 65000, 0, 1) + bytes(8) + b"\x00\x01\x00\x02")
    stats = ReadStats()
    path = write(tmp_path, state, bgp4mp(keepalive()))
    assert list(iter_mrt_events(path, [], stats)) == []
    assert stats.state_changes == 1 and stats.records == 2


def test_local_messages_not_received_routes(tmp_path: Path) -> None:
    msg = update(attrs=as_path(segment(2, [65000])), announced=nlri("198.51.100.0/24"))
    path = write(tmp_path, bgp4mp(msg, subtype=7))
    assert read_routes_mrt(path).items == ()
    assert len(read_routes_mrt(path, include_local=True).items) == 1


def test_table_dump_v2_rib_entries_all_read(tmp_path: Path) -> None:
    peers = peer_index_table([("192.0.2.1", 65001), ("2001:db8::2", 4200000000)])
    entries = [
        rib_entry(0, as_path(segment(2, [65001, 3356]))),
        rib_entry(1, as_path(segment(2, [4200000000, 174]))),
    ]
    path = write(tmp_path, peers, rib("203.0.113.0/24", entries))
    result = read_routes_mrt(path)
    assert [(r.session, r.peer_asn, str(r.as_path)) for r in result.items] == [
        ("192.0.2.1", 65001, "65001 3356"),
        ("2001:db8::2", 4200000000, "4200000000 174"),
    ]
    assert {r.prefix for r in result.items} == {Prefix.parse("203.0.113.0/24")}


def test_addpath_entries_all_read(tmp_path: Path) -> None:
    peers = peer_index_table([("2001:db8::2", 65002)])
    entries = [
        rib_entry(0, as_path(segment(2, [65002, 1])), path_id=7),
        rib_entry(0, as_path(segment(2, [65002, 2])), path_id=9),
    ]
    path = write(tmp_path, peers, rib("2001:db8:100::/40", entries, subtype=10))
    events = list(iter_mrt_events(path))
    assert [(e.path_id, str(e.as_path)) for e in events] == [(7, "65002 1"), (9, "65002 2")]


def test_rib_generic_reported_as_unsupported(tmp_path: Path) -> None:
    problems: list[Problem] = []
    path = write(tmp_path, mrt(13, 6, bytes(10)), mrt(13, 6, bytes(10)))
    assert list(iter_mrt_events(path, problems)) == []
    (problem,) = problems
    assert "2 record(s) of TABLE_DUMP_V2 RIB_GENERIC not supported" in problem.message
    assert problem.place == "first at offset 0, record 1"


def test_rib_before_peer_index_table_is_a_problem(tmp_path: Path) -> None:
    problems: list[Problem] = []
    path = write(tmp_path, rib("203.0.113.0/24", [rib_entry(0, b"")]))
    assert list(iter_mrt_events(path, problems)) == []
    assert "PEER_INDEX_TABLE" in problems[0].message


def test_table_dump_v1_entry_read(tmp_path: Path) -> None:
    attrs = as_path(segment(2, [1853, 1239, 80], size=2))
    body = struct.pack(">HH", 0, 1) + bytes([3, 0, 0, 0]) + bytes([8, 1]) + bytes(4)
    body += bytes([193, 203, 0, 1]) + struct.pack(">HH", 1853, len(attrs)) + attrs
    (route,) = read_routes_mrt(write(tmp_path, mrt(12, 1, body))).items
    assert (str(route.prefix), route.session, route.peer_asn) == ("3.0.0.0/8", "193.203.0.1", 1853)
    assert str(route.as_path) == "1853 1239 80"


def test_announcement_without_as_path_kept_as_malformed_route(tmp_path: Path) -> None:
    path = write(tmp_path, bgp4mp(update(attrs=attr(1, b"\x00"), announced=nlri("10.0.0.0/8"))))
    (route,) = read_routes_mrt(path).items
    assert route.problem == "no AS_PATH attribute"


def test_bad_as_path_segment_kept_as_malformed_route(tmp_path: Path) -> None:
    attrs = attr(2, b"\x07\x01\x00\x00\xfd\xe9")  # segment type 7 does not exist
    path = write(tmp_path, bgp4mp(update(attrs=attrs, announced=nlri("10.0.0.0/8"))))
    result = read_routes_mrt(path)
    (route,) = result.items
    assert route.problem is not None and "segment type 7" in route.problem
    assert result.problems == ()


def test_gzip_input_read_by_magic(tmp_path: Path) -> None:
    msg = update(attrs=as_path(segment(2, [65001])), announced=nlri("198.51.100.0/24"))
    path = tmp_path / "updates.bin"
    path.write_bytes(gzip.compress(bgp4mp(msg)))
    assert len(read_routes_mrt(path).items) == 1


def test_final_state_of_update_stream(tmp_path: Path) -> None:
    a1 = update(attrs=as_path(segment(2, [65001, 1])), announced=nlri("198.51.100.0/24"))
    a2 = update(attrs=as_path(segment(2, [65001, 2])), announced=nlri("198.51.100.0/24"))
    b = update(attrs=as_path(segment(2, [65001, 3])), announced=nlri("203.0.113.0/24"))
    w = update(withdrawn=nlri("203.0.113.0/24"))
    path = write(tmp_path, bgp4mp(a1), bgp4mp(b), bgp4mp(a2), bgp4mp(w))
    assert len(read_routes_mrt(path).items) == 3
    (route,) = read_routes_mrt(path, final=True).items
    assert str(route.as_path) == "65001 2"
