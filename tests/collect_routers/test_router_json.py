"""Reading FRR's and OpenBGPD's JSON as it streams: paths as sent, unreadable routes kept
with a problem, and a command that is missing, fails, hangs or prints no JSON."""

from __future__ import annotations

import io
import shlex
import sys

import ijson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from routesieve.collect.command_json import CommandError, cached_path, stream_json
from routesieve.collect.frr_routes import Vtysh, parse_received, read_received
from routesieve.collect.openbgpd_routes import parse_rib
from routesieve.model import AsPath, ParseError
from routesieve.problems import Problem

FRR_RECEIVED = b"""{
  "bgpTableVersion":3, "localAS":64999,
  "receivedRoutes":{
    "2001:db8:1::/48":{"network":"2001:db8:1::/48","path":"65001 65010","weight":0},
    "2001:db8:2::/48":{"network":"2001:db8:2::/48","path":"65001 {65011,65012} 65013"},
    "2001:db8:2::/48":{"network":"2001:db8:2::/48","path":"65001 65040"},
    "2001:db8:zz::/48":{"network":"2001:db8:zz::/48","path":"65001"},
    "2001:db8:3::/48":{"network":"2001:db8:3::/48","path":"65001 (65100 65101) 65013"},
    "2001:db8:4::/48":{"network":"2001:db8:4::/48","path":"65001 x"},
    "2001:db8:5::/48":{"network":"2001:db8:5::/48","path":""}
  },
  "totalPrefixCounter":7
}"""


def frr_routes(data: bytes) -> list:  # type: ignore[type-arg]
    items = ijson.kvitems(io.BytesIO(data), "receivedRoutes", use_float=True)
    return list(parse_received(items, 65001, "edge:fd00::1"))


def test_frr_paths_are_kept_exactly_as_sent_sets_and_confederations_included() -> None:
    routes = frr_routes(FRR_RECEIVED)
    by_path = {r.as_path for r in routes if r.problem is None}
    assert AsPath.parse("65001 {65011 65012} 65013") in by_path
    assert AsPath.parse("65001 (65100 65101) 65013") in by_path
    assert next(r for r in routes if r.prefix_text == "2001:db8:3::/48").as_path.segments[1][1] == (
        65100,
        65101,
    )


def test_frr_add_path_duplicates_of_a_prefix_are_each_kept() -> None:
    routes = frr_routes(FRR_RECEIVED)
    assert [str(r.as_path) for r in routes if r.prefix_text == "2001:db8:2::/48"] == [
        str(AsPath.parse("65001 {65011,65012} 65013")),
        "65001 65040",
    ]


def test_frr_unreadable_routes_are_kept_with_a_problem_never_dropped() -> None:
    routes = frr_routes(FRR_RECEIVED)
    assert len(routes) == 7
    bad = {r.prefix_text: r.problem for r in routes if r.problem}
    assert "unreadable prefix" in (bad["2001:db8:zz::/48"] or "")
    assert "unreadable AS path" in (bad["2001:db8:4::/48"] or "")
    assert bad["2001:db8:5::/48"] == "empty AS path"
    assert next(r for r in routes if r.prefix_text == "2001:db8:zz::/48").prefix is None


def test_frr_warning_instead_of_routes_becomes_a_problem() -> None:
    script = 'print(\'{ "warning": "Inbound soft reconfiguration not enabled" }\')'
    vtysh = Vtysh(command=f"{sys.executable} -c {shlex.quote(script)} --")
    routes, problems = read_received(vtysh, "show ...", 65001, "edge:x", "vtysh")
    assert routes == []
    assert len(problems) == 1 and "soft-reconfiguration inbound is off" in problems[0].message


