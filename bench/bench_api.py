"""Time the web API on one peer with 250,000 routes (a figure, not a test).

The routes are made here, in memory: AS209001 of the bundled example sends 250,000 IPv6
routes with varied paths (downstreams inside its accepted /32, strangers, too-long
prefixes, private ASNs, prepends), evaluated against the example's data. The server of
``routesieve serve`` (API rate limit lifted) on a free loopback port answers; each request
is timed over HTTP with httpx (median and worst of several runs, the first, cold one
included).

    .venv/bin/python bench/bench_api.py [--routes 250000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from daemon_lab import free_port

from routesieve.config import load_config
from routesieve.model import AsPath, Prefix, Route
from routesieve.sources.load import load_snapshot
from routesieve.web import create_app, evaluate_for_serving
from routesieve.web.limits import Limits
from routesieve.web.server import running

PEER = 209001
EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))


def make_routes(n: int, seed: int = 214312) -> list[Route]:
    rng = random.Random(seed)
    paths = [AsPath.parse(f"{PEER}")]
    for _ in range(2000):
        hops = [PEER] * rng.choice((1, 1, 1, 2, 3))
        hops += [rng.choice((rng.randrange(209010, 209999), rng.randrange(64512, 65534)))]
        hops += [rng.randrange(1, 400_000) for _ in range(rng.randrange(0, 4))]
        paths.append(AsPath.parse(" ".join(map(str, hops))))
    base = Prefix.parse("2a0e:8a01::/32")
    routes = [Route(PEER, base, paths[0], "bgpx-1")]  # accepted by 4.1: a seed for 4.2
    for i in range(n - 1):
        kind = rng.random()
        if kind < 0.4:  # inside the peer's accepted /32: 4.2 candidates
            length = rng.choice((40, 44, 48, 48, 48, 56))
            value = base.value | (rng.getrandbits(length - 32) << (128 - length))
        else:  # anywhere in 2a00::/12, some too long
            length = rng.choice((32, 36, 40, 44, 48, 48, 48, 52, 64))
            value = (0x2A0 << 116) | (rng.getrandbits(length - 12) << (128 - length))
        path = paths[i % len(paths)]
        routes.append(Route(PEER, Prefix(6, value, length), path, "bgpx-1"))
    return routes


def timed(client: httpx.Client, url: str, repeat: int) -> tuple[float, float, int, int]:
    t = time.perf_counter()
    r = client.get(url)
    times = [time.perf_counter() - t]  # the first answer counts (caches start cold)
    for _ in range(repeat - 1):
        t = time.perf_counter()
        r = client.get(url)
        times.append(time.perf_counter() - t)
    assert r.status_code == 200, (url, r.status_code, r.text[:200])
    total = r.json().get("total", 0) if url.count("/routes") and "explanation" not in url else 0
    return statistics.median(times), max(times), len(r.content), total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--routes", type=int, default=250_000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    config = load_config(EXAMPLE / "routesieve.toml")
    snapshot = load_snapshot(config, int(time.time())).snapshot
    t = time.perf_counter()
    routes = make_routes(args.routes)
    made = time.perf_counter() - t
    t = time.perf_counter()
    data = evaluate_for_serving(routes, snapshot, config.to_policy(), datetime.now(UTC))
    built = time.perf_counter() - t
    peer = data.peers[PEER]
    print(f"{args.routes} routes made in {made:.1f} s; decided and indexed in {built:.1f} s")
    print(f"AS{PEER}: {peer.received} merged routes, {peer.accepted} accepted")
    print(f"  by rule: {dict(peer.by_rule)}")

    port = free_port()
    unlimited = Limits(api_per_minute=10**6)
    app = create_app(data, Path("/tmp/routesieve-bench-state"), limits=unlimited)
    with running(app, port, unlimited):
        some = int(peer.rows[len(peer.rows) // 2])
        base = f"/api/v1/peers/{PEER}/routes"
        cases = [
            ("peers", "/api/v1/peers"),
            ("first page, 100", base),
            ("first page, 1000", f"{base}?limit=1000"),
            ("middle page, 1000", f"{base}?offset={peer.received // 2}&limit=1000"),
            ("verdict=accept", f"{base}?verdict=accept"),
            ("rule=3.3", f"{base}?rule=3.3"),
            ("q rare (prefix)", f"{base}?q=2a0e:8a01:1"),
            ("q common (path)", f"{base}?q=209001%20209"),
            ("q common, page 50", f"{base}?q=209001%20209&offset=5000"),
            ("q none", f"{base}?q=nothing-matches"),
            ("rule + q + verdict", f"{base}?rule=5&verdict=reject&q=2a0"),
            ("one route", f"{base}/{some}"),
            ("explanation", f"{base}/{some}/explanation"),
        ]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            print(f"\n{'request':<22} {'median':>9} {'worst':>9} {'bytes':>9} {'total':>8}")
            for name, url in cases:
                med, worst, size, total = timed(c, url, args.repeat)
                print(
                    f"{name:<22} {med * 1000:>7.1f}ms {worst * 1000:>7.1f}ms {size:>9} {total:>8}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
