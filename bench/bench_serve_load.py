"""``serve`` under load: 200 concurrent heavy API requests on a 250,000-route peer while
a small request is timed (a figure, not a test; issue 14, finding 2).

The peer is the one of ``bench_api.py`` (AS209001 of the bundled example, 250,000 routes
made in memory). The server runs in a child process (forked after the routes are decided,
so the figures are the server's own RSS), with the limits of ``routesieve serve``:

* ``one client``: the defaults of ``[serve]``; the 200 requests come from one address;
* ``200 clients``: the same, but 127.0.0.1 is a trusted proxy and each request names
  another client in ``X-Forwarded-For`` (so the per-client rate limit does not help:
  only the heavy-request queue does);
* ``no limits`` (the anchor, the server before issue 14): 200 heavy requests at once,
  no rate limit.

Each heavy request is ``GET /api/v1/peers/209001/routes?q=<distinct>&limit=1000``; the
small one is ``GET /api/v1/peers``, asked again and again from another client address
from 127.0.0.2 while the heavy ones are in flight. Printed: the small request's latency before and
during the load (median, worst), the heavy requests' answers by status, and the server's
RSS before and after.

    .venv/bin/python bench/bench_serve_load.py [--routes 250000] [--heavy 200]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from daemon_lab import free_port

from bench_api import EXAMPLE, PEER, make_routes
from routesieve.config import load_config
from routesieve.sources.load import load_snapshot
from routesieve.web import ServeData, create_app, evaluate_for_serving
from routesieve.web.limits import Limits
from routesieve.web.server import Server

SMALL = "/api/v1/peers"
NO_LIMITS = Limits(
    max_connections=10_000,
    max_connections_per_client=10_000,
    heavy_concurrency=10_000,
    heavy_queue=10_000,
    api_per_minute=10**9,
)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def serve_child(data: ServeData, port: int, limits: Limits) -> None:
    app = create_app(data, Path("/tmp/routesieve-bench-state"), limits=limits)
    Server(app, "127.0.0.1", port, limits).run()


def small_requests(url: str, stop: Any, out: Any) -> None:
    """Ask the small request again and again from another client (127.0.0.2), in a
    process of its own (so the client's work for the heavy requests does not count)."""
    times: list[float] = []
    transport = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=url, timeout=60, transport=transport) as c:
        while not stop.is_set():
            t = time.perf_counter()
            r = c.get(SMALL)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200, (r.status_code, r.text[:200])
            stop.wait(0.1)
    out.put(times)


async def load(url: str, heavy: int, forwarded: bool) -> tuple[Counter[int], list[float], float]:
    """Fire ``heavy`` heavy requests at once; time the small one meanwhile."""
    forked = multiprocessing.get_context("fork")
    stop, out = forked.Event(), forked.Queue()
    timer = forked.Process(target=small_requests, args=(url, stop, out), daemon=True)
    timer.start()
    await asyncio.sleep(0.5)  # the timer's first request is in before the burst
    pool = httpx.Limits(max_connections=heavy + 10, max_keepalive_connections=0)
    base = f"/api/v1/peers/{PEER}/routes"
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=pool) as c:

        async def one(i: int) -> int:
            headers = {"x-forwarded-for": f"198.51.100.{i % 250}"} if forwarded else {}
            try:
                r = await c.get(f"{base}?q={209010 + i}&limit=1000", headers=headers)
            except httpx.HTTPError:
                return 0
            return r.status_code

        t = time.perf_counter()
        statuses = Counter(await asyncio.gather(*(one(i) for i in range(heavy))))
        took = time.perf_counter() - t
    stop.set()
    times: list[float] = out.get(timeout=120)
    timer.join(10)
    return statuses, times, took


def run(name: str, data: ServeData, limits: Limits, heavy: int, forwarded: bool) -> None:
    port = free_port()
    child = multiprocessing.get_context("fork").Process(
        target=serve_child, args=(data, port, limits), daemon=True
    )
    child.start()
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + SMALL, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > end:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        quiet = []
        transport = httpx.HTTPTransport(local_address="127.0.0.2")
        with httpx.Client(base_url=url, timeout=10, transport=transport) as c:
            for _ in range(10):
                t = time.perf_counter()
                c.get(SMALL)
                quiet.append(time.perf_counter() - t)
        before = rss_mib(child.pid or 0)
        statuses, loaded, took = asyncio.run(load(url, heavy, forwarded))
        time.sleep(1)
        after = rss_mib(child.pid or 0)
        answered = ", ".join(f"{s or 'failed'}: {n}" for s, n in sorted(statuses.items()))
        print(f"\n{name}: {heavy} heavy requests in {took:.1f} s ({answered})")
        print(
            f"  small request {SMALL}: quiet median {statistics.median(quiet) * 1000:.0f} ms; "
            f"under load median {statistics.median(loaded) * 1000:.0f} ms, "
            f"worst {max(loaded) * 1000:.0f} ms ({len(loaded)} asked)"
        )
        print(f"  server RSS {before:.0f} MiB before, {after:.0f} MiB after")
    finally:
        child.terminate()
        child.join(10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--routes", type=int, default=250_000)
    ap.add_argument("--heavy", type=int, default=200)
    ap.add_argument("--no-anchor", action="store_true", help="skip the run without limits")
    args = ap.parse_args()

    config = load_config(EXAMPLE / "routesieve.toml")
    snapshot = load_snapshot(config, int(time.time())).snapshot
    t = time.perf_counter()
    data = evaluate_for_serving(
        make_routes(args.routes), snapshot, config.to_policy(), datetime.now(UTC)
    )
    print(
        f"{args.routes} routes of AS{PEER} decided and indexed in {time.perf_counter() - t:.1f} s"
        f" (pid {os.getpid()}, {os.cpu_count()} cores)"
    )
    defaults = Limits()
    print(
        f"limits: {defaults.heavy_concurrency} heavy at once, {defaults.heavy_queue} waiting, "
        f"{defaults.api_per_minute} API requests a minute per client, "
        f"{defaults.max_connections} connections"
    )
    run("one client, [serve] defaults", data, defaults, args.heavy, forwarded=False)
    proxied = Limits(trusted_proxies=("127.0.0.1",))
    run("200 clients behind a trusted proxy, defaults", data, proxied, args.heavy, True)
    if not args.no_anchor:
        run("anchor: no limits (the server before issue 14)", data, NO_LIMITS, args.heavy, False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
