"""How `routesieve evaluate` grows with the number of received routes: 250k, 1M, 4M.

Usage: ``python bench/bench_scaling.py [DATA_DIR] [--sizes 250000,1000000,4000000]
[--formats jsonl,parquet]`` (default ``bench/out/``, written by ``bench/generate.py``
first if missing, and stored once with ``routesieve sync``).

The received routes grow the way they grow in a real network: more full-table sessions.
The bench set's 276,125 lines are the first copy; each further copy is the same table
received from one more tier-1 transit (its AS put in front of every path and as the
peer, on its own session), so every copy merges into its own rows, keeps the origins and
the RPKI and IRR coverage of the original, and goes through every rule as a transit
session does. The files are written as a stream (one copy at a time).

For each size and output format, one ``routesieve evaluate --offline`` in a new process
(the stored snapshot, as ``run`` and cron jobs use it) under ``/usr/bin/time -v``: wall
time and peak RSS, and routes per second. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from bench_data import ensure_stored

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "out"
VENV_BIN = Path(sys.executable).parent
TIER1 = (174, 701, 1299, 2914, 3257, 3320, 3356, 3491, 5511, 6453, 6461, 6762, 6830, 7018, 12956)


def write_routes(source: Path, out: Path, size: int) -> int:
    """``size`` received routes: the bench table, then copies from further transits."""
    lines = source.read_bytes().splitlines()
    body = [line for line in lines if line.startswith(b"{")]
    written = 0
    with out.open("wb") as fh:
        copy = 0
        while written < size:
            take = body[: size - written]
            if copy == 0:
                fh.write(b"\n".join(take) + b"\n")
            else:
                asn = TIER1[(copy - 1) % len(TIER1)] + 100_000 * ((copy - 1) // len(TIER1))
                rows = []
                for line in take:
                    route = orjson.loads(line)
                    route["as_path"] = f"{asn} {route.get('as_path', '')}".strip()
                    route["peer_asn"] = asn
                    route["session"] = f"transit-as{asn}"
                    rows.append(orjson.dumps(route))
                fh.write(b"\n".join(rows) + b"\n")
            written += len(take)
            copy += 1
    return written


def measure(config: Path, routes: Path, fmt: str, output: Path) -> tuple[float, int, str]:
    command = [
        "/usr/bin/time",
        "-v",
        str(VENV_BIN / "routesieve"),
        "evaluate",
        "--config",
        str(config),
        "--offline",
        "--routes",
        str(routes),
        "--format",
        fmt,
        "--output",
        str(output),
    ]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return wall, 0, f"exit {done.returncode}: {' | '.join(tail)}"
    return wall, int(rss.group(1)) if rss else 0, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="250000,1000000,4000000")
    parser.add_argument("--formats", default="jsonl,parquet")
    args = parser.parse_args(argv)
    config = ensure_stored(args.data)
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    print(f"load average at start: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'routes':>10} {'format':8} {'wall s':>8} {'routes/s':>10} {'peak RSS MB':>12}")
    with tempfile.TemporaryDirectory(prefix="routesieve-scaling-") as tmp:
        folder = Path(tmp)
        for size in sizes:
            routes = folder / f"routes-{size}.jsonl"
            write_routes(args.data / "routes.jsonl", routes, size)
            for fmt in formats:
                output = folder / f"verdicts-{size}.{fmt}"
                wall, rss, problem = measure(config, routes, fmt, output)
                if problem:
                    print(f"{size:>10} {fmt:8} {problem}")
                    continue
                rate = size / wall
                print(f"{size:>10} {fmt:8} {wall:8.2f} {rate:10,.0f} {rss / 1024:12,.0f}")
                output.unlink(missing_ok=True)
            routes.unlink()
    print(f"load average at end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
