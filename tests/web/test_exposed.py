"""``routesieve serve`` facing the Internet: each finding of issue 14 reproduced as an
attacker would, over real HTTP against a real ``serve`` process on loopback, and shown
fixed. The process trusts 127.0.0.1 as its reverse proxy; clients that must not be
believed connect from 127.0.0.2."""

from __future__ import annotations

import contextlib
import os
import re
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_lab import ServeProcess, serve_process

HEADER_TIMEOUT = 2
BODY_TIMEOUT = 3
MAX_CONNECTIONS = 40
PER_CLIENT = 10
SERVE_TABLE = f"""hosts = ["127.0.0.1", "localhost"]
trusted_proxies = ["127.0.0.1"]
header_timeout_seconds = {HEADER_TIMEOUT}
body_timeout_seconds = {BODY_TIMEOUT}
max_connections = {MAX_CONNECTIONS}
max_connections_per_client = {PER_CLIENT}
api_requests_per_minute = 100000
form_refusals_per_hour = 1000
"""
SECURITY_HEADERS = ("x-content-type-options", "content-security-policy", "x-frame-options")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    with serve_process(tmp_path_factory.mktemp("exposed"), SERVE_TABLE) as s:
        yield s


def connect(s: ServeProcess, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", s.port))
    return sock


def closed_by_server(sock: socket.socket, within: float) -> tuple[bool, bytes]:
    """Read until the server closes ``sock`` (True) or ``within`` seconds pass (False)."""
    got = b""
    end = time.monotonic() + within
    while time.monotonic() < end:
        ready, _, _ = select.select([sock], [], [], max(0.0, end - time.monotonic()))
        if not ready:
            break
        try:
            data = sock.recv(65536)
        except ConnectionError:
            return True, got
        if not data:
            return True, got
        got += data
    return False, got


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_idle_connections_and_slow_headers_are_closed_within_the_header_timeout(
    server: ServeProcess,
) -> None:
    """Finding 1: 30 silent connections and 5 sending a header line every 0.5 s."""
    before = open_files(server.proc.pid)
    idle = [connect(server) for _ in range(30)]
    slow = [connect(server) for _ in range(5)]
    for sock in slow:
        sock.sendall(b"GET /api/v1/run HTTP/1.1\r\nhost: 127.0.0.1\r\n")
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.5):
            for sock in slow:
                with contextlib.suppress(OSError):
                    sock.sendall(b"x-slow: 1\r\n")

    feeder = threading.Thread(target=trickle, daemon=True)
    feeder.start()
    try:
        time.sleep(0.5)
        assert open_files(server.proc.pid) >= before + 30, "the connections were accepted"
        started = time.monotonic()
        for sock in idle + slow:
            closed, _ = closed_by_server(sock, HEADER_TIMEOUT + 4 - (time.monotonic() - started))
            assert closed, "every idle or slow connection is closed by the header timeout"
        assert time.monotonic() - started < HEADER_TIMEOUT + 4
    finally:
        stop.set()
        feeder.join()
        for sock in idle + slow:
            sock.close()
    time.sleep(0.5)
    assert open_files(server.proc.pid) <= before + 2, "the server let go of their files"


def test_a_body_sent_a_byte_at_a_time_is_cut_at_the_body_timeout(server: ServeProcess) -> None:
    """Finding 1: one body byte every 0.5 s no longer keeps a request alive."""
    sock = connect(server)
    sock.sendall(
        b"POST /peering/request HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        b"origin: http://127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\n"
        b"content-length: 2000\r\n\r\n"
    )
    started = time.monotonic()
    answer = b""
    try:
        while time.monotonic() - started < BODY_TIMEOUT + 5:
            try:
                sock.sendall(b"a")
            except OSError:
                break
            closed, got = closed_by_server(sock, 0.5)
            answer += got
            if closed or answer:
                break
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert BODY_TIMEOUT - 0.5 < time.monotonic() - started < BODY_TIMEOUT + 4


