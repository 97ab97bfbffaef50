"""The parts the form's protections are made of, on their own: the token bucket refills
with time and per client, tokens are bound to their cookie and process, and the origin
check names why it refuses."""

from __future__ import annotations

from routesieve.web.security import CsrfTokens, Proxies, RateLimiter, host_name, same_origin


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_the_capacity_then_refills_evenly() -> None:
    clock = Clock()
    limiter = RateLimiter(5, 3600, clock)
    assert [limiter.take("192.0.2.1") for _ in range(5)] == [0.0] * 5
    wait = limiter.take("192.0.2.1")
    assert 719 < wait <= 720  # one token every 720 s
    assert limiter.take("192.0.2.2") == 0.0, "another client has its own bucket"
    clock.now += 720
    assert limiter.take("192.0.2.1") == 0.0
    assert limiter.take("192.0.2.1") > 0
    clock.now += 10 * 3600
    assert [limiter.take("192.0.2.1") for _ in range(6)][-1] > 0, "never above capacity"


def test_a_flood_of_clients_is_pruned_not_kept() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 60, clock)
    limiter.MAX_CLIENTS = 10
    for i in range(10):
        limiter.take(f"198.51.100.{i}")
    clock.now += 61
    limiter.take("203.0.113.1")
    assert len(limiter._buckets) == 1


def test_tokens_are_bound_to_cookie_and_process() -> None:
    csrf = CsrfTokens()
    cookie = csrf.new_cookie()
    token = csrf.token_for(cookie)
    assert csrf.valid(cookie, token)
    assert not csrf.valid(csrf.new_cookie(), token)
    assert not csrf.valid(cookie, None) and not csrf.valid(None, token)
    assert not CsrfTokens().valid(cookie, token), "another process has another secret"


def test_origin_check_names_the_configured_hosts_not_the_request() -> None:
    hosts = ("127.0.0.1", "localhost", "routes.example.net")
    assert same_origin("http://127.0.0.1:8080", None, hosts) is None
    assert same_origin("https://routes.example.net", None, hosts) is None
    assert same_origin(None, "http://localhost:8080/peering/request", hosts) is None
    # a rebound name is refused whatever Host the browser sent with it
    assert same_origin("http://evil.example:8080", None, hosts) == (
        "the form was posted from another site"
    )
    assert same_origin("null", "https://evil.example/", hosts) is not None
    assert same_origin("javascript://127.0.0.1:8080", None, hosts) is not None
    assert same_origin("http://[::1", None, hosts) is not None
    assert same_origin(None, None, hosts) is not None


def test_forwarded_headers_count_only_from_a_trusted_proxy() -> None:
    proxies = Proxies(["127.0.0.1", "10.0.0.0/8"])
    forwarded = {b"x-forwarded-for": b"198.51.100.7, 10.1.2.3", b"x-forwarded-proto": b"https"}
    assert proxies.resolve("127.0.0.1", forwarded) == ("198.51.100.7", "https")
    assert proxies.resolve("192.0.2.9", forwarded) == ("192.0.2.9", None)
    spoofed = {b"x-forwarded-for": b"203.0.113.66, 198.51.100.7"}
    assert proxies.resolve("127.0.0.1", spoofed) == ("198.51.100.7", None), (
        "only the address the trusted proxy saw counts, not what the client prepended"
    )
    assert proxies.resolve("127.0.0.1", {b"x-forwarded-for": b"junk"}) == ("127.0.0.1", None)
    assert Proxies([]).resolve("127.0.0.1", forwarded) == ("127.0.0.1", None)


def test_host_names_lose_port_case_and_brackets() -> None:
    assert host_name("Routes.Example.NET:8080") == "routes.example.net"
    assert host_name("[::1]:8080") == "::1"
    assert host_name("127.0.0.1") == "127.0.0.1"
    assert host_name("example.net.") == "example.net"


def test_peek_spends_nothing() -> None:
    clock = Clock()
    limiter = RateLimiter(1, 60, clock)
    assert limiter.peek("192.0.2.1") == 0.0
    assert limiter.take("192.0.2.1") == 0.0
    assert limiter.peek("192.0.2.1") > 59
    clock.now += 60
    assert limiter.peek("192.0.2.1") == 0.0
    assert limiter.take("192.0.2.1") == 0.0


def test_the_listening_socket_sends_small_writes_at_once() -> None:
    """An answer's head and body are written apart: with Nagle's algorithm on, the body
    waited for the client's delayed ACK, 40 ms on every answer."""
    import socket

    from routesieve.web.limits import Limits
    from routesieve.web.server import Server

    sock = Server(lambda *a: None, "127.0.0.1", 0, Limits()).bind()  # type: ignore[arg-type]
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert sock.proto == socket.IPPROTO_TCP, "asyncio sets TCP_NODELAY on such sockets too"
    finally:
        sock.close()
