"""The ``show route all`` parser on text recorded from a real BIRD 2.0.12
(``data/``), on hand-made edge cases, and the ``show protocols all`` reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from routesieve.collect.bird_routes import parse_protocols
from routesieve.collect.bird_show import parse_as_path, parse_communities, parse_show_route
from routesieve.model import AsPath, ParseError, Prefix, Route, Segment, SegmentType

DATA = Path(__file__).parent / "data"


def _parse(text: str, peer: int = 65001) -> tuple[list[Route], list[str]]:
    routes, problems = parse_show_route([text], peer, "s1", "sock", "cmd")
    return routes, [f"{p.line}: {p.message}" for p in problems]


def _recorded(name: str) -> str:
    return (DATA / name).read_text()


def test_recorded_table_with_two_routes_per_prefix() -> None:
    text = _recorded("show_route_all_master6.txt")
    routes, problems = parse_show_route([text], 0, "s", "sock")
    assert problems == []
    assert len(routes) == text.count(" [peer_") == 9
    by = {}
    for r in routes:
        by.setdefault(str(r.prefix), []).append(r)
    pair = by["2a0e:1102::/40"]
    assert [str(r.as_path) for r in pair] == [
        "65001 {64603 64604 64605}",
        "4200000002 {64603 64604 64605}",
    ]
    assert pair[0].communities == ("65001:1", "rt:65001:7")
    assert by["2a0e:1101::/48"][0].communities == ("4200000001:1:2",)
    assert by["2a0e:1100::/32"][1].communities == ("65001:100", "65535:666")
    # 80 communities, printed over two lines
    assert by["2a0e:1105::/48"][0].communities == tuple(f"{65000 + i}:{i}" for i in range(80))
    assert by["2a0e:1103::/36"][0].as_path.hop_count == 13
    assert all(r.problem is None and r.session == "s" for r in routes)


def test_recorded_filtered_routes_and_a_path_bird_cut() -> None:
    routes, problems = parse_show_route(
        [_recorded("show_route_all_filtered_peer_b.txt")], 4200000002, "peer_b", "sock", "cmd"
    )
    assert [r.prefix_text for r in routes] == ["2001:db8:5::/48", "2a0e:1104::/48", "192.0.2.0/25"]
    cut = routes[1]
    assert cut.problem is not None and "too long" in cut.problem
    assert cut.prefix == Prefix.parse("2a0e:1104::/48")
    assert [(p.line, p.place) for p in problems] == [(11, "cmd")]
    assert "cut short" in problems[0].message
    assert routes[2].as_path == AsPath.sequence([4200000002, 64609])


def test_recorded_import_table() -> None:
    routes, problems = parse_show_route(
        [_recorded("show_route_all_import_table_peer_a.txt")], 65001, "peer_a", "sock"
    )
    assert len(routes) == 6 and len(problems) == 1  # the cut path
    assert {r.prefix_text for r in routes if r.problem} == {"2a0e:1104::/48"}


def test_recorded_protocols() -> None:
    lines = []
    for line in _recorded("show_protocols_all.txt").splitlines():
        code, _, text = line.partition(" ")
        lines.append((int(code), text))
    sessions = parse_protocols(lines)
    assert [s.name for s in sessions] == ["peer_a", "peer_b"]
    a, b = sessions
    assert (a.neighbor_as, a.local_as, a.neighbor_address) == (65001, 64999, "::1")
    assert (b.neighbor_as, b.bgp_state, b.description) == (
        4200000002,
        "Established",
        "peer_b descr",
    )
    assert [c.name for c in a.channels] == ["ipv6", "ipv4"]
    assert [c.table for c in a.channels] == ["master6", "master4"]
    assert a.channels[0].input_filter == "rs_import"
    assert a.keep_filtered is True


HAND = """Table master6:
2001:db8:1::/48      unicast [bgp1 12:00:00.000 from 2001:db8::1] * (100) [AS65005i]
\tvia 2001:db8::1 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 65001 (65002 65003) ({65004 65006}) 65005
\tBGP.next_hop: 2001:db8::1 fe80::1
\tBGP.local_pref: 100
                     blackhole [bgp1 12:00:00.000 from 2001:db8::1] (100) [i]
\tType: BGP univ
\tBGP.as_path: 65001 {65007}
\tBGP.community: (65001,666)
2001:db8:2::/48      prohibit [bgp1 12:00:00.000 from 2001:db8::1] (100) [?]
\tType: BGP univ
\tBGP.origin: Incomplete
2001:db8:3::/48      unreachable [bgp1 12:00:00.000 from 2001:db8::1] (100) [?]
\tBGP.as_path:
Table master4:

