"""Damaged MRT input: problems with byte offsets, resynchronisation, never a traceback."""

from __future__ import annotations

import gzip
import re
import struct
from pathlib import Path

import pytest
from mrt_builders import as_path, bgp4mp, mrt, nlri, segment, update

from routesieve.collect.mrt import iter_mrt_events, read_routes_mrt
from routesieve.collect.replay import ReadStats
from routesieve.problems import Problem

PLACE = re.compile(r"offset \d+, record \d+")


def good(prefix: str = "198.51.100.0/24") -> bytes:
    return bgp4mp(update(attrs=as_path(segment(2, [65001])), announced=nlri(prefix)))


def test_bad_record_reported_with_offset_and_next_record_read(tmp_path: Path) -> None:
    bad = mrt(16, 4, b"\x00\x00\xfd\xe9" + bytes(3))  # cut inside the BGP4MP header
    first = good("192.0.2.0/24")
    path = tmp_path / "x.mrt"
    path.write_bytes(first + bad + good("203.0.113.0/24"))
    result = read_routes_mrt(path)
    assert [str(r.prefix) for r in result.items] == ["192.0.2.0/24", "203.0.113.0/24"]
    (problem,) = result.problems
    assert problem.file == str(path)
    assert problem.place == f"offset {len(first)}, record 2"


def test_nlri_longer_than_its_field_is_a_problem(tmp_path: Path) -> None:
    msg = bytearray(update(attrs=as_path(segment(2, [65001])), announced=nlri("10.0.0.0/8")))
    msg[-2] = 33  # prefix length 33 in IPv4 NLRI
    path = tmp_path / "x.mrt"
    path.write_bytes(bgp4mp(bytes(msg)))
    result = read_routes_mrt(path)
    assert result.items == ()
    assert "prefix length 33" in result.problems[0].message


def test_truncated_file_reports_problem(tmp_path: Path) -> None:
    data = good() + good("203.0.113.0/24")
    path = tmp_path / "cut.mrt"
    path.write_bytes(data[:-7])
    result = read_routes_mrt(path)
    assert len(result.items) == 1
    (problem,) = result.problems
    assert "truncated MRT record" in problem.message
    assert problem.place == f"offset {len(good())}, record 2"


def test_truncated_header_reports_problem(tmp_path: Path) -> None:
    path = tmp_path / "cut.mrt"
    path.write_bytes(good() + b"\x00\x01\x02")
    result = read_routes_mrt(path)
    assert len(result.items) == 1
    assert "truncated MRT header" in result.problems[0].message


def test_truncated_gzip_reports_problem(tmp_path: Path) -> None:
    data = gzip.compress(b"".join(good(f"10.{i}.0.0/16") for i in range(200)))
    path = tmp_path / "cut.gz"
    path.write_bytes(data[: len(data) // 2])
    result = read_routes_mrt(path)
    assert result.problems
    assert PLACE.search(result.problems[-1].place)


def test_impossible_length_stops_with_problem(tmp_path: Path) -> None:
    path = tmp_path / "x.mrt"
    path.write_bytes(good() + struct.pack(">IHHI", 0, 16, 4, 0xFFFFFFF0) + bytes(100))
    result = read_routes_mrt(path)
    assert len(result.items) == 1
    assert "impossible MRT record length" in result.problems[0].message


def test_empty_file_has_no_routes_and_no_problems(tmp_path: Path) -> None:
    path = tmp_path / "empty.mrt"
    path.write_bytes(b"")
    result = read_routes_mrt(path)
    assert result.items == () and result.problems == ()


def test_corrupt_zebra_records_of_rrc01_reported_with_offsets(shared_data: Path) -> None:
    path = shared_data / "mrt" / "bgpkit-fixture_rrc01_2000.11_updates.20001104.0124.gz"
    problems: list[Problem] = []
    stats = ReadStats()
    events = list(iter_mrt_events(path, problems, stats))
    assert problems
    assert all(PLACE.fullmatch(p.place) and p.file == str(path) for p in problems)
    # Same counts as bgpdump -m: 378 A, 141 W, 364 STATE lines.
    assert (stats.announcements, stats.withdrawals, stats.state_changes) == (378, 141, 364)
    assert len(events) == 378 + 141


def test_damaged_boundaries_of_rrc00_stop_with_problem(shared_data: Path) -> None:
    path = shared_data / "mrt" / "bgpkit-fixture_rrc00_2000.03_updates.20000325.0345.gz"
    result = read_routes_mrt(path)
    messages = [p.message for p in result.problems]
    assert any("impossible MRT record length" in m for m in messages)
    assert any("MRT type 5 subtype 1 not supported" in m for m in messages)
    stop = next(p for p in result.problems if "impossible" in p.message)
    assert stop.place == "offset 15024, record 7"


@pytest.mark.slow
def test_every_shared_mrt_file_reads_without_traceback(shared_data: Path) -> None:
    for path in sorted((shared_data / "mrt").rglob("*")):
        if path.is_file():
            result = read_routes_mrt(path)
            assert result.provenance.count == len(result.items)
