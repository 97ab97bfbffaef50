"""BIRD 2's own import filter as the anchor for routesieve's ``decide``, per route.

The received routes of one session of the bench set (``bench/out/routes.jsonl``; by
default the largest, the transit's full IPv6 table) are announced by a real GoBGP speaker
(loaded with ``gobgp mrt inject global``) to a real BIRD 2, twice: once through the
filter that ``routesieve render --target bird2`` writes for the bench configuration
(``peer_as<N>_in`` of ``routesieve-filters.conf``, with its ROA table and guard), once
with ``import all``; both with ``import keep filtered on``, so that BIRD stores every
route either way. BIRD's CPU time (``/proc/<pid>/stat`` utime + stime) is read when its
configuration is loaded and the session still disabled, and again once ``show protocols
all`` counts every route (imported + filtered); the filter's share per route is the
difference of the two runs divided by the routes. In the same run, ``decide`` on the same
routes (one per prefix, as BIRD holds them), one core, best of three.

    .venv/bin/python bench/bench_bird_filter.py [DATA_DIR] [--session NAME]
        [--limit N] [--rounds 2] [--rendered DIR]

``--rendered`` takes the folder of an earlier ``render`` (it takes about two minutes on
the bench set). Needs ``bird``/``birdc`` (Debian bird2) and ``gobgpd``/``gobgp``. Prints
figures only: this is not a test.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from statistics import median

from bench_data import ensure_generated

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "bench"
sys.path.insert(0, str(ROOT / "tests" / "collect_bird"))
sys.path.insert(0, str(ROOT / "tests" / "support"))

import bird_collect_lab as lab  # noqa: E402
from daemon_lab import kill_pid  # noqa: E402

from routesieve.collect.bird_socket import BirdClient, BirdError  # noqa: E402
from routesieve.model import AsPath, Route, Segment, SegmentType  # noqa: E402


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def without_peer(path: AsPath, asn: int) -> AsPath:
    """The path as the speaker must hold it: GoBGP puts its own AS in front (eBGP)."""
    segs = path.segments
    if segs and segs[0].type is SegmentType.AS_SEQUENCE and segs[0].asns[:1] == (asn,):
        rest = segs[0].asns[1:]
        return AsPath(((Segment(SegmentType.AS_SEQUENCE, rest),) if rest else ()) + segs[1:])
    return path


def session_routes(data: Path, name: str | None, limit: int | None) -> tuple[str, list[Route]]:
    """One route per prefix (the last, as a speaker keeps it) of the session's IPv6 routes."""
    from routesieve.collect.files import read_routes

    routes = [r for r in read_routes(data / "routes.jsonl").items if r.prefix is not None]
    if name is None:
        name = Counter(r.session for r in routes).most_common(1)[0][0]
    by_prefix = {r.prefix: r for r in routes if r.session == name and r.prefix.version == 6}
    chosen = list(by_prefix.values())[:limit]
    if not chosen:
        raise SystemExit(f"no IPv6 routes of session {name!r} in {data / 'routes.jsonl'}")
    return str(name), chosen


def time_decide(data: Path, routes: list[Route], rounds: int) -> float:
    """Best time of ``decide`` on the routes (the snapshot read from the bench files), as
    the columns the route readers hand the engine (built once, outside the timing)."""
    from routesieve.columnar.routes import ReceivedRoutes
    from routesieve.config import load_config
    from routesieve.engine.evaluate import decide
    from routesieve.engine.index import build_index
    from routesieve.sources.load import load_snapshot

    config = load_config(data / "routesieve.toml")
    policy = config.to_policy()
    snap = load_snapshot(config, int(time.time())).snapshot
    index = build_index(snap, policy)
    columns = ReceivedRoutes.of(routes)
    decide(columns, snap, policy, index)  # the index's lazy parts are built on first use
    gc.freeze()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        decide(columns, snap, policy, index)
        best = min(best, time.perf_counter() - start)
    return best


def render(data: Path, out: Path) -> None:
    start = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).with_name("routesieve")),
            "render",
            "--config",
            str(data / "routesieve.toml"),
            "--routes",
            str(data / "routes.jsonl"),
            "--target",
            "bird2",
            "--output",
            str(out),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    print(f"rendered {out} in {time.perf_counter() - start:.0f} s", flush=True)


