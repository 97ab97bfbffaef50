"""Received routes, line reader against columns: reading JSON lines, step 2, path facts.

Usage: ``python bench/bench_read_routes.py [ROUTES_FILE] [--repeat N] [--steps]`` (default
``bench/out/routes.jsonl``; run ``bench/generate.py`` first). Each figure is measured in a
child process of its own, so that its peak RSS (growth over the interpreter with
routesieve, numpy and pyarrow imported) is its own; for step 2 and the path facts, whose
input is read first, the memory is the step's own peak as tracemalloc sees it (numpy
arrays included). The anchors, measured in the same
run: the line reader (``jsonl_lines``, one ``Route`` a line) for the columnar reader,
and the same step 2 and path facts fed with ``Route`` objects and ``AsPath`` objects (as
the MRT and bgpdump readers hand them over: flattened to columns first). ``--steps``
prints the columnar reader's CPU time by step instead (``step_timers``). Prints figures
only: it asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_ROUTES = HERE / "out" / "routes.jsonl"
CASES = {
    "read: line reader (anchor)": "lines",
    "read: columnar reader": "columns",
    "build_table: from Route objects (anchor)": "table-objects",
    "build_table: from columns": "table-columns",
    "path_facts: from AsPath objects (anchor)": "facts-objects",
    "path_facts: from flattened paths": "facts-columns",
}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(case: str, routes_file: str) -> dict[str, Any]:
    """Run one case in this process: wall and CPU time of the measured step, peak RSS."""
    import pyarrow  # noqa: F401  (imported before the baseline, as the readers need it)

    from routesieve.collect.jsonl import read_routes_jsonl
    from routesieve.collect.jsonl_lines import read_routes_lines
    from routesieve.columnar.routes import ReceivedRoutes
    from routesieve.engine.paths import path_facts
    from routesieve.engine.table import build_table

    config = Path(routes_file).with_name("routesieve.toml")
    sessions: frozenset[str] = frozenset()
    if config.exists():  # the route-server sessions of the bench configuration
        from routesieve.config import load_config

        sessions = load_config(config).to_policy().route_server_sessions
    prepared: Any = None
    if case.startswith("table") or case.startswith("facts"):
        columns = read_routes_jsonl(routes_file).items
        assert isinstance(columns, ReceivedRoutes)
        if case == "table-objects":
            prepared = list(columns)
        elif case == "table-columns":
            prepared = columns
        else:
            table = build_table(columns, sessions)
            prepared = list(table.paths) if case == "facts-objects" else table.paths
        del columns
    gc.collect()
    base = rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    if case == "lines":
        size = len(read_routes_lines(routes_file).items)
    elif case == "columns":
        size = len(read_routes_jsonl(routes_file).items)
    elif case.startswith("table"):
        size = len(build_table(prepared, sessions))
    else:
        size = len(path_facts(prepared, (), 4200000000, 4294967294).origin)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    growth = rss_mb() - base
    if prepared is not None:  # the peak RSS is the preparation's: trace this step alone
        tracemalloc.start()
        if case.startswith("table"):
            build_table(prepared, sessions)
        else:
            path_facts(prepared, (), 4200000000, 4294967294)
        growth = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return {
        "wall": wall,
        "cpu": cpu,
        "rss_growth_mb": growth,
        "rss_peak_mb": rss_mb(),
        "size": size,
    }


def steps(routes_file: str, repeat: int) -> None:
    """The columnar reader's CPU time by step (best of ``repeat`` runs, in this process)."""
    from routesieve.collect import jsonl
    from routesieve.columnar.paths import PathTable
    from routesieve.columnar.routes import ReceivedRoutes
    from step_timers import StepTimers

    reader = jsonl._ColumnReader
    timers = StepTimers(
        [
            (jsonl, "layout_rows"),
            (jsonl, "line_kinds"),
            (reader, "_fast"),
            (reader, "_columns"),
            (jsonl, "_distinct"),
            (jsonl, "parse_prefixes"),
            (jsonl, "parse_paths"),
            (PathTable, "unique"),
            (jsonl, "used_paths"),
            (ReceivedRoutes, "concat"),
        ]
    )
    runs = []
    for _ in range(repeat):
        timers.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        jsonl.read_routes_jsonl(routes_file)
        runs.append((time.process_time() - cpu, time.perf_counter() - wall, dict(timers.totals)))
    cpu, wall, totals = min(runs, key=lambda r: r[0])
    print(f"columnar reader by step (best of {repeat}): {cpu:.3f} s cpu, {wall:.3f} s wall")
    timers.totals.clear()
    timers.totals.update(totals)
    timers.report()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("routes", nargs="?", default=str(DEFAULT_ROUTES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--steps", action="store_true", help="the columnar reader by step")
    args = parser.parse_args()
    if args.steps:
        steps(args.routes, args.repeat)
        return
    if args.one:
        print(json.dumps(one(args.one, args.routes)))
        return
    if not Path(args.routes).exists():
        sys.exit(f"{args.routes}: no such file (run bench/generate.py first)")
    load = os.getloadavg()
    print(f"routes file: {args.routes}")
    print(f"cpus {os.cpu_count()}, load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"best of {args.repeat} runs, each in its own process")
    print(f"  {'':44} {'wall s':>8} {'cpu s':>8} {'mem MB':>8} {'peak MB':>8}  items")
    for label, case in CASES.items():
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run(
                [sys.executable, __file__, args.routes, "--one", case],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(out.stdout))
        best = min(runs, key=lambda r: r["wall"])
        growth = max(r["rss_growth_mb"] for r in runs)
        peak = max(r["rss_peak_mb"] for r in runs)
        print(
            f"  {label:44} {best['wall']:8.3f} {min(r['cpu'] for r in runs):8.3f} "
            f"{growth:8.0f} {peak:8.0f}  {best['size']}",
            flush=True,
        )
    load = os.getloadavg()
    print(f"load average at end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
