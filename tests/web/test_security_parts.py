"""The parts the form's protections are made of, on their own: the token bucket refills
with time and per client, tokens are bound to their cookie and process, and the origin
check names why it refuses."""

from __future__ import annotations

from routesieve.web.security import CsrfTokens, RateLimiter, same_origin


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


def test_origin_check() -> None:
    host = "127.0.0.1:8080"
    assert same_origin("http://127.0.0.1:8080", None, host) is None
    assert same_origin(None, "http://127.0.0.1:8080/peering/request", host) is None
    other = same_origin("http://127.0.0.1:8081", None, host)
    assert other == "the form was posted from another site"
    assert same_origin("null", "https://evil.example/", host) is not None
    assert same_origin("javascript://127.0.0.1:8080", None, host) is not None
    assert same_origin(None, None, host) is not None
    assert same_origin("http://127.0.0.1:8080", None, None) == "no Host header"
