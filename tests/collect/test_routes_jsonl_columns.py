"""The columnar JSON-lines reader gives exactly what the line reader gives, on any file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.json as pj
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routesieve.collect import jsonl
from routesieve.collect.files import read_routes
from routesieve.collect.jsonl import read_routes_jsonl
from routesieve.collect.jsonl_lines import read_routes_lines
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.model import Route
from routesieve.problems import ReadResult

ASNS = st.sampled_from([0, 1, 23456, 64512, 65001, 4200000000, 4294967295, 4294967296, -1])
PREFIXES = st.sampled_from(
    [
        "192.0.2.0/24",
        "10.0.0.1/8",
        "010.0.0.0/8",
        "256.0.0.0/8",
        "1.2.3.4/33",
        "1.2.3.4/032",
        "1.2.3.4",
        " 1.2.3.0/24",
        "::/0",
        "2001:db8::/32",
        "2001:DB8::1/48",
        "2001:db8::/129",
        "2001:db8:::/48",
        "::ffff:192.0.2.0/120",
        "1:2:3:4:5:6:7:8/128",
        "2001:db8::/",
        "",
        "not a prefix",
        "é/24",
    ]
)
PATHS = st.sampled_from(
    [
        "65001 65002",
        "65001 65002 {65003 65004}",
        "65001 {65003} {65004} 65005",
        "65001  65002",
        "065001 65002",
        "65001 65001 65002",
        "AS65001 65002",
        "1.10 65002",
        "65001 (65002 65003) 65004",
        "65001 [65002]",
        "65001 {}",
        "65001 {65002",
        "",
        "4294967295 4294967296",
        "not a path",
    ]
)
LIST_PATHS = st.sampled_from([[65001, 65002], [65001, [65003, 65004]], [], ["x"], [[]]])
SESSIONS = st.sampled_from(["s1", "rs-1", "", "sé", None])


@st.composite
def route_lines(draw: st.DrawFn) -> str:
    """A route line as a collector writes it, with the odd value here and there."""
    obj: dict[str, object] = {}
    keys = draw(st.permutations(["peer_asn", "prefix", "as_path", "session", "extra"]))
    for key in keys:
        if key == "peer_asn" and draw(st.integers(0, 20)):
            obj[key] = (
                draw(ASNS) if draw(st.integers(0, 5)) else draw(st.sampled_from(["AS5", 1.5]))
            )
        elif key == "prefix" and draw(st.integers(0, 15)):
            obj[key] = (
                draw(PREFIXES) if draw(st.integers(0, 15)) else draw(st.sampled_from([None, 5]))
            )
        elif key == "as_path" and draw(st.integers(0, 15)):
            obj[key] = draw(PATHS) if draw(st.integers(0, 10)) else draw(LIST_PATHS)
        elif key == "session" and draw(st.booleans()):
            obj[key] = draw(SESSIONS)
        elif key == "extra" and not draw(st.integers(0, 5)):
            obj[key] = draw(st.sampled_from([{"a": [1, {"b": None}]}, "x", 1e300, True]))
    if not draw(st.integers(0, 8)):
        obj["problem"] = draw(st.sampled_from(["seen twice", "", "no prefix", None, 3]))
    if not draw(st.integers(0, 8)):
        obj["communities"] = draw(
            st.sampled_from([["65001:1"], [], ["1:2:3", "65001:1"], None, "x", [1], [None]])
        )
    separators = draw(st.sampled_from([(", ", ": "), (",", ":"), (" , ", " : ")]))
    text = json.dumps(obj, separators=separators, ensure_ascii=draw(st.booleans()))
    return text + draw(st.sampled_from(["", "", " ", "\t"]))


ODD_LINES = st.sampled_from(
    [
        "",
        "# a comment",
        "   ",
        "  # indented comment",
        "not json",
        "[1, 2]",
        "{}",
        '{"peer_asn": 65001}',
        '{"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": "1"} {"peer_asn": 2}',
        '{"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": "1", "x": Infinity}',
        '{"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": "1", "x": Inf}',
        '{"peer_asn": 65001, "peer_asn": 65002, "prefix": "10.0.0.0/8", "as_path": "1"}',
        '{"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": "1", "session": "a\\u00e9"}',
        '{"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": "1", "session": "\\ud800"}',
        '{"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": "1", "x": '
        + "[" * 40
        + "]" * 40
        + "}",
        '{"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": "1", "x": 1' + "0" * 5000 + "}",
        '\ufeff{"peer_asn": 1, "prefix": "10.0.0.0/8", "as_path": "1"}',
        '{"peer_asn": 1, "prefix": "10.0.0.0/8", "as_path": "1"}\u00a0',
        '{"peer_asn": 1, "prefix": "10.0.0.0/8", "as_path": "1", "s": "\x01"}',
        '{"peer_asn": 1, "prefix": "10.0.0.0/8",',
        '"as_path": "1"}',
    ]
)
LINES = st.lists(st.one_of(route_lines(), route_lines(), route_lines(), ODD_LINES), max_size=60)


def same_result(fast: ReadResult[Route], slow: ReadResult[Route]) -> None:
    assert list(fast.items) == list(slow.items)
    assert fast.problems == slow.problems
    assert fast.accounting == slow.accounting
    assert fast.provenance == slow.provenance


def check_file(path: Path, block: int, small: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonl, "BLOCK", block)
        patch.setattr(jsonl, "SMALL", small)
        fast = read_routes_jsonl(path)
    same_result(fast, read_routes_lines(path))


@settings(max_examples=150, deadline=None)
@given(LINES, st.sampled_from([64, 300, 1 << 20]), st.sampled_from([1, 4, 256]), st.booleans())
def test_columns_and_line_reader_agree_on_any_file(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], block: int, small: int, end: bool
) -> None:
    path = tmp_path_factory.mktemp("routes") / "routes.jsonl"
    path.write_text("\n".join(lines) + ("\n" if end else ""), encoding="utf-8")
    check_file(path, block, small)


@settings(max_examples=40, deadline=None)
@given(
    LINES,
    st.sampled_from([b"\r\n", b"\r", b"\n"]),
    st.sampled_from([b"", b"\x80", b"\xff\xfe", b"\xed\xa0\x80", b"\xc3", b"\xe2\x82"]),
    st.floats(0, 1),
)
def test_columns_and_line_reader_agree_on_odd_bytes(
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[str],
    newline: bytes,
    junk: bytes,
    where: float,
) -> None:
    """Carriage returns (the line reader splits lines there too) and undecodable bytes
    anywhere, inside a JSON string too."""
    path = tmp_path_factory.mktemp("routes") / "routes.jsonl"
    data = newline.join(line.encode() for line in lines)
    at = int(where * len(data))
    path.write_bytes(data[:at] + junk + data[at:])
    check_file(path, 300, 4)


def test_routes_are_columns_with_paths_read_once(tmp_path: Path) -> None:
    lines = [
        json.dumps({"peer_asn": 65001, "prefix": f"10.{i}.0.0/16", "as_path": "65001 65002"})
        for i in range(50)
    ]
    path = tmp_path / "routes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_routes(path)
    assert isinstance(result.items, ReceivedRoutes)
    assert len(result.items.paths) == 1
    assert result.items[0].as_path is result.items[49].as_path


def test_compressed_file_read_as_columns_like_the_line_reader(tmp_path: Path) -> None:
    lines = [
        '{"peer_asn": 65001, "prefix": "2001:db8::/32", "as_path": "65001 {65002 65003}"}',
        "# comment",
        '{"peer_asn": 65001, "prefix": "bad", "as_path": [65001, [65002]], "session": "x"}',
        "junk",
    ]
    path = tmp_path / "routes.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    fast = read_routes_jsonl(path)
    same_result(fast, read_routes_lines(path))
    assert fast.accounting is not None and fast.accounting.malformed == 1


def test_damaged_compressed_file_keeps_routes_before_the_damage(tmp_path: Path) -> None:
    line = '{"peer_asn": 65001, "prefix": "2001:db8::/32", "as_path": "65001"}\n'
    whole = gzip.compress((line * 2000).encode())
    path = tmp_path / "routes.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    fast = read_routes_jsonl(path)
    same_result(fast, read_routes_lines(path))
    assert fast.problems and len(fast.items) > 0


def test_plain_lines_never_reach_the_line_reader(tmp_path: Path) -> None:
    lines = [
        "# collected from rs-1",
        "",
        '{"peer_asn": 65001, "prefix": "2001:db8::/32", "as_path": "65001 {65002 65003}"}',
        '{"peer_asn": 65001, "prefix": "bad", "as_path": "", "session": "rs-1", "problem": "x"}',
        '{"peer_asn": 65001, "prefix": "10.0.0.1/8", "as_path": "65001", "communities": ["1:2"]}',
    ]
    path = tmp_path / "routes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    class Refused(jsonl.LineReader):
        def line(self, lineno: int, line: str) -> None:
            raise AssertionError(f"line {lineno} went to the line reader")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonl, "LineReader", Refused)
        fast = read_routes_jsonl(path)
    same_result(fast, read_routes_lines(path))
    assert [r.problem for r in fast.items] == [
        None,
        "x; unparseable prefix 'bad'; empty AS path",
        None,
    ]


# lines in the fixed layout (jsonl_layout): read by byte positions, as the line reader reads
# them; a line that only looks like the layout goes the slower way
PEERS = st.sampled_from(
    [
        "65001",
        "0",
        "4294967295",
        "4294967296",
        "99999999999",
        "01",
        "-1",
        "1.5",
        "1e3",
        "true",
        "",
        " 1",
        "[1]",
        "null",
        "４２",
    ]
)
TEXTS = st.one_of(PREFIXES, PATHS, st.sampled_from(["", "é", "{}", "a b", "\u2028", "𝔸"]))


@st.composite
def layout_lines(draw: st.DrawFn) -> str:
    """A line in one of the layouts, or close to one, with odd values."""
    comma, colon = draw(st.sampled_from([(", ", ": "), (",", ":"), (", ", ":"), (" ,", ": ")]))
    parts = [f'{{"peer_asn"{colon}{draw(PEERS)}']
    parts.append(f'{comma}"prefix"{colon}"{draw(st.one_of(PREFIXES, TEXTS))}"')
    parts.append(f'{comma}"as_path"{colon}"{draw(st.one_of(PATHS, TEXTS))}"')
    if draw(st.booleans()):
        parts.append(f'{comma}"{draw(st.sampled_from(["session", "sessions", "problem"]))}"')
        parts.append(f'{colon}"{draw(st.sampled_from(["rs-1", "", "é", "x y"]))}"')
    return "".join(parts) + draw(st.sampled_from(["}", "}", "} ", "}}", '"}', ",}"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(layout_lines(), max_size=40), st.sampled_from([64, 1 << 20]), st.booleans())
def test_layout_lines_read_as_the_line_reader_reads_them(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], block: int, end: bool
) -> None:
    path = tmp_path_factory.mktemp("routes") / "routes.jsonl"
    path.write_text("\n".join(lines) + ("\n" if end else ""), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jsonl, "BLOCK", block)
        fast = read_routes_jsonl(path)
    same_result(fast, read_routes_lines(path))


LAID_OUT = (
    '{"peer_asn": 65001, "prefix": "2001:db8::/32", "as_path": "65001 {65002 65003}"}\n'
    '{"peer_asn": 65001, "prefix": "bad", "as_path": "", "session": "rs-1"}\n'
    '{"peer_asn":4294967295,"prefix":"10.0.0.1/8","as_path":"1","session":""}\n'
    "# a comment\n"
    '{"peer_asn": 7, "prefix": "192.0.2.0/24", "as_path": "7 é", "session": "ü"}\n'
)


def test_lines_in_the_layout_skip_the_json_parser(tmp_path: Path) -> None:
    path = tmp_path / "routes.jsonl"
    path.write_text(LAID_OUT, encoding="utf-8")

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a line in the layout went to Arrow's JSON reader")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pj, "read_json", refused)
        fast = read_routes_jsonl(path)
    same_result(fast, read_routes_lines(path))
    assert [r.session for r in fast.items] == [None, "rs-1", "", "ü"]
    assert [r.peer_asn for r in fast.items] == [65001, 65001, 4294967295, 7]


def test_reading_routes_attempts_no_failing_import(tmp_path: Path) -> None:
    """A Python number or string passed to an Arrow kernel makes Arrow try ``import
    dateutil``, which fails without python-dateutil and scans sys.path every time: the
    reader passes typed scalars (as the verdict writers do)."""
    import builtins

    path = tmp_path / "routes.jsonl"
    odd = '{"as_path": "65001", "prefix": "2001:db8::/32", "peer_asn": 65001, "session": "x"}\n'
    path.write_text(LAID_OUT + odd * 3, encoding="utf-8")
    failed: list[str] = []
    real = builtins.__import__

    def spy(name: str, *args: object, **kwargs: object) -> object:
        try:
            return real(name, *args, **kwargs)  # type: ignore[arg-type]
        except ImportError:
            failed.append(name)
            raise

    read_routes_jsonl(path)  # what is imported once (pyarrow's look for pandas) is by now
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builtins, "__import__", spy)
        fast = read_routes_jsonl(path)
    assert len(fast.items) == 7
    assert failed == []
