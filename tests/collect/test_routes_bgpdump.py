"""Received routes from bgpdump -m text, and the end state of an update stream."""

from __future__ import annotations

from pathlib import Path

from routesieve.collect.bgpdump import iter_bgpdump_events, read_routes_bgpdump
from routesieve.collect.replay import EventKind, ReadStats, RouteEvent, final_events
from routesieve.model import AsPath, Prefix, SegmentType
from routesieve.problems import Problem

LINES = [
    "TABLE_DUMP2|1546300800|B|80.77.16.114|34549|45.169.4.0/22|34549 1299 267613|IGP|x|0|0||NAG||",
    "BGP4MP|1546300828|A|98.159.46.1|395766|89.23.32.0/19|395766 40191 {51410}|IGP|x|0|0||NAG||",
    "BGP4MP|1546300858|A|98.159.46.1|395766|91.206.218.0/23|395766 47809 {50780,59478}|IGP|x|",
    "BGP4MP|1546300800|W|2001:728:1808::2|15562|2a00:ad87:4600::/48",
    "BGP4MP|1546300800|STATE|2620:39:6000:101::4|138414|6|1",
    "TABLE_DUMP2_AP|1452169448|B|2001:db8:16::2|65017|2001:db8:28::/48|59|65017 65018|IGP|x|",
    "BGP4MP_ET|1445565678.509481|A|206.220.231.55|3856|1.0.0.0/24|3856 13335|IGP|x|0|0||NAG||",
    "TABLE_DUMP|1027381055|B|193.203.0.1|1853|3.0.0.0/8|1853 (64512 64513) [64514,64515] 80|IGP|",
]


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "dump.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_line_kind_read(tmp_path: Path) -> None:
    stats = ReadStats()
    events = list(iter_bgpdump_events(write(tmp_path, *LINES), [], stats))
    assert [e.kind for e in events].count(EventKind.WITHDRAW) == 1
    assert (stats.announcements, stats.withdrawals, stats.state_changes) == (6, 1, 1)
    result = read_routes_bgpdump(write(tmp_path, *LINES))
    assert len(result.items) == 6 and result.problems == ()
    assert result.items[0].session == "80.77.16.114"


def test_as_set_segment_kept_as_set(tmp_path: Path) -> None:
    routes = read_routes_bgpdump(write(tmp_path, *LINES)).items
    assert routes[1].as_path.segments[-1].type == SegmentType.AS_SET
    assert routes[2].as_path.segments[-1].asns == (50780, 59478)
    assert str(routes[5].as_path) == "1853 (64512 64513) [64514 64515] 80"


def test_addpath_line_path_id_read(tmp_path: Path) -> None:
    (event,) = iter_bgpdump_events(write(tmp_path, LINES[5]))
    assert event.path_id == 59 and str(event.as_path) == "65017 65018"


def test_et_line_microseconds_read(tmp_path: Path) -> None:
    (event,) = iter_bgpdump_events(write(tmp_path, LINES[6]))
    assert (event.timestamp, event.microseconds) == (1445565678, 509481)


def test_bad_prefix_and_path_kept_as_malformed_routes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "BGP4MP|1|A|192.0.2.1|65001|10.0.0.0/33|65001|IGP|",
        "BGP4MP|1|A|192.0.2.1|65001|10.0.0.0/8|65001 {|IGP|",
        "BGP4MP|1|A|192.0.2.1|65001|10.0.0.0/8||IGP|",
    )
    result = read_routes_bgpdump(path)
    bad_prefix, bad_path, empty = result.items
    assert bad_prefix.prefix is None and bad_prefix.raw_prefix == "10.0.0.0/33"
    assert bad_prefix.problem == "unparseable prefix '10.0.0.0/33'"
    assert bad_path.problem is not None and "unparseable AS path" in bad_path.problem
    assert empty.problem == "empty AS path"
    assert result.problems == ()


def test_junk_lines_reported_with_line_numbers(tmp_path: Path) -> None:
    problems: list[Problem] = []
    path = write(
        tmp_path, "BGP4MP|1|A|192.0.2.1", "BGP4MP|1|A|192.0.2.1|x65001|10.0.0.0/8|1|", *LINES
    )
    events = list(iter_bgpdump_events(path, problems))
    assert [p.line for p in problems] == [1, 2] and len(events) == 7


def test_bad_timestamp_keeps_the_route_as_malformed(tmp_path: Path) -> None:
    problems: list[Problem] = []
    path = write(tmp_path, "BGP4MP|x|A|192.0.2.1|65001|10.0.0.0/8|1|", *LINES)
    events = list(iter_bgpdump_events(path, problems))
    assert problems == [] and len(events) == 8
    assert events[0].problem is not None and "timestamp" in events[0].problem


def event(kind: EventKind, prefix: str, path: str = "", peer: str = "192.0.2.1") -> RouteEvent:
    as_path = AsPath.parse(path) if kind is EventKind.ANNOUNCE else None
    return RouteEvent(kind, 0, peer, 65001, Prefix.parse(prefix), as_path)


def test_final_events_keep_last_announcement_minus_withdrawals() -> None:
    a, w = EventKind.ANNOUNCE, EventKind.WITHDRAW
    stream = [
        event(a, "10.0.0.0/8", "65001 1"),
        event(a, "10.0.0.0/8", "65001 1", peer="192.0.2.2"),
        event(a, "192.0.2.0/24", "65001 3"),
        event(a, "10.0.0.0/8", "65001 2"),
        event(w, "192.0.2.0/24"),
        event(w, "198.51.100.0/24"),  # never announced here: ignored
    ]
    final = final_events(stream)
    assert [(e.peer_ip, str(e.as_path)) for e in final] == [
        ("192.0.2.1", "65001 2"),
        ("192.0.2.2", "65001 1"),
    ]


def test_final_events_tell_path_ids_apart() -> None:
    one = event(EventKind.ANNOUNCE, "10.0.0.0/8", "65001 1")._replace(path_id=1)
    two = event(EventKind.ANNOUNCE, "10.0.0.0/8", "65001 2")._replace(path_id=2)
    gone = event(EventKind.WITHDRAW, "10.0.0.0/8")._replace(path_id=1)
    assert final_events([one, two, gone]) == [two]


def test_read_final_routes_of_bgpdump_updates(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "BGP4MP|1|A|192.0.2.1|65001|10.0.0.0/8|65001 1|IGP|",
        "BGP4MP|2|A|192.0.2.1|65001|10.1.0.0/16|65001 1|IGP|",
        "BGP4MP|3|W|192.0.2.1|65001|10.0.0.0/8",
    )
    (route,) = read_routes_bgpdump(path, final=True).items
    assert str(route.prefix) == "10.1.0.0/16"
    assert len(read_routes_bgpdump(path).items) == 2