def test_connections_over_the_cap_are_answered_503_and_closed(server: ServeProcess) -> None:
    """Finding 1: a cap on connections."""
    held = [connect(server) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.3)
        extra = connect(server)
        extra.sendall(b"GET /api/v1/run HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        closed, answer = closed_by_server(extra, 5)
        extra.close()
        assert closed and answer.startswith(b"HTTP/1.1 503"), answer[:100]
        assert b"retry-after: 5" in answer
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    assert httpx.get(server.url + "/api/v1/run", timeout=5).status_code == 200


def test_one_address_cannot_take_more_than_its_share_of_connections(
    server: ServeProcess,
) -> None:
    """Finding 1: one client (not the trusted proxy) holds at most its share."""
    held = [connect(server, "127.0.0.2") for _ in range(PER_CLIENT)]
    try:
        time.sleep(0.3)
        extra = connect(server, "127.0.0.2")
        extra.sendall(b"GET /api/v1/run HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        closed, answer = closed_by_server(extra, 5)
        extra.close()
        assert closed and answer.startswith(b"HTTP/1.1 503"), answer[:100]
        transport = httpx.HTTPTransport(local_address="127.0.0.3")
        with httpx.Client(transport=transport, timeout=10) as other:
            assert other.get(server.url + "/api/v1/run").status_code == 200
    finally:
        for sock in held:
            sock.close()


def test_a_foreign_host_is_refused_on_every_path(server: ServeProcess) -> None:
    """Finding 3: DNS rebinding; a page on rebind.example reaching a loopback serve."""
    for path in ("/", "/api/v1/run", "/peering/request", "/no/such/page"):
        r = httpx.get(server.url + path, headers={"host": f"rebind.example:{server.port}"})
        assert r.status_code == 421, path
        assert "rebind.example" in r.text
    assert (
        httpx.get(server.url + "/api/v1/run", headers={"host": "rebind.example"})
        .json()["error"]
        .startswith("this server does not answer for host")
    )
    for host in ("127.0.0.1", f"localhost:{server.port}", "LOCALHOST"):
        assert httpx.get(server.url + "/api/v1/run", headers={"host": host}).status_code == 200


def test_the_form_refuses_an_origin_outside_the_configured_hosts(server: ServeProcess) -> None:
    """Finding 3: the Origin check names [serve] hosts, not the request's own Host."""
    with httpx.Client(base_url=server.url, timeout=10) as c:
        token = re.search(r'name="csrf_token" value="(\w+)"', c.get("/peering/request").text)
        assert token
        form = {"csrf_token": token.group(1), "asn": "64500", "name": "x"}
        form["contact"] = "noc@example.net"
        rebound = c.post("/peering/request", data=form, headers={"origin": "http://evil.example"})
    assert rebound.status_code == 403
    assert "another site" in rebound.text


def test_a_huge_offset_or_id_is_a_422_naming_it_never_a_500(server: ServeProcess) -> None:
    """Finding 4: orjson could not write 2**64 back; now every number is bounded."""
    base = server.url + "/api/v1/peers/209001/routes"
    for url, parameter in [
        (f"{base}?offset=18446744073709551616", "offset"),
        (f"{base}?offset=-1", "offset"),
        (f"{base}?limit=18446744073709551616", "limit"),
        (f"{base}/18446744073709551616", "route_id"),
        (f"{base}/99999999999999999999999/explanation", "route_id"),
        (server.url + "/api/v1/peers/18446744073709551616/routes", "asn"),
    ]:
        r = httpx.get(url, timeout=10)
        assert r.status_code == 422, (url, r.text)
        assert r.json()["parameter"] == parameter
    assert httpx.get(f"{base}?offset=2147483647", timeout=10).json()["routes"] == []
    time.sleep(0.3)
    assert "Traceback" not in server.log_text()


def test_a_client_gone_mid_body_is_one_info_line_without_traceback(
    server: ServeProcess,
) -> None:
    """Finding 5."""
    sock = connect(server)
    sock.sendall(
        b"POST /peering/request HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        b"origin: http://127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\n"
        b"content-length: 1000\r\n\r\nasn=64500&na"
    )
    time.sleep(0.3)
    sock.close()
    deadline = time.monotonic() + 10
    while "went away" not in server.log_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = server.log_text()
    gone = [line for line in log.splitlines() if "went away" in line]
    assert len(gone) == 1 and gone[0].startswith("INFO routesieve.web: 127.0.0.1 went away")
    assert "Traceback" not in log and "ERROR" not in log


def test_forwarded_proto_https_from_the_proxy_makes_the_cookie_secure_and_sends_hsts(
    server: ServeProcess,
) -> None:
    """Finding 7: behind the TLS proxy the cookie is Secure; HSTS is sent over TLS."""
    behind = httpx.get(
        server.url + "/peering/request",
        headers={"x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.7"},
    )
    cookie = behind.headers["set-cookie"]
    assert "; secure" in cookie.lower()
    assert behind.headers["strict-transport-security"] == "max-age=31536000"
    plain = httpx.get(server.url + "/peering/request")
    assert "secure" not in plain.headers["set-cookie"].lower()
    assert "strict-transport-security" not in plain.headers


def test_forwarded_headers_from_anyone_else_are_not_believed(server: ServeProcess) -> None:
    """Finding 7 (and 6): a client that is no proxy cannot claim https or another address."""
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=server.url, transport=transport, timeout=10) as c:
        r = c.get("/peering/request", headers={"x-forwarded-proto": "https"})
    assert "secure" not in r.headers["set-cookie"].lower()
    assert "strict-transport-security" not in r.headers


def test_thirty_form_fields_are_refused_for_being_too_many(server: ServeProcess) -> None:
    """Finding 10: not 'not UTF-8 form data'."""
    body = "&".join(f"f{i}=x" for i in range(30))
    r = httpx.post(
        server.url + "/peering/request",
        content=body,
        headers={
            "origin": server.url,
            "content-type": "application/x-www-form-urlencoded",
        },
    )
    assert r.status_code == 400
    assert "at most 20 fields" in r.text and "UTF-8" not in r.text


def test_an_oversized_form_post_gets_an_html_page_and_the_api_json(server: ServeProcess) -> None:
    """Finding 10: the 413 answer fits who asked."""
    big = "m" * 20_000
    form = httpx.post(
        server.url + "/peering/request",
        content=f"message={big}",
        headers={"origin": server.url, "content-type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 413
    assert form.headers["content-type"].startswith("text/html")
    assert "request body too large" in form.text
    api = httpx.request("GET", server.url + "/api/v1/run", content=big)
    assert api.status_code == 413 and api.json()["error"].startswith("request body too large")


def test_the_servers_own_400_carries_the_security_headers(server: ServeProcess) -> None:
    """Finding 10: a request the HTTP parser refuses is answered by the server itself."""
    sock = connect(server)
    sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
    _, answer = closed_by_server(sock, 5)
    sock.close()
    head = answer.decode("latin-1").lower()
    assert head.startswith("http/1.1 400")
    for name in SECURITY_HEADERS:
        assert f"\r\n{name}: " in head, name
    assert "\r\nserver:" not in head


def test_each_security_header_is_sent_once(server: ServeProcess) -> None:
    for path in ("/", "/api/v1/run", "/peering/request", "/nothing-here"):
        r = httpx.get(server.url + path)
        for name in SECURITY_HEADERS:
            assert len(r.headers.get_list(name)) == 1, (path, name)


def test_the_serve_log_names_the_hosts_it_answers_for(server: ServeProcess) -> None:
    assert "answering for 127.0.0.1, localhost" in server.log_text()
    assert Path(server.log).is_file()


def test_a_kept_alive_connection_answers_several_requests_in_turn(server: ServeProcess) -> None:
    """The limits leave keep-alive working: three requests on one connection."""
    sock = connect(server)
    try:
        for _ in range(3):
            sock.sendall(b"GET /api/v1/run HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
            closed, answer = closed_by_server(sock, 1.0)
            assert not closed and answer.startswith(b"HTTP/1.1 200"), answer[:100]
            assert b"connection: close" not in answer.lower()
    finally:
        sock.close()
