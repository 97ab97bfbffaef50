"""Reading ``show route all`` a route at a time (one regular expression per route) gives
exactly the routes and problems of reading it line by line, the reference: on output
recorded from a real BIRD 2 split into pieces anywhere, and on generated text, good and
damaged (hypothesis)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routesieve.collect import bird_show
from routesieve.collect.bird_show import parse_show_route
from routesieve.model import Route
from routesieve.problems import Problem

DATA = Path(__file__).parent / "data"
RECORDED = sorted(p.name for p in DATA.glob("show_route_all_*.txt"))


def _both(pieces: list[str]) -> tuple[tuple[list[Route], list[Problem]], ...]:
    by_block = parse_show_route(pieces, 65001, "s1", "sock", "cmd", {}, {})
    by_line = parse_show_route(pieces, 65001, "s1", "sock", "cmd", by_block=False)
    return by_block, by_line


def _split(text: str, cuts: list[int]) -> list[str]:
    """``text`` in pieces of whole lines, cut after the given line numbers."""
    lines = text.splitlines(keepends=True)
    bounds = sorted({min(c, len(lines)) for c in cuts} | {0, len(lines)})
    return ["".join(lines[a:b]) for a, b in pairwise(bounds)]


@pytest.mark.parametrize("name", RECORDED)
def test_recorded_output_reads_the_same_in_any_two_pieces(name: str) -> None:
    text = (DATA / name).read_text()
    whole, reference = _both([text])
    assert whole == reference and whole[0]
    for cut in range(1, text.count("\n")):
        assert _both(_split(text, [cut]))[0] == reference, f"cut after line {cut}"


def test_clean_output_is_read_without_the_line_by_line_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Routes as BIRD prints them never go through the slow reading (only the table line
    does), in one piece or several: the speed of a full table depends on it."""
    text = (DATA / "show_route_all_master6.txt").read_text()
    text = "\n".join(line for line in text.splitlines() if "..." not in line) + "\n"
    read: list[str] = []
    line = bird_show._Reader.line

    def counted(self: bird_show._Reader, one: str) -> None:
        read.append(one)
        line(self, one)

    monkeypatch.setattr(bird_show._Reader, "line", counted)
    routes, problems = parse_show_route(_split(text * 40, [50, 51, 200]), 1, "s", "x")
    assert len(routes) == 9 * 40 and problems == []
    assert set(read) == {"Table master6:"}


# ---- generated text ----

PREFIXES = st.sampled_from(
    [
        "2001:db8:1::/48",
        "2a0e:1100::/32",
        "10.0.0.0/8",
        "192.0.2.128/25",
        "::/0",
        "2001:db8::1/128",
        "2001:db8::zz/48",
        "10.0.0.0/33",
        "2001:db8::/0129",
        "1.2.3/24",
        "2001:db8::/129",
        "10.1.2.3/8",
        "/24",
    ]
)
PATHS = st.sampled_from(
    [
        "65001",
        "65001 174 3356 64500",
        "65001 {64603 64604}",
        "65001 (65002 65003) ({65004 65006}) 65005",
        "4294967295",
        "4294967296",
        "65001 6500x",
        "65001 {65002",
        "65001 4200000123 4200000123 4200000...",
        "",
        " ",
        "65001  65002",
        "65001 65002 ",
        "{}",
        "1 2 }",
        "65001 ١٢",
    ]
)
STD = st.sampled_from(["(65001,100)", "(65001,1) (65535,666)", "(banana)", "", "(1,2,3)"])
LARGE = st.sampled_from(["(65001, 1, 2)", "(4200000001, 1, 2) (1, 2, 3)", "(1, 2)", "x"])
EXT = st.sampled_from(["(rt, 65001, 7)", "(ro, 192.0.2.1, 5) (generic, 0x43000000, 0x1)", "(rt)"])
HEAD_TAIL = " [peer_a 09:50:36.437 from ::1] * (100) [AS64606i]"
TYPES = st.sampled_from(["unreachable", "unicast", "blackhole", "prohibit", "via", "dev", "odd"])
OTHER_LINES = st.sampled_from(
    [
        "",
        "   ",
        "\x1c",
        "Table master6:",
        "Table import:",
        "garbage that is no route",
        "\t",
        "\tsomething odd",
        "\tvia 192.0.2.1 on eth0",
        "\t\t(65001,5)",
        "\t(1,2)",
        "\tBGP.as_pathology: 1",
        "\tBGP.community:",
        "\tBGP.as_path: 65009",
        "\tBGP.med: 10",
        "                     unreachable",
        "2001:db8:9::/48 unreachable no bracket",
    ]
)


@st.composite
def route_blocks(draw: st.DrawFn) -> list[str]:
    """The lines of one route as BIRD 2 prints it, its parts drawn, some left out."""
    kind = draw(TYPES)
    if draw(st.booleans()):
        head = f"{draw(PREFIXES):<20} {kind}{HEAD_TAIL}"
    else:
        head = f"{'':20} {kind}{HEAD_TAIL}"
    lines = [head]
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["\tvia 2001:db8::1 on eth0", "\tdev eth0"])))
    lines += ["\tType: BGP univ", "\tBGP.origin: IGP"]
    if draw(st.integers(0, 9)):
        lines.append(f"\tBGP.as_path: {draw(PATHS)}")
    lines += ["\tBGP.next_hop: ::1", "\tBGP.local_pref: 100"]
    for attribute, values in (("community", STD), ("ext_community", EXT)):
        if draw(st.booleans()):
            lines.append(f"\tBGP.{attribute}: {draw(values)}")
            lines += [f"\t\t{draw(values)}" for _ in range(draw(st.integers(0, 2)))]
    if draw(st.booleans()):
        lines.append(f"\tBGP.large_community: {draw(LARGE)}")
    return lines


@st.composite
def show_route_texts(draw: st.DrawFn) -> tuple[str, list[int]]:
    """Text of several routes with lines put in, taken out or swapped, and where to cut
    it into pieces."""
    lines = ["Table master6:"] if draw(st.booleans()) else []
    for block in draw(st.lists(route_blocks(), min_size=1, max_size=8)):
        lines += block
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(lines)))
        change = draw(st.sampled_from(["insert", "delete", "swap"]))
        if change == "insert":
            lines.insert(at, draw(OTHER_LINES))
        elif lines and at < len(lines):
            if change == "delete":
                del lines[at]
            elif at + 1 < len(lines):
                lines[at], lines[at + 1] = lines[at + 1], lines[at]
    cuts = draw(st.lists(st.integers(0, len(lines)), max_size=4))
    return "".join(line + "\n" for line in lines), cuts


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(show_route_texts())
def test_generated_text_reads_the_same_route_by_route_as_line_by_line(
    case: tuple[str, list[int]],
) -> None:
    text, cuts = case
    by_block, by_line = _both(_split(text, cuts))
    assert by_block == by_line


@settings(max_examples=200, deadline=None)
@given(st.lists(route_blocks(), min_size=1, max_size=6), st.lists(st.integers(0, 60)))
def test_undamaged_routes_read_the_same_in_any_pieces(
    blocks: list[list[str]], cuts: list[int]
) -> None:
    text = "".join(line + "\n" for block in blocks for line in block)
    whole = _both([text])
    assert whole[0] == whole[1]
    assert _both(_split(text, cuts)) == whole