OPENBGPD_RIB = b"""{"rib": [
 {"prefix": "2001:db8:1::/48", "aspath": "65001 { 65011 65012 } 65013",
  "neighbor": {"remote_addr": "fd00::1", "bgp_id": "10.0.0.1"},
  "communities": ["65001:1", "65001:2"], "large_communities": ["65001:1:2"]},
 {"prefix": "2001:db8:2::/48", "aspath": "65002 0 5",
  "neighbor": {"remote_addr": "fd00::2", "bgp_id": "10.0.0.2"}},
 {"prefix": "2001:db8:3::/48", "aspath": "65003",
  "neighbor": {"remote_addr": "fd00::3", "bgp_id": "10.0.0.3"}},
 {"prefix": "2001:db8:4::/480", "aspath": "65001",
  "neighbor": {"remote_addr": "fd00::1", "bgp_id": "10.0.0.1"}}
]}"""


def test_openbgpd_routes_keep_paths_and_communities_and_unknown_neighbours_are_problems() -> None:
    problems: list[Problem] = []
    items = ijson.items(io.BytesIO(OPENBGPD_RIB), "rib.item", use_float=True)
    asns: dict[str, int | None] = {"fd00::1": 65001, "fd00::2": 65002}
    routes = list(parse_rib(items, asns, "edge", problems, "bgpctl"))
    assert len(routes) == 4
    first = routes[0]
    assert first.as_path == AsPath.parse("65001 {65011 65012} 65013")
    assert first.communities == ("65001:1", "65001:2", "65001:1:2")
    assert (first.session, first.peer_asn) == ("edge:fd00::1", 65001)
    assert routes[1].as_path == AsPath.parse("65002 0 5") and routes[1].problem is None
    assert routes[2].problem == "neighbour AS unknown"
    assert [p.place for p in problems] == ["edge:fd00::3"]
    assert routes[3].prefix is None and "unreadable prefix" in (routes[3].problem or "")


@given(st.lists(st.lists(st.integers(1, 4294967295), min_size=1, max_size=5), max_size=6))
def test_frr_path_text_round_trips_through_the_streaming_reader(
    segments: list[list[int]],
) -> None:
    # FRR's text: sequences space-separated, sets as {a,b}
    text = " ".join(
        " ".join(map(str, s)) if i % 2 == 0 else "{" + ",".join(map(str, s)) + "}"
        for i, s in enumerate(segments)
    )
    data = (
        b'{"receivedRoutes":{"2001:db8::/32":{"network":"2001:db8::/32","path":"'
        + text.encode()
        + b'"}}}'
    )
    routes = frr_routes(data)
    assert len(routes) == 1 and routes[0].as_path == AsPath.parse(text)


def test_a_missing_program_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="program not found"):
        stream_json(["/nonexistent/bgpctl", "-j"], lambda f: f.read(), 5)


def test_a_failing_command_is_an_error_with_its_message() -> None:
    args = [sys.executable, "-c", "import sys; sys.stderr.write('no socket'); sys.exit(3)"]
    with pytest.raises(CommandError, match="exited 3: no socket"):
        stream_json(args, lambda f: list(ijson.items(f, "rib.item")), 5)


def test_a_command_that_hangs_is_killed_after_its_timeout() -> None:
    args = [sys.executable, "-c", "import time; print('{\"rib\": [', flush=True); time.sleep(60)"]
    with pytest.raises(CommandError, match=r"timed out after 0\.5 s"):
        stream_json(args, lambda f: list(ijson.items(f, "rib.item")), 0.5)


def test_output_that_is_not_json_is_an_error_naming_the_place() -> None:
    args = [sys.executable, "-c", "print('% Unknown command')"]
    with pytest.raises(CommandError, match="not JSON near byte"):
        stream_json(args, lambda f: list(ijson.items(f, "rib.item")), 5)


@given(
    st.lists(
        st.one_of(
            st.integers(0, 2**32 + 5).map(str),
            st.sampled_from(["{1,2}", "( 3 4 )", "AS5", "x", "1.2", "+7", "٣", "", "00"]),
        ),
        max_size=6,
    )
)
def test_the_fast_path_reader_agrees_with_as_path_parse(words: list[str]) -> None:
    text = " ".join(words)
    try:
        want: AsPath | None = AsPath.parse(text)
    except ParseError:
        want = None
    got = cached_path({}, text)
    if want is None:
        assert isinstance(got, str) and "unreadable AS path" in got
    else:
        assert got == want
