"""How fast the RTR client syncs a full VRP set from a real StayRTR on loopback.

Writes a cache file of N generated VRPs (three quarters IPv4 /24s, a quarter IPv6 /48s,
with varied max lengths and ASNs), starts StayRTR on it (Debian ``stayrtr``), and times,
best of three, a full reset sync with :class:`RtrSession` and a whole
:func:`fetch_rtr` (sync plus writing the rpki-client JSON file), printing VRPs/s.

    .venv/bin/python bench/bench_rtr_sync.py [--vrps 800000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "sources_rtr"))
sys.path.insert(0, str(ROOT / "tests" / "support"))

import rtr_lab as lab  # noqa: E402

from routesieve.sources.rtr import RtrError, RtrSession, fetch_rtr  # noqa: E402
from routesieve.sources.rtr.pdu import ErrorCode  # noqa: E402


def generate(n: int) -> list[dict[str, Any]]:
    """``n`` distinct VRPs: consecutive IPv4 /24s (max length 24) and IPv6 /48s (48)."""
    roas = []
    v6 = n // 4
    for i in range(n - v6):
        prefix = f"{(i >> 16) + 1}.{(i >> 8) & 255}.{i & 255}.0/24"
        roas.append({"asn": 64496 + i % 5000, "prefix": prefix, "maxLength": 24, "ta": "bench"})
    for i in range(v6):
        prefix = f"2001:{i >> 16:x}:{i & 0xFFFF:x}::/48"
        roas.append({"asn": 4200000000 + i % 900, "prefix": prefix, "maxLength": 48, "ta": "bench"})
    return roas


def best_of(runs: int, action: Any) -> tuple[float, float, Any]:
    """Best wall-clock and best CPU seconds (this process) of ``runs`` calls."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = action()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - cpu_started)
    return wall, cpu, result


def report(what: str, count: int, wall: float, cpu: float, extra: str = "") -> None:
    print(
        f"{what}: {count:,} VRPs in {wall:.2f} s = {count / wall:,.0f} VRPs/s "
        f"(client CPU {cpu:.2f} s = {count / cpu:,.0f} VRPs per CPU second){extra}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vrps", type=int, default=800_000)
    args = parser.parse_args()
    lab.require_stayrtr()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cache = folder / "cache.json"
        roas = generate(args.vrps)
        cache.write_text(json.dumps({"metadata": {"generated": int(time.time())}, "roas": roas}))
        server = lab.StayRtr(cache, folder / "stayrtr.log").start(timeout=120)
        try:
            with RtrSession(server.host, server.port, timeout=300) as session:
                # StayRTR answers "No Data Available" until it has read the file
                lab.wait_until("StayRTR data", lambda: _ready(session), timeout=120, step=1)

            def sync() -> int:
                with RtrSession(server.host, server.port, timeout=300) as session:
                    session.reset()
                    return len(session.vrps)

            wall, cpu, count = best_of(3, sync)
            report("reset sync", count, wall, cpu)
            dest = folder / "vrps.json"
            wall, cpu, fetched = best_of(3, lambda: fetch_rtr(server.url, dest, timeout=300))
            size = dest.stat().st_size / 1e6
            report("fetch_rtr ", fetched.count, wall, cpu, f", {size:.1f} MB JSON written")
            print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        finally:
            server.stop()


def _ready(session: RtrSession) -> bool:
    try:
        session.reset()
    except RtrError as exc:
        if exc.code == ErrorCode.NO_DATA_AVAILABLE:
            return False
        raise
    return True


if __name__ == "__main__":
    main()
