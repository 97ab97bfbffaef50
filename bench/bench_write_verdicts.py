"""Benchmark writing the verdicts of the bench set: per-verdict JSON lines against the
columnar writers (JSON lines, CSV, Parquet, Arrow IPC), in the same run.

Usage: ``python bench/bench_write_verdicts.py [DATA_DIR] [--repeat N] [--check FILE.gz]
[--steps]``.
Evaluates the bench set once (``DATA_DIR``, default ``bench/out/``; the stored snapshot
of ``sync`` when there is one, else the source files), then runs each writer in a forked
child process, so that each one's peak memory is its own: time (best of ``--repeat``),
file size, and how much the child's peak RSS grew over the evaluated state it started
from. ``--check`` compares the columnar JSON lines with a gzip file of expected output;
``--steps`` prints the columnar JSON-lines and Parquet writers' CPU time by step instead.
Prints figures only: this is not a test and asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_data import ensure_generated

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "out"


def line(label: str, value: str) -> None:
    print(f"  {label:46} {value}", flush=True)


def rss_kib() -> int:
    with open("/proc/self/status") as fh:
        for row in fh:
            if row.startswith("VmRSS:"):
                return int(row.split()[1])
    return 0


def in_child(work: Callable[[], None]) -> tuple[float, float, int]:
    """Run ``work`` in a forked child: its wall and CPU time (every thread of the child)
    and its peak RSS growth (KiB)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        start_rss = rss_kib()
        t, cpu = time.perf_counter(), time.process_time()
        work()
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        os.write(write_end, f"{seconds} {cpu} {peak - start_rss}".encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as fh:
        text = fh.read()
    os.waitpid(pid, 0)
    seconds, cpu, grown = text.split()
    return float(seconds), float(cpu), max(0, int(grown))


def steps(result: Any, folder: Path, repeat: int) -> None:
    """The columnar JSON-lines and Parquet writers' CPU time by step, best of ``repeat``
    runs in this process (a step's time includes that of the steps it calls)."""
    from routesieve.outputs import verdict_columns, verdict_context, verdict_fill
    from routesieve.outputs.verdict_arrow import write_parquet
    from routesieve.outputs.verdict_formats import write_jsonl
    from step_timers import StepTimers

    timers = StepTimers(
        [
            (verdict_columns, "wordings"),
            (verdict_columns._Batch, "json_lines"),
            (verdict_columns._Batch, "record_batch"),
            (verdict_columns, "fill"),
            (verdict_fill.Vocabulary, "gather"),
            (verdict_fill.Vocabulary, "column"),
            (verdict_context.Context, "prefixes"),
            (verdict_context, "prefix_texts"),
            (verdict_context.Slots, "_make"),
            (verdict_columns, "assemble"),
        ]
    )

    def jsonl() -> None:
        with (folder / "steps.jsonl").open("w", encoding="utf-8", newline="") as out:
            write_jsonl(result, out)

    def parquet() -> None:
        write_parquet(result, folder / "steps.parquet")

    for label, work in (("JSON lines", jsonl), ("Parquet", parquet)):
        runs = []
        for _ in range(repeat):
            timers.clear()
            wall, cpu = time.perf_counter(), time.process_time()
            work()
            runs.append(
                (time.process_time() - cpu, time.perf_counter() - wall, dict(timers.totals))
            )
        cpu, wall, totals = min(runs, key=lambda r: r[0])
        print(f"{label} by step (best of {repeat}): {cpu:.3f} s cpu, {wall:.3f} s wall")
        timers.totals.clear()
        timers.totals.update(totals)
        timers.report()
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()


def sweep(result: Any, folder: Path, repeat: int) -> None:
    """The columnar JSON-lines and Parquet writers by batch text size (``BATCH_BYTES``)
    and Arrow pool (``system``: as ``evaluate`` sets it; ``mimalloc``; ``mimalloc`` with
    its unused memory released after every batch), each in a forked child: wall and CPU
    (best of ``repeat``) and peak RSS growth (the most of ``repeat``)."""
    import pyarrow as pa

    from routesieve.outputs import verdict_arrow, verdict_columns
    from routesieve.outputs.verdict_arrow import write_parquet
    from routesieve.outputs.verdict_formats import write_jsonl

    plain = verdict_arrow.column_batches

    def releasing(*args: Any, **kwargs: Any) -> Any:
        for batch in plain(*args, **kwargs):
            yield batch
            pa.default_memory_pool().release_unused()

    def jsonl() -> None:
        with (folder / "sweep.jsonl").open("w", encoding="utf-8", newline="") as out:
            write_jsonl(result, out)

    def parquet() -> None:
        write_parquet(result, folder / "sweep.parquet")

    pools = {
        "system": pa.system_memory_pool(),
        "mimalloc": pa.mimalloc_memory_pool(),
        "mimalloc+release": pa.mimalloc_memory_pool(),
    }
    before = verdict_columns.BATCH_BYTES
    print(f"sweep (best of {repeat}; peak RSS growth of the writing process)")
    for label, work in (("JSON lines", jsonl), ("Parquet", parquet)):
        for mb in (16, 8, 4, 2):
            for name, pool in pools.items():
                verdict_columns.BATCH_BYTES = mb << 20
                verdict_arrow.column_batches = releasing if "release" in name else plain
                pa.set_memory_pool(pool)
                runs = [in_child(work) for _ in range(repeat)]
                seconds = min(s for s, _, _ in runs)
                cpu = min(c for _, c, _ in runs)
                grown = max(g for _, _, g in runs)
                line(
                    f"{label}, {mb} MB batches, {name}",
                    f"{seconds:6.3f} s  {cpu:6.3f} s cpu  +{grown / 1024:5.0f} MB RSS",
                )
    verdict_columns.BATCH_BYTES = before
    verdict_arrow.column_batches = plain
    pa.set_memory_pool(pools["system"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each writer (best shown)")
    parser.add_argument("--check", type=Path, help="expected JSON lines (gzip) to compare with")
    parser.add_argument("--steps", action="store_true", help="the columnar writers by step")
    parser.add_argument(
        "--sweep",
        action="store_true",
        help="columnar JSON lines and Parquet by batch text size and Arrow pool instead",
    )
    args = parser.parse_args(argv)
    data: Path = args.data
    config_path = ensure_generated(data)

    from routesieve.cli.common import load_inputs
    from routesieve.engine.evaluate import evaluate
    from routesieve.outputs.verdict_arrow import write_arrow, write_parquet
    from routesieve.outputs.verdict_formats import write_csv, write_jsonl

    print("machine")
    line("cpus (nproc)", str(os.cpu_count()))
    line("load average at start (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    stored = (data / "state" / "snapshots").is_dir()
    t = time.perf_counter()
    config, snapshot, routes = load_inputs(config_path, [data / "routes.jsonl"], offline=stored)
    result = evaluate(routes, snapshot, config.to_policy())
    print("evaluation")
    line("snapshot", "stored (sync)" if stored else "source files")
    line("received routes / verdicts", f"{len(routes):,} / {len(result):,}")
    line("load and decide", f"{time.perf_counter() - t:.1f} s")
    del routes

    folder = Path(tempfile.mkdtemp(prefix="bench-write-"))
    if args.steps:
        steps(result, folder, args.repeat)
        return 0
    if args.sweep:
        sweep(result, folder, args.repeat)
        return 0

    def text_file(name: str, write: Callable[[Any, Any], int], columns: bool) -> Callable[[], None]:
        def work() -> None:
            with (folder / name).open("w", encoding="utf-8", newline="") as out:
                write(result if columns else iter(result), out)

        return work

    def binary_file(name: str, write: Callable[[Any, Path], int]) -> Callable[[], None]:
        def work() -> None:
            write(result, folder / name)

        return work

    writers: list[tuple[str, str, Callable[[], None]]] = [
        (
            "JSON lines, per verdict (anchor)",
            "old.jsonl",
            text_file("old.jsonl", write_jsonl, False),
        ),
        ("JSON lines, columnar", "new.jsonl", text_file("new.jsonl", write_jsonl, True)),
        ("CSV, per verdict", "old.csv", text_file("old.csv", write_csv, False)),
        ("CSV, columnar", "new.csv", text_file("new.csv", write_csv, True)),
        ("Parquet (zstd)", "verdicts.parquet", binary_file("verdicts.parquet", write_parquet)),
        ("Arrow IPC", "verdicts.arrow", binary_file("verdicts.arrow", write_arrow)),
    ]
    print(f"writers (best of {args.repeat}; peak RSS growth of the writing process)")
    for label, name, work in writers:
        runs = [in_child(work) for _ in range(args.repeat)]
        seconds = min(s for s, _, _ in runs)
        cpu = min(c for _, c, _ in runs)
        grown = max(g for _, _, g in runs)
        size = (folder / name).stat().st_size
        rate = len(result) / seconds
        line(
            label,
            f"{seconds:6.3f} s  {cpu:6.3f} s cpu  {rate:>11,.0f} verdicts/s  {size / 1e6:7.1f} MB  "
            f"+{grown / 1024:5.0f} MB RSS",
        )
    line("load average at end (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    same = (folder / "old.jsonl").read_bytes() == (folder / "new.jsonl").read_bytes()
    print("checks")
    line("columnar JSON lines == per-verdict", str(same))
    line(
        "columnar CSV == per-verdict",
        str((folder / "old.csv").read_bytes() == (folder / "new.csv").read_bytes()),
    )
    if args.check is not None:
        with gzip.open(args.check, "rb") as fh:
            expected = fh.read()
        line(
            f"columnar JSON lines == {args.check.name}",
            str(expected == (folder / "new.jsonl").read_bytes()),
        )
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
