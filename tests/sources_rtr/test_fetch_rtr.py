"""``fetch_rtr``: a full sync from a real StayRTR into an rpki-client JSON file, and every
way it can fail (a cache that dies, refuses, never answers, or sends hostile bytes)
without touching the last good file."""

from __future__ import annotations

import json
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from rtr_lab import Listener, StayRtr, expected, listening, read_exactly, relay

from routesieve.model import Prefix
from routesieve.sources.aspa import read_aspas
from routesieve.sources.fetched import FetchError
from routesieve.sources.rpki import read_vrps
from routesieve.sources.rtr import RtrError, RtrSession, fetch_rtr, parse_rtr_url
from routesieve.sources.rtr.codec import decode, encode
from routesieve.sources.rtr.pdu import CacheResponse, ErrorCode, ErrorReport, PrefixPdu

Start = Callable[..., StayRtr]


def test_fetch_rtr_writes_a_file_read_vrps_reads_back(
    stayrtr: Start, cache_file: Path, tmp_path: Path
) -> None:
    server = stayrtr(cache_file)
    dest = tmp_path / "out" / "vrps.json"
    fetched = fetch_rtr(server.url, dest, timeout=10)
    assert fetched.location == server.url and fetched.path == dest and fetched.count == 19
    doc = json.loads(dest.read_text())
    rtr = doc["metadata"]["rtr"]
    assert fetched.generated == f"serial {rtr['serial']} session {rtr['session_id']}"
    assert rtr["version"] == 2 and abs(doc["metadata"]["generated"] - time.time()) < 60
    read = read_vrps(dest)
    assert read.problems == ()
    assert set(read.items) == expected(cache_file)
    assert {v.ta for v in read.items} == {"rtr"}
    assert list(read.items) == sorted(read.items)  # stable files: same set, same bytes


@pytest.mark.parametrize(
    ("protocol", "note", "aspa_note"),
    [
        ("2", "RTR version 2, 2 ASPAs", "2 customer ASes from aspas"),
        ("1", "RTR version 1, no ASPA (needs version 2)", "spoke version 1"),
    ],
)
def test_fetch_rtr_writes_the_aspas_of_version_2_and_says_version_1_has_none(
    protocol: str, note: str, aspa_note: str, stayrtr: Start, cache_file: Path, tmp_path: Path
) -> None:
    server = stayrtr(cache_file, "-protocol", protocol)
    fetched = fetch_rtr(server.url, tmp_path / "vrps.json", timeout=10)
    assert fetched.note == note
    read = read_aspas(fetched.path)
    assert read.problems == () and aspa_note in read.provenance.note
    assert read.items == (read_aspas(cache_file).items if protocol == "2" else ())
    assert set(read_vrps(fetched.path).items) == expected(cache_file)


def test_fetch_rtr_over_ipv6_loopback(stayrtr: Start, cache_file: Path, tmp_path: Path) -> None:
    server = stayrtr(cache_file, host="::1")
    assert server.url.startswith("rtr://[::1]:")
    fetched = fetch_rtr(server.url, tmp_path / "vrps.json", timeout=10)
    assert set(read_vrps(fetched.path).items) == expected(cache_file)


def test_cache_killed_mid_session_gives_a_clear_error(stayrtr: Start, cache_file: Path) -> None:
    server = stayrtr(cache_file)
    with RtrSession(server.host, server.port, timeout=10) as session:
        session.reset()
        kept = set(session.vrps)
        server.stop()
        with pytest.raises(RtrError, match=rf"127\.0\.0\.1:{server.port}.*connection"):
            session.refresh()
        assert session.vrps == kept  # the last good set stays


def test_fetch_after_the_cache_died_leaves_the_previous_file(
    stayrtr: Start, cache_file: Path, tmp_path: Path
) -> None:
    server = stayrtr(cache_file)
    dest = tmp_path / "vrps.json"
    fetch_rtr(server.url, dest, timeout=10)
    before = dest.read_bytes()
    server.stop()
    with pytest.raises(FetchError, match="connection refused") as caught:
        fetch_rtr(server.url, dest, timeout=5)
    assert caught.value.location == server.url
    assert dest.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".vrps")] == []


def test_stream_cut_short_mid_transfer_leaves_the_previous_file(
    stayrtr: Start, cache_file: Path, tmp_path: Path
) -> None:
    server = stayrtr(cache_file)
    dest = tmp_path / "vrps.json"
    dest.write_text("previous good file")
    # Cache Response (8) and five IPv6 prefixes (5 x 32), then 10 bytes of the next one
    cut = 8 + 5 * 32 + 10

    def dies(conn: socket.socket, index: int) -> None:
        relay((server.host, server.port), read_exactly(conn, 8), conn, limit=cut)

    with (
        listening(dies) as dying,
        pytest.raises(FetchError, match="closed by the server") as caught,
    ):
        fetch_rtr(dying.url, dest, timeout=10)
    message = str(caught.value)
    assert dying.url in message and "after 6 PDUs" in message and "10 bytes" in message
    assert dest.read_text() == "previous good file"


