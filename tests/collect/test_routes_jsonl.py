"""Received routes from JSON lines: routes kept, junk reported with line numbers."""

from __future__ import annotations

import json
from pathlib import Path

from routesieve.collect.jsonl import read_routes_jsonl
from routesieve.model import Prefix, SegmentType


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "routes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_text_as_path_with_as_set_read(tmp_path: Path) -> None:
    line = (
        '{"peer_asn": 65001, "prefix": "2a0e:1000::/32", '
        '"as_path": "65001 65002 {65003 65004}", "session": "locix-1"}'
    )
    (route,) = read_routes_jsonl(write(tmp_path, line)).items
    assert route.peer_asn == 65001 and route.session == "locix-1"
    assert route.prefix == Prefix.parse("2a0e:1000::/32")
    assert route.as_path.segments[-1].type == SegmentType.AS_SET
    assert route.problem is None


def test_list_as_path_inner_list_is_as_set(tmp_path: Path) -> None:
    line = (
        '{"peer_asn": "AS65001", "prefix": "192.0.2.0/24", '
        '"as_path": [65001, 65002, [65003, 65004]]}'
    )
    (route,) = read_routes_jsonl(write(tmp_path, line)).items
    assert route.peer_asn == 65001 and route.session is None
    assert str(route.as_path) == "65001 65002 {65003 65004}"


def test_blank_and_comment_lines_skipped(tmp_path: Path) -> None:
    path = write(
        tmp_path, "", "# a comment", '{"peer_asn": 1, "prefix": "10.0.0.0/8", "as_path": "1"}'
    )
    result = read_routes_jsonl(path)
    assert len(result.items) == 1 and result.problems == ()


def test_junk_lines_reported_with_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "not json",
        '{"prefix": "10.0.0.0/8", "as_path": "1"}',
        '{"peer_asn": "ASX", "prefix": "10.0.0.0/8", "as_path": "1"}',
        "[1, 2]",
        '{"peer_asn": 1, "prefix": "10.0.0.0/8", "as_path": "1"}',
    )
    result = read_routes_jsonl(path)
    assert [p.line for p in result.problems] == [1, 2, 3, 4]
    assert all(p.file == str(path) for p in result.problems)
    assert len(result.items) == 1


def test_bad_prefix_kept_as_malformed_route(tmp_path: Path) -> None:
    path = write(tmp_path, '{"peer_asn": 65001, "prefix": "2001:zz::/32", "as_path": "65001"}')
    result = read_routes_jsonl(path)
    (route,) = result.items
    assert route.prefix is None and route.raw_prefix == "2001:zz::/32"
    assert route.problem == "unparseable prefix '2001:zz::/32'"
    assert result.problems == ()


def test_empty_as_path_kept_as_malformed_route(tmp_path: Path) -> None:
    path = write(tmp_path, '{"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": ""}')
    (route,) = read_routes_jsonl(path).items
    assert route.problem == "empty AS path" and route.prefix is not None


def test_bad_as_path_kept_as_malformed_route(tmp_path: Path) -> None:
    path = write(tmp_path, '{"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": "65001 {"}')
    (route,) = read_routes_jsonl(path).items
    assert route.problem is not None and route.problem.startswith("unparseable AS path")


def test_hostile_session_names_kept_as_data(tmp_path: Path) -> None:
    names = [
        'a"b',
        "line\nbreak",
        "<script>alert(1)</script>",
        "'; DROP TABLE routes; --",
        "\u202e",
    ]
    lines = [
        json.dumps({"peer_asn": 65001, "prefix": "10.0.0.0/8", "as_path": "65001", "session": s})
        for s in names
    ]
    result = read_routes_jsonl(write(tmp_path, *lines))
    assert [r.session for r in result.items] == names
    assert result.problems == ()


def test_provenance_counts_routes(tmp_path: Path) -> None:
    path = write(tmp_path, '{"peer_asn": 1, "prefix": "10.0.0.0/8", "as_path": "1"}')
    provenance = read_routes_jsonl(path).provenance
    assert provenance.count == 1 and provenance.location == str(path)
