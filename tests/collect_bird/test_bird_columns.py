"""Reading ``show route all`` into columns (``bird_columns``) gives exactly the routes and
problems of the per-route reader (``parse_show_route``), on recorded BIRD output and on
generated text, clean and damaged, in pieces of any size; and the collect file written
from the columns is byte for byte the one written route by route."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bird_show_by_block import _split, route_blocks, show_route_texts

from routesieve.collect import bird_columns, bird_show
from routesieve.collect.bird_columns import read_show_route_blocks, read_show_route_columns
from routesieve.collect.bird_show import parse_show_route
from routesieve.collect.bird_socket import BirdError
from routesieve.collect.read_ahead import read_ahead
from routesieve.collect.store import write_snapshot
from routesieve.columnar.routes import ReceivedRoutes

DATA = Path(__file__).parent / "data"
RECORDED = sorted(p.name for p in DATA.glob("show_route_all_*.txt"))
HEAD_TAIL = " [peer_a 09:50:36.437 from ::1] * (100) [AS64606i]"

PREFIXES = st.sampled_from(
    ["2001:db8:1::/48", "2a0e:1100::/32", "10.0.0.0/8", "192.0.2.128/25", "10.1.2.3/8", "::/0"]
)
ASNS = st.integers(0, 4_294_967_295)


@st.composite
def as_paths(draw: st.DrawFn) -> str:
    """Paths as BIRD prints them: AS numbers up to 2^32 - 1, AS_SETs anywhere."""
    items = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 5)):
            items.append(str(draw(ASNS)))
        else:
            items.append(
                "{" + " ".join(map(str, draw(st.lists(ASNS, min_size=1, max_size=3)))) + "}"
            )
    return " ".join(items)


STD = st.lists(
    st.tuples(st.integers(0, 65535), st.integers(0, 65535)).map(lambda c: f"({c[0]},{c[1]})"),
    min_size=1,
    max_size=4,
).map(" ".join)
LARGE = st.lists(
    st.tuples(ASNS, ASNS, ASNS).map(lambda c: f"({c[0]}, {c[1]}, {c[2]})"), min_size=1, max_size=3
).map(" ".join)
EXT = st.sampled_from(["(rt, 65001, 7)", "(ro, 192.0.2.1, 5) (generic, 0x43000000, 0x1)"])


@st.composite
def clean_blocks(draw: st.DrawFn) -> list[str]:
    """One route as BIRD 2 prints it, nothing wrong: odd attributes, AS_SETs, the three
    kinds of communities, long lists going on over further lines."""
    kind = draw(st.sampled_from(["unreachable", "unicast", "blackhole", "prohibit"]))
    prefix = draw(PREFIXES) if draw(st.integers(0, 4)) else ""
    lines = [f"{prefix:<20} {kind}{HEAD_TAIL}"]
    if kind == "unicast":
        lines.append(draw(st.sampled_from(["\tvia 2001:db8::1 on eth0", "\tdev eth0"])))
    lines += ["\tType: BGP univ", "\tBGP.origin: IGP", f"\tBGP.as_path: {draw(as_paths())}"]
    lines += draw(
        st.lists(st.sampled_from(["\tBGP.next_hop: ::1", "\tBGP.med: 10", "\tBGP.otc: 65001"]))
    )
    for attribute, values in (
        ("community", STD),
        ("ext_community", EXT),
        ("large_community", LARGE),
    ):
        if draw(st.booleans()):
            lines.append(f"\tBGP.{attribute}: {draw(values)}")
            lines += [f"\t\t{draw(values)}" for _ in range(draw(st.integers(0, 2)))]
    if draw(st.integers(0, 9)) == 0:
        lines.append("\tBGP.community:")
    return lines


def _columns(pieces: list[str]) -> tuple[list[object], list[object]]:
    routes, problems = read_show_route_columns(pieces, 65001, "s1", "sock", "cmd")
    return list(routes.rows(0, len(routes))), list(problems)


def _reference(pieces: list[str]) -> tuple[list[object], list[object]]:
    routes, problems = parse_show_route(pieces, 65001, "s1", "sock", "cmd")
    return list(routes), list(problems)


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of a few routes, so that one text is read in several, columns and not."""
    monkeypatch.setattr(bird_columns, "PIECE", 300)


