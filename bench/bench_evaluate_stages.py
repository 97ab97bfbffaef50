"""Where one `evaluate --offline` spends its time and memory, stage by stage.

Usage: ``python bench/bench_evaluate_stages.py [DATA_DIR] [--format jsonl|parquet]
[--routes FILE]`` (default ``bench/out/`` and its ``routes.jsonl``; run ``bench/generate.py``
and ``routesieve sync`` there first; ``bench_scaling.write_routes`` makes larger inputs).

In one process, as the CLI does it: imports, configuration, the stored snapshot (memory
mapped), the received routes (JSON lines into columns), the index, ``evaluate`` (decide,
first call), then the verdicts written to /dev/null (JSON lines) or a temporary Parquet
file. After each stage: its wall and CPU time, the resident memory and its high-water mark
(``VmRSS``/``VmHWM`` of ``/proc/self/status``). Prints figures only.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_last = time.perf_counter()
_last_cpu = time.process_time()


def _status(field: str) -> int:
    text = Path("/proc/self/status").read_text()
    return int(text.split(f"{field}:")[1].split()[0]) // 1024


def mark(stage: str) -> None:
    global _last, _last_cpu
    now, cpu = time.perf_counter(), time.process_time()
    print(
        f"{stage:12} {now - _last:6.2f} s ({cpu - _last_cpu:5.2f} s CPU)   "
        f"RSS {_status('VmRSS'):6,} MB   high-water {_status('VmHWM'):6,} MB",
        flush=True,
    )
    _last, _last_cpu = now, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=HERE / "out")
    parser.add_argument("--format", choices=("jsonl", "parquet"), default="jsonl")
    parser.add_argument("--routes", type=Path, default=None)
    args = parser.parse_args(argv)
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    import routesieve.collect.jsonl  # noqa: F401  (read_routes imports it for JSON lines)
    from routesieve.collect.files import read_routes
    from routesieve.columnar import heap
    from routesieve.config import load_config
    from routesieve.engine.evaluate import evaluate
    from routesieve.engine.index import build_index
    from routesieve.outputs.verdict_arrow import write_parquet
    from routesieve.outputs.verdict_formats import write_jsonl
    from routesieve.store.snapshot_file import load_stored_snapshot
    from routesieve.sync.stored import choose_snapshot

    if hasattr(heap, "return_memory_promptly"):  # as evaluate does (not before issue 12)
        heap.return_memory_promptly()
    mark("imports")
    config = load_config(args.data / "routesieve.toml")
    policy = config.to_policy()
    mark("config")
    snapshot = load_stored_snapshot(choose_snapshot(config, offline=True)[0].path)
    mark("snapshot")
    routes = read_routes(args.routes or args.data / "routes.jsonl").items
    mark("routes")
    index = build_index(snapshot, policy)
    mark("index")
    result = evaluate(routes, snapshot, policy, index)
    mark("decide")
    if args.format == "parquet":
        with tempfile.TemporaryDirectory() as tmp:
            write_parquet(result, Path(tmp) / "verdicts.parquet")
    else:
        with open(os.devnull, "w") as out:
            write_jsonl(result, out)
    mark(args.format)
    return 0


if __name__ == "__main__":
    sys.exit(main())
