"""Figures for ``routesieve run``'s incremental engine on the full-size bench set.

- start: building ``LiveEvaluation`` (index, every route decided, verdicts kept), beside
  the anchor, one full ``evaluate`` with every verdict built, in the same run;
- one VRP added or removed, to updated verdicts (aim: 50 ms);
- one route announced or withdrawn, to its verdict (aim: 100 ms), for a bilateral peer
  and for the full-table transit session;
- resident memory over 10,000 bounded churn changes (VRPs and routes that come and go
  from fixed pools): it must level off, not grow with the number of changes.

Prints figures only; asserts nothing. ``bench/generate.py`` makes the data set first when
DATA_DIR (default ``bench/out/``) has none.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from pathlib import Path
from typing import Any

from bench_data import ensure_generated

HERE = Path(__file__).resolve().parent


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def line(label: str, value: str) -> None:
    print(f"{label:<52} {value}")


def ms(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, int(len(s) * 0.95))]
    return (
        f"median {statistics.median(s) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
        f"max {s[-1] * 1000:7.1f} ms   (n={len(s)})"
    )


def load_full_set(data: Path) -> tuple[Any, Any, list[Any]]:
    """The full-size set in ``data`` (generated first when missing): configuration,
    snapshot and received routes, then the collector frozen (the data lives all run)."""
    ensure_generated(data)
    from routesieve.collect.files import read_routes
    from routesieve.config import load_config
    from routesieve.sources.load import load_snapshot

    config = load_config(data / "routesieve.toml")
    snapshot = load_snapshot(config, int(time.time())).snapshot
    routes = list(read_routes(data / "routes.jsonl").items)
    gc.collect()
    gc.freeze()
    return config, snapshot, routes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=HERE / "out")
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    config, snapshot, routes = load_full_set(args.data)
    policy = config.to_policy()

    from routesieve.engine.evaluate import evaluate
    from routesieve.engine.incremental import LiveEvaluation
    from routesieve.model import AsPath, Prefix, Route, Vrp

    line("received routes / VRPs", f"{len(routes):,} / {len(snapshot.vrps):,}")
    line("RSS before", f"{rss_mb():8.0f} MB")

    t = time.perf_counter()
    full = list(evaluate(routes, snapshot, policy))
    anchor = time.perf_counter() - t
    line("anchor: full evaluate, every verdict built", f"{anchor:8.2f} s  ({len(full):,} verdicts)")
    del full
    t = time.perf_counter()
    live = LiveEvaluation(routes, snapshot, policy)
    line("LiveEvaluation start (index + decide + keep)", f"{time.perf_counter() - t:8.2f} s")
    line("RSS with the live state", f"{rss_mb():8.0f} MB")

    # what a deploy turn of the service costs before BIRD: every verdict, rendered
    from routesieve.cli.reporting import session_specs
    from routesieve.outputs.bird import render_bird2
    from routesieve.outputs.filterspec import router_policy

    t = time.perf_counter()
    verdicts = live.verdicts()
    limits = {peer.asn: peer.max_prefix for peer in config.peers}
    rp = router_policy(verdicts, policy, live.snapshot(), session_specs(config), limits)
    files = render_bird2(rp)
    took = time.perf_counter() - t
    size = sum(len(text) for text in files.values()) / 1e6
    line(
        "deploy turn: verdicts + router policy + render", f"{took:8.2f} s  ({size:.0f} MB of files)"
    )
    del verdicts, rp, files

    rnd = random.Random(214312)
    with_origin = [r for r in routes if r.prefix is not None and r.as_path.origin is not None]
    transit_peer = max(
        {r.peer_asn for r in with_origin},
        key=lambda p: sum(1 for r in with_origin if r.peer_asn == p),
    )
    bilateral = [r for r in with_origin if r.peer_asn != transit_peer and r.session]

    # one VRP: a ROA for the exact prefix and origin of a received route, added then removed
    added, removed, changed = [], [], 0
    for r in rnd.sample(with_origin, args.samples):
        assert r.prefix is not None and r.as_path.origin is not None
        v = Vrp(r.prefix, r.prefix.length, r.as_path.origin, "bench")
        t = time.perf_counter()
        a = live.add_vrps([v])
        added.append(time.perf_counter() - t)
        t = time.perf_counter()
        live.remove_vrps([v])
        removed.append(time.perf_counter() - t)
        changed += len(a.changes)
    line("one VRP added -> verdicts (aim 50 ms)", ms(added))
    line("one VRP removed -> verdicts", ms(removed))
    line("  verdicts changed per added VRP (mean)", f"{changed / args.samples:8.2f}")

    def new_route(base: Route, i: int) -> Route:
        assert base.prefix is not None
        p = Prefix.from_address(6, (0x2A0F_F000 << 96) | (i << 80), 48)
        origin = base.as_path.origin or base.peer_asn
        return Route(base.peer_asn, p, AsPath.sequence([base.peer_asn, origin]), base.session)

    for label, pool in (("bilateral peer", bilateral), ("full-table transit", None)):
        ann, wd = [], []
        for i in range(args.samples):
            if pool is None:
                base = rnd.choice([r for r in with_origin[:5000] if r.peer_asn == transit_peer])
            else:
                base = rnd.choice(pool)
            r = new_route(base, i)
            t = time.perf_counter()
            live.announce([r])
            ann.append(time.perf_counter() - t)
            t = time.perf_counter()
            live.withdraw([r])
            wd.append(time.perf_counter() - t)
        line(f"one route announced -> verdict, {label} (aim 100 ms)", ms(ann))
        line(f"one route withdrawn, {label}", ms(wd))

    # bounded churn: VRPs and routes from fixed pools come and go
    vrp_pool = [
        Vrp(r.prefix, r.prefix.length, r.as_path.origin or 0, "churn")  # type: ignore[arg-type]
        for r in rnd.sample(with_origin, 200)
    ]
    route_pool = [new_route(rnd.choice(bilateral), 10_000 + i) for i in range(200)]
    held: set[object] = set()
    samples: list[tuple[int, float]] = [(0, rss_mb())]
    t = time.perf_counter()
    for n in range(1, args.changes + 1):
        item: Vrp | Route = rnd.choice(vrp_pool) if n % 2 else rnd.choice(route_pool)
        coming = item not in held
        if isinstance(item, Vrp):
            (live.add_vrps if coming else live.remove_vrps)([item])
        else:
            (live.announce if coming else live.withdraw)([item])
        if coming:
            held.add(item)
        else:
            held.discard(item)
        if n % 1000 == 0:
            gc.collect()
            samples.append((n, rss_mb()))
    took = time.perf_counter() - t
    line(
        f"churn: {args.changes:,} changes",
        f"{took:8.1f} s  ({took / args.changes * 1000:.1f} ms each)",
    )
    line("RSS over the churn (changes: MB)", "  ".join(f"{n}: {m:.0f}" for n, m in samples))
    t = time.perf_counter()
    differ = sum(
        1
        for a, b in zip(
            live.verdicts(), evaluate(live.routes(), live.snapshot(), policy), strict=False
        )
        if a != b
    )
    line(
        "full check after the churn: verdicts differing",
        f"{differ}  ({time.perf_counter() - t:.1f} s)",
    )


if __name__ == "__main__":
    main()
