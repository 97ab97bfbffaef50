"""The API's limits over real HTTP (issue 14, finding 2): heavy requests wait in a short
queue and the rest are told to come back (503, Retry-After) while small requests keep
answering; each client has its own API rate, counted per real client behind a trusted
proxy."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest
from web_lab import EXAMPLE, ServerFactory

from routesieve.config import load_config
from routesieve.model import AsPath, Prefix, Route
from routesieve.sources.load import load_snapshot
from routesieve.web import ServeData, evaluate_for_serving
from routesieve.web.limits import Limits

PEER = 209001


@pytest.fixture(scope="module")
def big_peer() -> ServeData:
    """AS209001 of the example with 40,000 routes, so a search takes real time."""
    config = load_config(EXAMPLE / "routesieve.toml")
    snapshot = load_snapshot(config, int(datetime.now(UTC).timestamp())).snapshot
    rng = random.Random(14)
    routes = []
    for i in range(40_000):
        value = (0x2A0 << 116) | (rng.getrandbits(36) << 80)
        path = AsPath.parse(f"{PEER} {rng.randrange(209010, 209999)} {rng.randrange(1, 99999)}")
        routes.append(Route(PEER, Prefix(6, value, 48), path, f"bgpx-{i % 2}"))
    return evaluate_for_serving(routes, snapshot, config.to_policy(), datetime.now(UTC))


def test_heavy_requests_beyond_the_queue_are_told_to_retry_and_small_ones_still_answer(
    serve: ServerFactory, big_peer: ServeData
) -> None:
    limits = Limits(heavy_concurrency=1, heavy_queue=2, api_per_minute=10**6)
    url = serve(big_peer, limits=limits)
    base = f"{url}/api/v1/peers/{PEER}/routes"

    def heavy(i: int) -> httpx.Response:
        return httpx.get(f"{base}?q={209010 + i}&limit=1000", timeout=120)

    with ThreadPoolExecutor(40) as pool:
        answers = pool.map(heavy, range(40))
        small = httpx.get(url + "/api/v1/peers", timeout=60)
        done = list(answers)
    assert small.status_code == 200, "a small request is not queued behind the heavy ones"
    statuses = sorted(r.status_code for r in done)
    assert 200 in statuses and 503 in statuses, statuses
    busy = next(r for r in done if r.status_code == 503)
    assert busy.headers["retry-after"] == "5"
    assert busy.json()["error"] == "the server is busy"
    assert all(r.json()["total"] >= 0 for r in done if r.status_code == 200)


def test_each_client_has_its_own_api_rate_counted_behind_a_trusted_proxy(
    serve: ServerFactory, example_data: ServeData
) -> None:
    limits = Limits(api_per_minute=5, trusted_proxies=("127.0.0.1",))
    url = serve(example_data, limits=limits)
    one = {"x-forwarded-for": "198.51.100.1"}
    statuses = [httpx.get(url + "/api/v1/run", headers=one).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    late = httpx.get(url + "/api/v1/run", headers=one)
    assert late.status_code == 429 and 1 <= int(late.headers["retry-after"]) <= 13
    other = httpx.get(url + "/api/v1/run", headers={"x-forwarded-for": "198.51.100.2"})
    assert other.status_code == 200, "another client behind the proxy has its own bucket"
    assert httpx.get(url + "/", headers=one).status_code == 200, "pages are not API requests"
