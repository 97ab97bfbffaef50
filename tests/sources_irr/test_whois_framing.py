"""The whois client against servers that break the framing: a real TCP server on
127.0.0.1 that answers each query line with scripted bytes (silent, closing, lying)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from routesieve.sources.fetched import FetchError
from routesieve.sources.irr.expand import fetch_as_sets
from routesieve.sources.irr.fetch import fetch_whois
from routesieve.sources.irr.whois import QueryRefused, WhoisConnection, WhoisError

# the answer to each query line; None: say nothing more; b"": close the connection
Script = Callable[[str], bytes | None]


@contextmanager
def scripted_server(script: Script, host: str = "127.0.0.1") -> Iterator[int]:
    """Serve one connection at a time on a free loopback port until the block ends."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.bind((host, 0))
    listener.listen(4)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn, contextlib.suppress(OSError):  # the client may hang up any time
                conn.settimeout(0.2)
                buf = b""
                while not stop.is_set():
                    try:
                        data = conn.recv(4096)
                    except TimeoutError:
                        continue
                    if not data:
                        break
                    buf += data
                    while b"\n" in buf:
                        line, _, buf = buf.partition(b"\n")
                        answer = script(line.decode())
                        if answer == b"":
                            conn.shutdown(socket.SHUT_RDWR)
                            buf = b""
                            break
                        if answer is not None:
                            conn.sendall(answer)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def irrd_like(special: dict[str, bytes | None]) -> Script:
    """``!!`` silent, ``!n`` C, the queries in ``special`` scripted, others D."""

    def script(query: str) -> bytes | None:
        if query == "!!":
            return None
        if query.startswith("!n") or query == "!q":
            return b"C\n"
        return special.get(query, b"D\n")

    return script


@contextmanager
def client(
    script: Script, timeout: float = 2.0, host: str = "127.0.0.1", max_answer: int = 1 << 20
) -> Iterator[WhoisConnection]:
    """A connection to a scripted server, both ended with the block."""
    with (
        scripted_server(script, host) as port,
        WhoisConnection(host, port, timeout=timeout, max_answer=max_answer) as conn,
    ):
        yield conn


def test_well_framed_answers_are_read() -> None:
    answers = {"!iAS-X": b"A13\nAS1 AS-Y AS2\nC\n", "!gAS1": b"C\n"}
    with client(irrd_like(answers)) as conn:
        assert conn.members("AS-X") == ["AS1", "AS-Y", "AS2"]
        assert conn.query("!gAS1") == ""
        assert conn.query("!iAS-NONE") is None


def test_silent_server_times_out_naming_server_and_query() -> None:
    with client(irrd_like({"!iAS-X": None}), timeout=1) as conn:
        started = time.monotonic()
        with pytest.raises(WhoisError) as err:
            conn.members("AS-X")
        assert time.monotonic() - started < 5
    assert f"{conn.server} (query '!iAS-X')" in str(err.value)
    assert "within 1 s" in str(err.value)


def test_server_closing_mid_answer_is_an_error() -> None:
    def script(query: str) -> bytes | None:
        if query == "!iAS-X":
            return b"A100\nAS1 AS2"
        if query == "!gAS1":
            return b""
        return irrd_like({})(query)

    with client(script) as conn, pytest.raises(WhoisError, match=r"mid-answer|within 2 s"):
        conn.members("AS-X")
    with client(script) as conn, pytest.raises(WhoisError, match="mid-answer"):
        conn.query("!gAS1")


def test_length_shorter_than_the_data_is_caught() -> None:
    lying = {"!iAS-X": b"A4\nAS1 AS2 AS3\nC\n"}
    with client(irrd_like(lying)) as conn, pytest.raises(WhoisError, match="not followed by C"):
        conn.members("AS-X")


def test_answer_over_the_limit_is_refused_before_reading_it() -> None:
    huge = {"!gAS1": b"A999999999\n"}
    with (
        client(irrd_like(huge), max_answer=1000) as conn,
        pytest.raises(WhoisError, match="over the 1000 limit"),
    ):
        conn.query("!gAS1")


@pytest.mark.parametrize(
    "garbage", [b"HTTP/1.1 400 Bad Request\n", b"A12x\n", b"%" * 5000, b"\xff\xfe\n"]
)
def test_garbled_answers_are_errors(garbage: bytes) -> None:
    with (
        client(irrd_like({"!iAS-X": garbage})) as conn,
        pytest.raises(WhoisError, match=r"not an answer frame|no frame line"),
    ):
        conn.members("AS-X")


def test_refused_query_leaves_the_pipeline_in_step() -> None:
    answers = {"!sX": b"F unknown source\n", "!iAS-X": b"A4\nAS1\nC\n"}
    with client(irrd_like(answers)) as conn:
        with pytest.raises(QueryRefused, match="unknown source"):
            conn.query_many(["!sX", "!iAS-Y", "!iAS-X"])
        assert conn.members("AS-X") == ["AS1"]


def test_unreachable_server_is_an_error() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()
    with pytest.raises(WhoisError, match="cannot connect"):
        WhoisConnection("127.0.0.1", port, timeout=2)


def test_queries_must_be_one_line() -> None:
    with client(irrd_like({})) as conn, pytest.raises(WhoisError, match="one printable line"):
        conn.query("!iAS-X\n!gAS1")


def test_ipv6_loopback_server_is_reached() -> None:
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with client(irrd_like({"!iAS-X": b"A4\nAS1\nC\n"}), host="::1") as conn:
        assert conn.server.startswith("whois://[::1]:")
        assert conn.members("AS-X") == ["AS1"]


def test_hostile_set_members_are_dropped_with_a_note() -> None:
    answers = {"!sRIPE": b"C\n", "!iAS-X": b"A18\nAS1 AS#2 AS-Y\nX\x01Y\nC\n"}
    with client(irrd_like(answers)) as conn:
        walk = fetch_as_sets(conn, ["AS-X"], ["RIPE"], max_depth=5, max_members=10)
    assert walk.as_sets[0].members == ("AS1", "AS-Y")
    assert any("unreadable members" in n for n in walk.notes)
    assert walk.asns == {1}


def test_garbage_prefix_fails_the_fetch_and_keeps_the_old_file(tmp_path: Path) -> None:
    answers = {"!sRIPE": b"C\n", "!gAS1": b"A18\n192.0.2.0/24 ; rm\nC\n"}
    dest = tmp_path / "irr.db"
    dest.write_text("old\n")
    with scripted_server(irrd_like(answers)) as port:
        url = f"whois://127.0.0.1:{port}?sources=RIPE"
        with pytest.raises(FetchError) as err:
            fetch_whois(url, dest, as_sets=[], asns=[1], timeout=2)
    assert "'!gAS1'" in str(err.value) and "not a prefix" in str(err.value)
    assert dest.read_text() == "old\n"


def test_long_pipelines_answer_in_order_across_batches() -> None:
    names = [f"!iAS-{'X' * 60}{i}" for i in range(1500)]  # over PIPELINE_BYTES many times

    def script(query: str) -> bytes | None:
        if query.startswith("!iAS-"):
            data = query[-4:].encode() + b"\n"
            return b"A%d\n%sC\n" % (len(data), data)
        return irrd_like({})(query)

    with client(script, timeout=10) as conn:
        answers = conn.query_many(names)
    assert answers == [q[-4:] + "\n" for q in names]