def test_connection_refused_names_the_server(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port that was free a moment ago, now closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError, match=rf"127\.0\.0\.1:{port}: connection refused"):
        fetch_rtr(f"rtr://127.0.0.1:{port}", tmp_path / "vrps.json", timeout=5)
    assert not (tmp_path / "vrps.json").exists()


def test_a_cache_that_never_answers_times_out(tmp_path: Path) -> None:
    def silent(conn: socket.socket, index: int) -> None:
        conn.recv(8)
        conn.recv(8)  # until the client gives up and closes

    with listening(silent) as cache:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out waiting for a Cache Response"):
            fetch_rtr(cache.url, tmp_path / "vrps.json", timeout=1.0)
        assert time.monotonic() - started < 5
    assert not (tmp_path / "vrps.json").exists()


def test_a_cache_that_trickles_is_cut_off_by_the_overall_timeout(tmp_path: Path) -> None:
    data = (
        encode(CacheResponse(1, 7))
        + encode(PrefixPdu(1, True, Prefix.parse("192.0.2.0/24"), 24, 1)) * 50
    )

    def trickle(conn: socket.socket, index: int) -> None:
        conn.recv(8)
        for i in range(len(data)):  # one byte every 50 ms: each read succeeds, the sum is slow
            conn.sendall(data[i : i + 1])
            time.sleep(0.05)

    with listening(trickle) as cache:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out waiting for End of Data"):
            fetch_rtr(cache.url, tmp_path / "vrps.json", timeout=1.0)
        assert time.monotonic() - started < 3


def test_wait_for_notify_gives_none_when_no_notify_comes(stayrtr: Start, cache_file: Path) -> None:
    server = stayrtr(cache_file)
    with RtrSession(server.host, server.port, timeout=10) as session:
        session.reset()
        started = time.monotonic()
        assert session.wait_for_notify(timeout=0.5) is None
        assert 0.4 < time.monotonic() - started < 3
        assert session.refresh().announced == 0  # the connection is still good


def test_a_huge_length_is_refused_from_the_header_and_reported_back(tmp_path: Path) -> None:
    heard: list[bytes] = []

    def hostile(conn: socket.socket, index: int) -> None:
        conn.recv(8)
        conn.sendall(encode(CacheResponse(1, 7)) + struct.pack("!BBHI", 1, 10, 0, 0xFFFFFFFF))
        heard.append(conn.recv(65536))

    with (
        listening(hostile) as cache,
        pytest.raises(FetchError, match=r"length 4294967295 is outside 16\.\.65535"),
    ):
        fetch_rtr(cache.url, tmp_path / "vrps.json", timeout=5)
    report, _ = decode(heard[0])
    assert isinstance(report, ErrorReport) and report.code == ErrorCode.CORRUPT_DATA
    assert report.pdu == struct.pack("!BBHI", 1, 10, 0, 0xFFFFFFFF)


def test_a_duplicate_announcement_is_an_error_reported_back() -> None:
    heard: list[bytes] = []
    vrp = PrefixPdu(1, True, Prefix.parse("192.0.2.0/24"), 24, 64500)

    def duplicates(conn: socket.socket, index: int) -> None:
        conn.recv(8)
        conn.sendall(encode(CacheResponse(1, 7)) + encode(vrp) * 2)
        heard.append(conn.recv(65536))

    with (
        listening(duplicates) as cache,
        RtrSession(cache.host, cache.port, timeout=5) as session,
        pytest.raises(RtrError, match=r"duplicate announcement of 192\.0\.2\.0/24-24 AS64500"),
    ):
        session.reset()
    report, _ = decode(heard[0])
    assert isinstance(report, ErrorReport)
    assert report.code == ErrorCode.DUPLICATE_ANNOUNCEMENT_RECEIVED and report.pdu == encode(vrp)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8282", "scheme http"),
        ("127.0.0.1:8282", "not an rtr:// URL"),
        ("rtr://:8282", "no host"),
        ("rtr://127.0.0.1:70000", "out of range"),
        ("rtr://127.0.0.1:0", "port 0"),
        ("rtr://127.0.0.1:port", "not an rtr:// URL"),
        ("rtr://[::1:8282", "not an rtr:// URL"),
        ("rtr://127.0.0.1:8282/vrps", "after the port"),
        ("rtr://user:pw@127.0.0.1:8282", "credentials"),
    ],
)
def test_bad_urls_are_refused_with_the_reason(url: str, why: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=why):
        parse_rtr_url(url)
    with pytest.raises(FetchError, match=why):
        fetch_rtr(url, tmp_path / "vrps.json")


def test_url_forms() -> None:
    assert parse_rtr_url("rtr://[::1]:8282") == ("::1", 8282)
    assert parse_rtr_url("RTR://localhost:323") == ("localhost", 323)
    assert parse_rtr_url("rtr://rpki.example") == ("rpki.example", 323)


def test_listener_helper_counts_connections() -> None:
    with listening(lambda conn, i: None) as server:
        assert isinstance(server, Listener)
        socket.create_connection(("127.0.0.1", server.port), 2).close()
        deadline = time.monotonic() + 5
        while server.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.connections == 1