@pytest.mark.parametrize("name", RECORDED)
def test_recorded_output_reads_as_the_per_route_reader_reads_it(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (DATA / name).read_text()
    reference = _reference([text])
    assert _columns([text]) == reference
    monkeypatch.setattr(bird_columns, "PIECE", 200)
    assert _columns([text]) == reference


def test_a_path_cut_short_is_a_problem_naming_its_line_and_command() -> None:
    text = (DATA / "show_route_all_import_table_peer_a.txt").read_text()
    routes, problems = read_show_route_columns([text], 65001, "s1", "sock", "show route all x")
    [cut] = [p for p in problems if "cut short" in p.message]
    assert (cut.file, cut.line, cut.place) == ("sock", 39, "show route all x")
    assert cut.line is not None and "BGP.as_path" in text.splitlines()[cut.line - 1]
    assert sum(1 for r in routes if r.problem and "too long" in r.problem) == 1


def test_clean_output_never_goes_to_the_per_route_reader(
    monkeypatch: pytest.MonkeyPatch, small_pieces: None
) -> None:
    """The speed of a full table depends on it."""
    text = (DATA / "show_route_all_master6.txt").read_text() * 30

    def refused(*args: object) -> None:
        raise AssertionError("read route by route")

    monkeypatch.setattr(bird_columns, "read_piece", refused)
    routes, problems = read_show_route_columns(_split(text, [7, 100]), 1, "s", "x")
    assert len(routes) == 9 * 30 and problems == []
    assert isinstance(routes, ReceivedRoutes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(clean_blocks(), min_size=1, max_size=12), st.lists(st.integers(0, 80)))
def test_generated_routes_read_as_the_per_route_reader_reads_them(
    blocks: list[list[str]], cuts: list[int]
) -> None:
    text = "Table master6:\n" + "".join(line + "\n" for block in blocks for line in block)
    pieces = _split(text, cuts)
    assert _columns(pieces) == _reference(pieces)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(show_route_texts())
def test_damaged_text_reads_as_the_per_route_reader_reads_it(case: tuple[str, list[int]]) -> None:
    text, cuts = case
    pieces = _split(text, cuts)
    assert _columns(pieces) == _reference(pieces)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(clean_blocks(), route_blocks()), min_size=1, max_size=30))
def test_clean_and_damaged_routes_in_small_pieces_read_the_same(
    blocks: list[list[str]],
) -> None:
    text = "".join(line + "\n" for block in blocks for line in block)
    original = bird_columns.PIECE
    bird_columns.PIECE = 250
    try:
        assert _columns([text]) == _reference([text])
    finally:
        bird_columns.PIECE = original


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(clean_blocks(), route_blocks()), min_size=1, max_size=20),
    st.lists(st.sampled_from([b" ", b"1007-", b"1008-", b"1012-"]), min_size=1),
    st.lists(st.integers(0, 400)),
)
def test_lines_with_their_reply_codes_read_as_the_text_without_them(
    blocks: list[list[str]], codes: list[bytes], cuts: list[int]
) -> None:
    """What the socket hands on (:meth:`BirdClient.blocks`): each line with its code or
    the space of a continuation, codes mixed within a kind of line, in blocks cut
    anywhere between lines."""
    lines = [line for block in blocks for line in block]
    coded = [codes[i % len(codes)] + line.encode() + b"\n" for i, line in enumerate(lines)]
    data = b"".join(coded)
    ends = sorted({sum(len(c) for c in coded[: i % (len(coded) + 1)]) for i in cuts})
    parts = [data[a:b] for a, b in zip([0, *ends], [*ends, len(data)], strict=True)]
    original = bird_columns.PIECE
    bird_columns.PIECE = 250
    try:
        routes, problems = read_show_route_blocks(parts, 65001, "s1", "sock", "cmd")
        assert (list(routes.rows(0, len(routes))), list(problems)) == _reference(
            ["".join(line + "\n" for line in lines)]
        )
    finally:
        bird_columns.PIECE = original


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(clean_blocks(), route_blocks()), min_size=0, max_size=20))
def test_collect_file_from_columns_is_the_one_written_route_by_route(
    tmp_path_factory: pytest.TempPathFactory, blocks: list[list[str]]
) -> None:
    text = "".join(line + "\n" for block in blocks for line in block)
    columns, _ = read_show_route_columns([text], 65001, "s1", "sock", "cmd")
    routes, _ = parse_show_route([text], 65001, "s1", "sock", "cmd")
    when = datetime(2026, 12, 3, tzinfo=UTC)
    fast = write_snapshot(columns, tmp_path_factory.mktemp("columns"), when, 1)
    slow = write_snapshot(routes, tmp_path_factory.mktemp("routes"), when, 1)
    assert fast.read_bytes() == slow.read_bytes()
    assert gzip.decompress(fast.read_bytes()).count(b"\n") == len(routes)


