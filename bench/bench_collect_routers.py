"""How fast the FRR and OpenBGPD collectors read a full table, beside the router's own CLI.

A GoBGP feeder gets N IPv6 routes by ``gobgp mrt inject global`` (the table of
``bench_bird_collect.py``) and passes them over iBGP to a GoBGP speaker, which announces
them to a real FRR 8.4 bgpd (``soft-reconfiguration inbound``) and then to a real
OpenBGPD 7.7 bgpd. For each router, in the same run:

- the collector (``frr_routes.collect_routes`` / ``openbgpd_routes.collect_routes``), best
  of three, with the peak of Python's own allocations during one more run (tracemalloc);
- the router CLI printing the same JSON to /dev/null (``vtysh -c '... received-routes
  json'``, ``bgpctl -j show rib in`` and ``... show rib in detail``), best of three.

    .venv/bin/python bench/bench_collect_routers.py [--routes 250000] [--only frr|openbgpd]

Needs FRR, OpenBGPD and GoBGP (Debian packages), root (bgpd, loopback addresses).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "collect_bird"))
sys.path.insert(0, str(ROOT / "tests" / "collect_routers"))
sys.path.insert(0, str(ROOT / "tests" / "support"))

import bird_collect_lab as bl  # noqa: E402
import routers_lab as lab  # noqa: E402

from bench_bird_collect import table  # noqa: E402
from routesieve.collect.frr_routes import Vtysh  # noqa: E402
from routesieve.collect.frr_routes import collect_routes as collect_frr  # noqa: E402
from routesieve.collect.openbgpd_routes import Bgpctl  # noqa: E402
from routesieve.collect.openbgpd_routes import collect_routes as collect_openbgpd  # noqa: E402
from routesieve.problems import ReadResult  # noqa: E402

h = lab.h
A = lab.BENCH_A
NEIGHBORS = ((A, lab.AS_A),)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--routes", type=int, default=250_000)
    ap.add_argument("--only", choices=("frr", "openbgpd"))
    ap.add_argument("--load-timeout", type=float, default=1200)
    args = ap.parse_args()
    procs = lab.Processes()
    with tempfile.TemporaryDirectory(prefix="bench-routers-") as tmp:
        base = Path(tmp)
        try:
            with h.loopback_addresses([A]):
                run(base, procs, args.routes, args.only, args.load_timeout)
        finally:
            procs.stop()


def run(base: Path, procs: lab.Processes, n: int, only: str | None, load_timeout: float) -> None:
    t0 = time.perf_counter()
    routes = table(n)
    distinct = len({p for p, _, _ in routes})
    mrt = base / "routes.mrt"
    bl.write_table_dump(mrt, routes, nexthop6=A)  # ::1 would not pass GoBGP's iBGP
    print(f"uptime: {Path('/proc/loadavg').read_text().split()[:3]} (load 1, 5, 15 min)")
    if only in (None, "frr"):
        port = lab.free_port("::1")
        sock_dir = h.start_frr(procs, base / "frr", lab.frr_conf([A], neighbors=NEIGHBORS), port)
        feed(procs, base / "gobgp-frr", port, mrt, distinct, 1)
        wait_loaded("FRR", lambda: frr_received(sock_dir), distinct, load_timeout, t0)
        vtysh = Vtysh(vty_socket=str(sock_dir))
        measure("FRR collector", lambda: collect_frr(vtysh, "edge"), distinct)
        show = f"show bgp ipv6 unicast neighbors {A} received-routes json"
        args = ["vtysh", "--vty_socket", str(sock_dir), "-c", show]
        cli("vtysh -c '" + show + "'", args)
        whole("vtysh", args)
    if only in (None, "openbgpd"):
        procs.stop()
        procs.procs.clear()
        port = lab.free_port("::1")
        sock = base / "bgpd.sock"
        h.start_openbgpd(procs, base / "openbgpd", lab.openbgpd_conf(sock, port, NEIGHBORS), sock)
        feed(procs, base / "gobgp-openbgpd", port, mrt, distinct, 2)
        wait_loaded("OpenBGPD", lambda: openbgpd_received(sock), distinct, load_timeout, t0)
        bgpctl = Bgpctl(str(sock))
        measure("OpenBGPD collector", lambda: collect_openbgpd(bgpctl, "edge"), distinct)
        for words in (["show", "rib", "in"], ["show", "rib", "in", "detail"]):
            cli("bgpctl -j " + " ".join(words), ["bgpctl", "-j", "-s", str(sock), *words])
        whole("bgpctl", ["bgpctl", "-j", "-s", str(sock), "show", "rib", "in", "detail"])


def feed(procs: lab.Processes, folder: Path, port: int, mrt: Path, n: int, index: int) -> None:
    speaker = h.start_speaker(procs, folder, lab.AS_A, lab.ROUTER_AS, index, A, port)
    feeder = bl.Speaker(lab.AS_A, 0, speaker.feeder_api)
    bl.wait_until("GoBGP's API", lambda: bl.rib_count(feeder, "ipv6") >= 0, 60)
    start = time.perf_counter()
    bl.load_routes(feeder, mrt, {"ipv6": n}, timeout=600)
    print(f"GoBGP feeder holds {n:,} routes after {time.perf_counter() - start:.1f} s")


def wait_loaded(what: str, count: Callable[[], int], n: int, timeout: float, t0: float) -> None:
    start = time.perf_counter()
    deadline = time.monotonic() + timeout
    got = -1
    while time.monotonic() < deadline:
        got = count()
        if got >= n:
            print(
                f"{what} holds {got:,} received routes after "
                f"{time.perf_counter() - start:.1f} s ({time.perf_counter() - t0:.0f} s in all)"
            )
            return
        time.sleep(3)
    raise SystemExit(f"{what} holds only {got:,} of {n:,} routes after {timeout:.0f} s")


def frr_received(sock_dir: Path) -> int:
    data = json.loads(
        subprocess.run(
            ["vtysh", "--vty_socket", str(sock_dir), "-c", "show bgp ipv6 unicast summary json"],
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
        or "{}"
    )
    peer = data.get("peers", {}).get(A, {})
    return int(peer.get("pfxRcd", 0))


def openbgpd_received(sock: Path) -> int:
    done = subprocess.run(
        ["bgpctl", "-j", "-s", str(sock), "show", "neighbor", A],
        capture_output=True,
        text=True,
        timeout=120,
    )
    for n in json.loads(done.stdout or "{}").get("neighbors", []):
        return int(n["stats"]["prefixes"]["received"])
    return 0


def measure(what: str, collect: Callable[[], ReadResult[object]], n: int) -> None:
    best = float("inf")
    for attempt in range(3):
        start = time.perf_counter()
        result = collect()
        took = time.perf_counter() - start
        best = min(best, took)
        bad = sum(1 for r in result.items if getattr(r, "problem", None))
        print(
            f"{what} run {attempt + 1}: {len(result.items):,} routes in {took:.2f} s "
            f"({len(result.items) / took:,.0f} routes/s), {bad} with a problem, "
            f"{len(result.problems)} problems"
        )
    assert len(result.items) >= n, (len(result.items), n)
    del result
    tracemalloc.start()
    kept = collect()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{what}: best {best:.2f} s = {n / best:,.0f} routes/s; peak Python allocations "
        f"{peak / 2**20:.0f} MiB for {len(kept.items):,} routes (the routes themselves included)"
    )


def cli(what: str, args: list[str]) -> None:
    best = float("inf")
    size = 0
    for _ in range(3):
        start = time.perf_counter()
        with tempfile.TemporaryFile() as out:
            subprocess.run(args, stdout=out, check=True, timeout=1200)
            size = out.tell()
        best = min(best, time.perf_counter() - start)
    # the output is written to a file only to know its size; /dev/null is timed below
    start = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, check=True, timeout=1200)
    null = time.perf_counter() - start
    print(
        f"for comparison: {what} > /dev/null: {null:.2f} s "
        f"(best of 3 into a file: {best:.2f} s, {size / 2**20:.0f} MiB of JSON)"
    )


def whole(what: str, args: list[str]) -> None:
    """For contrast: the whole output read, then parsed at once (orjson), no routes built."""
    tracemalloc.start()
    start = time.perf_counter()
    text = subprocess.run(args, stdout=subprocess.PIPE, check=True, timeout=1200).stdout
    tree = orjson.loads(text)
    took = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del text, tree
    print(
        f"for contrast: {what} output read whole and orjson.loads: {took:.2f} s, peak Python "
        f"allocations {peak / 2**20:.0f} MiB (text and tree, before any route is built)"
    )


if __name__ == "__main__":
    main()