10.0.0.0/8           unicast [bgp1 12:00:00.000 from 192.0.2.1] * (100) [AS65010i]
\tvia 192.0.2.1 on eth0 weight 1
\tBGP.as_path: 65001 65010
\tBGP.large_community: (65001, 1, 2) (65001, 3, 4)
\tBGP.ext_community: (ro, 192.0.2.1, 5) (generic, 0x43000000, 0x1)
"""


def test_hand_made_edge_cases() -> None:
    routes, problems = _parse(HAND)
    assert problems == []
    assert [r.prefix_text for r in routes] == [
        "2001:db8:1::/48",
        "2001:db8:1::/48",
        "2001:db8:2::/48",
        "2001:db8:3::/48",
        "10.0.0.0/8",
    ]
    confed, black, no_path, empty, v4 = routes
    assert confed.as_path.segments == (
        Segment(SegmentType.AS_SEQUENCE, (65001,)),
        Segment(SegmentType.AS_CONFED_SEQUENCE, (65002, 65003)),
        Segment(SegmentType.AS_CONFED_SET, (65004, 65006)),
        Segment(SegmentType.AS_SEQUENCE, (65005,)),
    )
    assert confed.problem is None
    assert str(black.as_path) == "65001 {65007}" and black.communities == ("65001:666",)
    assert no_path.problem == "no BGP.as_path line" and no_path.as_path == AsPath(())
    assert empty.problem == "empty AS path"
    assert v4.communities == (
        "65001:1:2",
        "65001:3:4",
        "ro:192.0.2.1:5",
        "generic:0x43000000:0x1",
    )


def test_garbled_lines_are_problems_with_their_line() -> None:
    text = """Table master6:
2001:db8:1::/48      unicast [bgp1 12:00:00.000 from 2001:db8::1] * (100) [AS65005i]
\tBGP.as_path: 65001 6500x 65005
\tBGP.community: (65001,1) (banana)
garbage that is no route
2001:db8::zz/48      unicast [bgp1 12:00:00.000 from 2001:db8::1] * (100) [AS65005i]
\tBGP.as_path: 65001 {65002
\tsomething odd
2001:db8:4::/48      unicast [bgp1 12:00:00.000 from 2001:db8::1] * (100) [AS65005i]
\tBGP.as_path: 65001 65005
"""
    routes, problems = _parse(text)
    assert [r.prefix_text for r in routes] == [
        "2001:db8:1::/48",
        "2001:db8::zz/48",
        "2001:db8:4::/48",
    ]
    bad_path, bad_prefix, good = routes
    assert bad_path.problem is not None and "unparseable AS path (line 3)" in bad_path.problem
    assert bad_prefix.prefix is None and bad_prefix.problem is not None
    assert "unparseable prefix" in bad_prefix.problem and "unclosed" in bad_prefix.problem
    assert good.problem is None and good.as_path == AsPath.sequence([65001, 65005])
    lines = sorted(int(p.split(":")[0]) for p in problems)
    assert lines == [3, 4, 5, 6, 7, 8]
    assert any(p.startswith("5: not a route line") and "garbage" in p for p in problems)
    assert any(p.startswith("8: unreadable line") and "something odd" in p for p in problems)


def test_attribute_before_any_route() -> None:
    routes, problems = _parse("Table master6:\n\tBGP.as_path: 65001\n")
    assert routes == [] and problems[0].startswith("2: attribute line outside a route")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("65001 65002", "65001 65002"),
        ("65001 {65002 65003}", "65001 {65002 65003}"),
        ("(65001 65002) 65003", "(65001 65002) 65003"),
        ("({65001 65002}) 65003", "[65001 65002] 65003"),
        ("4294967295", "4294967295"),
        ("", ""),
    ],
)
def test_parse_as_path(text: str, expected: str) -> None:
    assert str(parse_as_path(text)) == expected


@pytest.mark.parametrize(
    "text", ["65001 4294967296", "65001 {65002", "65001 {}", "{1 {2}}", "65001 ١٢", "1 2 }"]
)
def test_parse_as_path_refuses(text: str) -> None:
    with pytest.raises(ParseError):
        parse_as_path(text)


def test_parse_communities_refuses() -> None:
    with pytest.raises(ParseError):
        parse_communities(0, "(1,2,3)")
    with pytest.raises(ParseError):
        parse_communities(1, "(1, 2)")
    with pytest.raises(ParseError):
        parse_communities(0, "1:2")
