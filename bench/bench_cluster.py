"""Evaluation partitioned by peer on Dask: routes/s and memory per worker, and the cost curve.

Usage: ``python bench/bench_cluster.py [--out bench/out-he] [--sizes 1000000]
[--simulate 10000000,100000000] [--share 20] [--skip-single]``

On the HE-size sets of ``generate_he.py`` (generated when missing), each figure beside
its anchor from the same run:

* the anchor: one process reads every partition file, decides and writes one Parquet
  file (what ``evaluate --format parquet`` does, with the stored snapshot);
* ``LocalCluster`` of 1 and of 2 worker processes: the wall time of the whole run
  (worker start excluded; snapshot load and index build per worker included), routes/s,
  the speed-up from 1 to 2, and the peak RSS of each worker;
* the cost curve on 2 workers: the sizes given in full (``--sizes``), and the sizes
  simulated (``--simulate``, 10M and 100M by default): the first ``--share`` partitions
  of that size's layout are generated and timed, and the time scaled by the share of
  routes they hold (said so in the output).

The machine's load average is printed before and after: the figures are only as quiet
as the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def generated(out: Path, routes: int, only: int | None = None, reuse: Path | None = None) -> Path:
    folder = out / f"{routes // 1_000_000}m"
    files = list((folder / "routes").glob("part-*.jsonl"))
    partitions = max(1, routes // 50_000)
    if len(files) < (only or partitions):
        args = [sys.executable, str(HERE / "generate_he.py"), str(folder), "--routes", str(routes)]
        if only:
            args += ["--only", str(only)]
        if reuse:
            args += ["--reuse", str(reuse)]
        subprocess.run(args, check=True)
    return folder


def route_files(folder: Path, only: int | None = None) -> list[Path]:
    files = sorted((folder / "routes").glob("part-*.jsonl"))
    return files[:only] if only else files


def single_process(folder: Path, files: list[Path]) -> dict[str, float]:
    """The anchor, in a fresh process (clean peak RSS)."""
    script = f"""
import json, resource, sys, time
from pathlib import Path
from routesieve.collect.files import read_routes
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.config import load_config
from routesieve.engine.evaluate import evaluate
from routesieve.outputs.verdict_arrow import write_parquet
from routesieve.store.snapshot_file import load_stored_snapshot
t0 = time.perf_counter()
policy = load_config(Path({str(folder / "routesieve.toml")!r})).to_policy()
snapshot = load_stored_snapshot(Path({str(folder / "he.snapshot.arrow")!r}))
routes = ReceivedRoutes.concat(
    [ReceivedRoutes.of(read_routes(name).items) for name in {[str(f) for f in files]!r}]
)
t1 = time.perf_counter()
result = evaluate(routes, snapshot, policy)
rows = write_parquet(result, Path({str(folder / "single.parquet")!r}))
t2 = time.perf_counter()
print(json.dumps({{"routes": len(routes), "verdicts": rows, "seconds": t2 - t0,
    "read": t1 - t0, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    (folder / "single.parquet").unlink(missing_ok=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@dataclass(frozen=True)
class Timing:
    routes: int
    seconds: float
    rss_mb: list[float]  # the peak of each worker
    partitions: int

    @property
    def rate(self) -> float:
        return self.routes / self.seconds


def on_cluster(folder: Path, files: list[Path], workers: int) -> Timing:
    from routesieve.cluster.connect import ClusterSpec, open_client
    from routesieve.cluster.driver import evaluate_on_cluster
    from routesieve.cluster.worker_cache import SnapshotRef, file_sha256
    from routesieve.config import load_config

    policy = load_config(folder / "routesieve.toml").to_policy()
    path = folder / "he.snapshot.arrow"
    ref = SnapshotRef(str(path), file_sha256(path), int(time.time()))
    out = folder / f"verdicts-{workers}"
    with open_client(ClusterSpec(local_workers=workers)) as client:
        client.wait_for_workers(workers)
        started = time.perf_counter()
        run = evaluate_on_cluster(client, policy, ref, out, files=files)
        seconds = time.perf_counter() - started
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return Timing(run.routes_in, seconds, sorted(peaks.values()), len(run.results))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "out-he")
    parser.add_argument("--sizes", default="1000000", help="route counts run in full")
    parser.add_argument(
        "--simulate", default="10000000,100000000", help="route counts timed by a share"
    )
    parser.add_argument("--share", type=int, default=20, help="partitions timed of those")
    parser.add_argument("--skip-single", action="store_true", help="no one-process anchor")
    parser.add_argument(
        "--curve-only", action="store_true", help="only the simulated sizes, on 2 workers"
    )
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    simulated = [int(s) for s in args.simulate.split(",") if s]
    print(f"load average before: {load()} ({os.cpu_count()} CPUs)")

    first = generated(args.out, sizes[0])
    files = route_files(first)
    if args.curve_only:
        sizes = []
    if not (args.skip_single or args.curve_only):
        anchor = single_process(first, files)
        print(
            f"anchor, one process, {anchor['routes']:,.0f} routes: {anchor['seconds']:.1f} s "
            f"({anchor['routes'] / anchor['seconds']:,.0f} routes/s; reading "
            f"{anchor['read']:.1f} s), peak RSS {anchor['rss_mb']:.0f} MB"
        )
    per_workers: dict[int, Timing] = {}
    for workers in () if args.curve_only else (1, 2):
        r = per_workers[workers] = on_cluster(first, files, workers)
        print(
            f"cluster, {workers} worker(s), {r.routes:,} routes in {r.partitions} partitions: "
            f"{r.seconds:.1f} s ({r.rate:,.0f} routes/s), peak RSS per worker "
            f"{', '.join(f'{m:.0f}' for m in r.rss_mb)} MB"
        )
    if per_workers:
        speedup = per_workers[1].seconds / per_workers[2].seconds
        print(f"speed-up 1 -> 2 workers: {speedup:.2f}x (aim 1.8x)")

    print("cost curve, 2 workers:")
    for size in sizes:
        folder = generated(args.out, size, reuse=first)
        r = per_workers[2] if size == sizes[0] else on_cluster(folder, route_files(folder), 2)
        print(
            f"  {r.routes:>11,} routes (measured in full): {r.seconds:.1f} s, peak RSS per "
            f"worker {max(r.rss_mb):.0f} MB"
        )
    sys.path.insert(0, str(HERE))
    from generate_he import Layout, bench_table

    table_size = len(bench_table(HERE / "out"))
    for size in simulated:
        folder = generated(args.out, size, only=args.share, reuse=first)
        r = on_cluster(folder, route_files(folder, args.share), 2)
        layout = Layout(size, max(1, size // 50_000))
        counts = layout.counts(table_size)
        whole = sum(counts)
        share = sum(counts[i] for k in range(args.share) for i in layout.peers_of(k))
        scaled = r.seconds * whole / share
        print(
            f"  {whole:>11,} routes (SIMULATED: {args.share} of {layout.partitions} partitions, "
            f"{r.routes:,} routes, took {r.seconds:.1f} s; scaled by {whole / share:.1f}): "
            f"{scaled:,.0f} s = {scaled / 3600:.2f} h, peak RSS per worker "
            f"{max(r.rss_mb):.0f} MB"
        )
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
