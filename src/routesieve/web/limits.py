"""What one ``serve`` allows: timeouts, connection and request caps, rate limits, the Host
names it answers to and the proxies it believes (``[serve]`` in the configuration)."""

from __future__ import annotations

from dataclasses import dataclass

from routesieve.config import Config


@dataclass(frozen=True)
class Limits:
    """Defaults hold 300 idle connections and 200 concurrent heavy API requests from one
    client on two cores (tests/web/test_exposed.py, bench/bench_serve_load.py)."""

    header_timeout: float = 10.0
    body_timeout: float = 20.0
    max_connections: int = 1000
    max_connections_per_client: int = 50
    heavy_concurrency: int = 1
    heavy_queue: int = 16
    api_per_minute: int = 120
    form_posts_per_hour: int = 5
    form_refusals_per_hour: int = 30
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
    trusted_proxies: tuple[str, ...] = ()


def default_hosts(listen_host: str) -> tuple[str, ...]:
    """The Host names allowed without ``[serve] hosts``: the listen address and localhost
    (and the loopback addresses when listening on loopback)."""
    names = [listen_host.lower(), "localhost"]
    if listen_host in ("127.0.0.1", "::1", "localhost"):
        names += ["127.0.0.1", "::1"]
    return tuple(dict.fromkeys(names))


def serve_limits(config: Config, listen_host: str) -> Limits:
    """``[serve]`` as the web layer's limits; ``hosts`` defaults to the listen address."""
    s = config.serve
    return Limits(
        header_timeout=float(s.header_timeout_seconds),
        body_timeout=float(s.body_timeout_seconds),
        max_connections=s.max_connections,
        max_connections_per_client=s.max_connections_per_client,
        heavy_concurrency=s.heavy_requests,
        heavy_queue=s.heavy_queue,
        api_per_minute=s.api_requests_per_minute,
        form_posts_per_hour=s.form_posts_per_hour,
        form_refusals_per_hour=s.form_refusals_per_hour,
        hosts=s.hosts or default_hosts(listen_host),
        trusted_proxies=s.trusted_proxies,
    )
