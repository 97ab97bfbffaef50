"""How fast ``collect_routes`` reads a full table from a real BIRD 2 over its socket.

A GoBGP speaker (AS 65001) gets 250,000 IPv6 routes by ``gobgp mrt inject global`` and
announces them to BIRD 2 on ``::1``; the BGP channel has ``import table on`` and ``import
keep filtered on`` with an import filter that rejects about 1 % of them. Then
``list_sessions`` and ``collect_routes`` are timed (best of three), and, for comparison,
``birdc`` printing the same output to /dev/null.

    .venv/bin/python bench/bench_bird_collect.py [--routes 250000] [--table-mode] [--profile]

After the last round the collect file is written from the columns and from ``Route``
objects (timed; the two must be the same bytes), and with ``--profile`` one more
collection runs under cProfile.

``--table-mode`` turns the import table off, so that the routes are read with
``show route all table master6 protocol P`` plus ``... filtered protocol P``.
Needs ``bird``/``birdc`` (Debian bird2) and ``gobgpd``/``gobgp``; takes about a minute.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "collect_bird"))
sys.path.insert(0, str(ROOT / "tests" / "support"))

import bird_collect_lab as lab  # noqa: E402

from routesieve.collect.bird_routes import collect_routes, list_sessions  # noqa: E402
from routesieve.collect.bird_socket import BirdClient  # noqa: E402
from routesieve.collect.store import write_snapshot  # noqa: E402
from routesieve.columnar.routes import ReceivedRoutes  # noqa: E402
from routesieve.model import AsPath, Route  # noqa: E402

FILTER = """  if bgp_path.len > 12 then reject;
  accept;"""


def table(n: int, seed: int = 214312) -> list[tuple[str, AsPath, tuple[str, ...]]]:
    rng = random.Random(seed)
    transits = [174, 1299, 2914, 3356, 6453, 6939, 6762, 3257]
    mids = [rng.randrange(1000, 400_000) for _ in range(3000)]
    out = []
    for i in range(n):
        hops = [rng.choice(transits)] + [rng.choice(mids) for _ in range(rng.randrange(0, 4))]
        origin = rng.randrange(1000, 4_200_000_000) if i % 10 else rng.choice(mids)
        hops += [origin] * (1 if rng.random() < 0.9 else rng.randrange(2, 15))
        text = " ".join(map(str, hops))
        if i % 500 == 0:
            text += f" {{{origin + 1} {origin + 2}}}"
        comms: tuple[str, ...] = ()
        if i % 3 == 0:
            comms = (f"{hops[0]}:{rng.randrange(1000)}", f"{hops[0]}:{rng.randrange(1000)}")
        if i % 7 == 0:
            comms += (f"{origin}:1:{rng.randrange(100)}",)
        prefix = (
            f"2a{i >> 16:02x}:{i & 0xFFFF:x}::/32"
            if i % 2
            else f"2c0f:{i >> 16:x}:{i & 0xFFFF:x}::/48"
        )
        out.append((prefix, AsPath.parse(text), comms))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--routes", type=int, default=250_000)
    ap.add_argument("--table-mode", action="store_true")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="cProfile one more collection")
    args = ap.parse_args()
    lab.require_daemons()
    procs = lab.Processes()
    with tempfile.TemporaryDirectory(prefix="bench-bird-") as tmp:
        base = Path(tmp)
        try:
            run(base, procs, args.routes, not args.table_mode, args.rounds, args.profile)
        finally:
            procs.stop()


def run(
    base: Path, procs: lab.Processes, n: int, import_table: bool, rounds: int, profile: bool
) -> None:
    t0 = time.perf_counter()
    routes = table(n)
    distinct = len({str(p) for p, _, _ in routes})
    speaker = lab.start_speaker(procs, base / "gobgp", 65001, 64999, 1)
    mrt = base / "routes.mrt"
    lab.write_table_dump(mrt, routes)
    lab.wait_until("GoBGP's API", lambda: lab.rib_count(speaker, "ipv6") >= 0, 30)
    lab.load_routes(speaker, mrt, {"ipv6": distinct}, timeout=600)
    print(f"GoBGP holds {distinct:,} routes after {time.perf_counter() - t0:.1f} s")
    peer = lab.Peer("peer_a", speaker, "bench feed", import_table)
    conf = lab.bird_conf(base / "bird", 64999, [peer], FILTER)
    sock = lab.start_bird(procs, conf, base / "bird")

    lab.wait_until("BIRD to receive the table", lambda: lab.ipv6_count(sock) >= distinct, 600, 2.0)
    print(f"BIRD holds them after {time.perf_counter() - t0:.1f} s")

    if import_table:
        command = "show route all import table peer_a.ipv6"
    else:
        command = "show route all table master6 protocol peer_a"
    birdc = ["birdc", "-s", str(sock), *command.split()]
    best = best_birdc = float("inf")
    bird = int((base / "bird" / "bird.pid").read_text())
    for attempt in range(rounds):
        bird_cpu, birdc_cpu = lab.cpu_seconds(bird), _children_cpu()
        start = time.perf_counter()
        subprocess.run(birdc, stdout=subprocess.DEVNULL, check=True)
        raw = time.perf_counter() - start
        bird_cpu, birdc_cpu = lab.cpu_seconds(bird) - bird_cpu, _children_cpu() - birdc_cpu
        best_birdc = min(best_birdc, raw)
        start, cpu, bird_cpu2 = time.perf_counter(), time.process_time(), lab.cpu_seconds(bird)
        with BirdClient(sock) as client:
            sessions = list_sessions(client)
            result = collect_routes(client, sessions)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        bird_cpu2 = lab.cpu_seconds(bird) - bird_cpu2
        print(
            f"round {attempt + 1}, CPU: birdc {bird_cpu + birdc_cpu:.2f} s (BIRD {bird_cpu:.2f} "
            f"+ birdc {birdc_cpu:.2f}); collect_routes {bird_cpu2 + cpu:.2f} s "
            f"(BIRD {bird_cpu2:.2f} + Python {cpu:.2f})"
        )
        best = min(best, took)
        items = result.items
        if isinstance(items, ReceivedRoutes):
            bad = len(items.problem_rows)
        else:
            bad = sum(1 for r in items if r.problem)
        print(
            f"round {attempt + 1}: birdc {command} > /dev/null: {raw:.2f} s; "
            f"collect_routes: {len(result.items):,} routes in {took:.2f} s "
            f"({took / raw:.2f}x birdc), {bad} with a problem, "
            f"{len(result.problems)} problems; {result.provenance.note}"
        )
        assert len(result.items) == distinct, (len(result.items), distinct)
        if attempt == rounds - 1:
            _write_both(result.items, base)
            if profile:
                _profile(sock)
        del result
    print(
        f"best: {distinct:,} routes in {best:.2f} s = {distinct / best:,.0f} routes/s; "
        f"birdc best {best_birdc:.2f} s; ratio {best / best_birdc:.2f}; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


def _write_both(routes: Sequence[Route], base: Path) -> None:
    """The collect file written from the columns and route by route: time and bytes."""
    when = datetime(2026, 12, 3, tzinfo=UTC)
    rows = routes.rows(0, len(routes)) if isinstance(routes, ReceivedRoutes) else list(routes)
    took = []
    for name, items in (("columns", routes), ("route by route", rows)):
        start = time.perf_counter()
        path = write_snapshot(items, base / name.replace(" ", "-"), when, 1)
        took.append((name, time.perf_counter() - start, path.read_bytes()))
    same = took[0][2] == took[1][2]
    print(
        "collect file (gzip): "
        + ", ".join(f"{name} {t:.2f} s" for name, t, _ in took)
        + f"; {len(took[0][2]):,} bytes, {'identical' if same else 'DIFFERENT'}"
    )


def _profile(sock: Path) -> None:
    """Where the time of one more collection goes (cProfile, by own time)."""
    profiler = cProfile.Profile()
    with BirdClient(sock) as client:
        sessions = list_sessions(client)
        profiler.enable()
        collect_routes(client, sessions)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