def bird_run(
    base: Path,
    procs: lab.Processes,
    speaker: lab.Speaker,
    filters: Path,
    import_rule: str,
    local_as: int,
    count: int,
) -> tuple[float, float]:
    """Start BIRD with the session disabled, enable it once BIRD is idle, and return its
    CPU seconds from then until ``show protocols all`` counts every route, and the wall
    time that took."""
    base.mkdir(parents=True)
    conf = base / "bird.conf"
    conf.write_text(
        f"""router id 10.255.255.1;
protocol device {{}}
include "{filters}";
protocol bgp feed {{
  local ::1 port {lab.free_port("::1")} as {local_as};
  neighbor ::1 port {speaker.port} as {speaker.asn};
  multihop;
  enforce first as off;
  disabled;
  ipv6 {{ import keep filtered on; {import_rule}; export none; }};
}}
"""
    )
    sock = lab.start_bird(procs, conf, base)
    pid = int((base / "bird.pid").read_text())
    lab.wait_until("BIRD to answer", lambda: _answers(sock), 300, step=1.0)
    # idle: the ROA table loaded, nothing else to do
    last = lab.cpu_seconds(pid)
    for _ in range(120):
        time.sleep(1.0)
        now = lab.cpu_seconds(pid)
        if now - last < 0.02:
            break
        last = now
    before, start = lab.cpu_seconds(pid), time.perf_counter()
    with BirdClient(sock) as client:
        client.command("enable feed")

    lab.wait_until("BIRD to receive every route", lambda: lab.ipv6_count(sock) >= count, 900, 0.5)
    spent, took = lab.cpu_seconds(pid) - before, time.perf_counter() - start
    kill_pid(pid)
    return spent, took


def _answers(sock: Path) -> bool:
    try:
        with BirdClient(sock, timeout=5) as client:
            client.command("show status")
        return True
    except BirdError:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", type=Path, default=HERE / "out")
    ap.add_argument("--session", help="the session whose routes to use (default: the largest)")
    ap.add_argument("--limit", type=int, help="only the first N routes of the session")
    ap.add_argument("--rounds", type=int, default=2, help="BIRD runs of each kind")
    ap.add_argument("--rendered", type=Path, help="the folder of an earlier render")
    args = ap.parse_args()
    data: Path = args.data
    ensure_generated(data)
    lab.require_daemons()
    print(f"load average at start: {load()}", flush=True)
    name, routes = session_routes(data, args.session, args.limit)
    peer = routes[0].peer_asn
    print(f"session {name} (AS{peer}): {len(routes):,} IPv6 routes", flush=True)
    best_decide = time_decide(data, routes, 3)
    print(f"decide: {best_decide:.3f} s, best of 3 (load {load()})", flush=True)
    procs = lab.Processes()
    with tempfile.TemporaryDirectory(prefix="bench-bird-filter-") as tmp:
        base = Path(tmp)
        try:
            rendered = args.rendered or base / "render"
            if args.rendered is None:
                render(data, rendered)
            filters = rendered / "routesieve-filters.conf"
            from routesieve.config import load_config

            local_as = load_config(data / "routesieve.toml").local.asn
            speaker = lab.start_speaker(procs, base / "gobgp", peer, local_as, 1)
            mrt = base / "routes.mrt"
            lab.write_table_dump(
                mrt, ((str(r.prefix), without_peer(r.as_path, peer), ()) for r in routes)
            )
            lab.wait_until("GoBGP's API", lambda: lab.rib_count(speaker, "ipv6") >= 0, 30)
            lab.load_routes(speaker, mrt, {"ipv6": len(routes)}, timeout=900)
            print(f"GoBGP holds {len(routes):,} routes (load {load()})", flush=True)
            runs: dict[str, list[float]] = {"filter": [], "import all": []}
            for n in range(args.rounds):
                for kind, rule in (
                    ("filter", f"import filter peer_as{peer}_in"),
                    ("import all", "import all"),
                ):
                    spent, took = bird_run(
                        base / f"bird-{kind.replace(' ', '-')}-{n}",
                        procs,
                        speaker,
                        filters,
                        rule,
                        local_as,
                        len(routes),
                    )
                    runs[kind].append(spent)
                    print(
                        f"round {n + 1}, BIRD with {kind}: {spent:.2f} s CPU, "
                        f"{took:.1f} s until every route was in (load {load()})",
                        flush=True,
                    )
        finally:
            procs.stop()
    n = len(routes)
    # medians: a run's CPU varies by more than the filter costs (BGP parsing, the table),
    # and the least of each kind may come from different conditions
    with_filter, import_all = median(runs["filter"]), median(runs["import all"])
    bird_us = (with_filter - import_all) / n * 1e6
    decide_us = best_decide / n * 1e6
    print(
        f"BIRD's filter: ({with_filter:.2f} - {import_all:.2f}) s CPU / {n:,} routes = "
        f"{bird_us:.2f} µs a route (medians of {args.rounds} each; the whole import with "
        f"import all: {import_all / n * 1e6:.2f} µs a route)"
    )
    print(f"routesieve decide: {best_decide:.3f} s / {n:,} routes = {decide_us:.2f} µs a route")
    ratio = bird_us / decide_us if decide_us else float("inf")
    print(f"ratio: routesieve is {ratio:.1f}x BIRD's filter per route (load {load()})")


if __name__ == "__main__":
    main()