def test_the_per_route_reader_of_a_piece_counts_lines_from_where_the_piece_starts() -> None:
    routes, problems, last = bird_show.read_piece(
        "                     unicast [x] *\n\tBGP.as_path: 1 2 ...\n",
        65001,
        "s1",
        "sock",
        "cmd",
        40,
        "2001:db8::/32",
    )
    assert [r.raw_prefix for r in routes] == ["2001:db8::/32"] and last == "2001:db8::/32"
    assert [p.line for p in problems] == [42]


def test_an_error_while_the_reply_is_read_is_raised_to_the_reader() -> None:
    """What the socket raises in the reading thread (a lost connection, a timeout) comes
    out of the parse with its own message, after the pieces before it."""

    def reply() -> Iterator[str]:
        yield (DATA / "show_route_all_master6.txt").read_text()
        raise BirdError("/run/bird.ctl", "connection closed during the reply")

    with pytest.raises(BirdError, match="connection closed during the reply"):
        read_show_route_columns(reply(), 65001, "s1", "sock", "cmd")


def test_a_reader_that_stops_early_closes_the_reply() -> None:
    closed: list[bool] = []

    def reply() -> Iterator[str]:
        try:
            while True:
                yield "x\n"
        finally:
            closed.append(True)

    pieces = read_ahead(reply(), depth=2)
    assert next(pieces) == "x\n"
    pieces.close()
    assert closed == [True]


def test_many_routes_of_one_prefix_are_read_whole(small_pieces: None) -> None:
    """Routes of one prefix after the first start with blanks: no piece can be cut
    between them, and they are read as one piece, as columns."""
    first = f"2001:db8::/32        unreachable{HEAD_TAIL}\n"
    more = f"{'':20} unreachable{HEAD_TAIL}\n"
    route = "\tType: BGP univ\n\tBGP.as_path: 65001 {}\n\tBGP.community: (65001,{})\n"
    text = "".join((first if i == 0 else more) + route.format(i, i) for i in range(200))
    pieces = _split(text, list(range(0, 800, 7)))
    routes, problems = read_show_route_columns(pieces, 65001, "s1", "sock", "cmd")
    assert len(routes) == 200 and problems == []
    assert {r.prefix_text for r in routes} == {"2001:db8::/32"}
    assert (list(routes), problems) == _reference(pieces)


def test_a_prefix_text_longer_than_any_address_reads_as_the_per_route_reader_reads_it() -> None:
    """The prefix text ends at the line's first space, however far (it is not a prefix
    then: a problem of the route, as the per-route reader says)."""
    long = "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa/128"
    text = "".join(
        f"{prefix:<20} unreachable{HEAD_TAIL}\n\tType: BGP univ\n\tBGP.as_path: 65001 {i}\n"
        for i, prefix in enumerate(["2001:db8::/32", long, "2001:db8:1::/48"])
    )
    assert _columns([text]) == _reference([text])
    assert len(_columns([text])[0]) == 3
