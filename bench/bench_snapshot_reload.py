"""How fast a full-size stored snapshot loads, and how fast the engine indexes it.

Usage: ``python bench/bench_snapshot_reload.py [DATA_DIR] [--repeat N] [--verify]``
(default ``bench/out/``, written by ``bench/generate.py`` first if missing).

The snapshot is the full-size synthetic data set (about 822,000 VRPs and 1,060,000 route
objects, five RIR statistics files) plus the real RIR files and the Team Cymru IPv6
full bogons of /work/shared/data when they are there. It is saved twice: as the pickle
the first stored-snapshot file used, and in the columnar form of
``routesieve.store.snapshot_file``. Printed: file sizes and save times; the load time of
each in a fresh process ("cold": a new interpreter, the file in the page cache), and of
the columnar one again in this process ("warm", best of N); ``build_index`` on the
snapshot of tuples (items turned into columns one by one) and on the loaded columnar
one. ``--verify`` also runs the engine over the benchmark routes with both snapshots
and checks that every verdict is the same.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "out"
SHARED = HERE.parents[1] / "shared" / "data"
AS_OF = 1_764_000_000  # 2025-11-24: the generated VRPs of 2023 have expired, the rest not

COLD_LOAD = """
import gc, pickle, sys, time
from pathlib import Path
start = time.perf_counter()
from routesieve.store.snapshot_file import load_stored_snapshot
imported = time.perf_counter()
if sys.argv[1] == "pickle":
    gc.disable()
    with open(sys.argv[2], "rb") as fh:
        snapshot = pickle.load(fh)
    gc.enable()
else:
    snapshot = load_stored_snapshot(Path(sys.argv[2]))
done = time.perf_counter()
print(f"{done - imported:.3f} {done - start:.3f} {len(snapshot.vrps)}")
"""


def line(label: str, value: str) -> None:
    print(f"  {label:<46} {value}", flush=True)


def full_snapshot(data: Path) -> Any:
    """The full-size snapshot: the generated files plus the real RIR and bogon files."""
    from routesieve.config import load_config
    from routesieve.sources.load import load_snapshot

    config = load_config(data / "routesieve.toml")
    src = config.sources
    extra_rir = tuple(sorted((SHARED / "rir").glob("delegated-*")))
    bogons = tuple(sorted((SHARED / "bogons").glob("teamcymru_fullbogons-ipv6_2024*")))
    src = src.model_copy(
        update={"rir": src.rir + extra_rir, "full_bogons": src.full_bogons + bogons}
    )
    return load_snapshot(dataclasses.replace(config, sources=src), AS_OF).snapshot


def cold_load(kind: str, path: Path) -> tuple[float, float]:
    """(load, load + imports) in seconds, in a new interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", COLD_LOAD, kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout.split()
    return float(out[0]), float(out[1])


def timed(what: Any, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        t = time.perf_counter()
        result = what()
        best = min(best, time.perf_counter() - t)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (best shown)")
    parser.add_argument("--verify", action="store_true", help="compare every verdict too")
    parser.add_argument("--no-pickle", action="store_true", help="skip the old pickle form")
    args = parser.parse_args(argv)
    data: Path = args.data
    if not (data / "routesieve.toml").exists():
        print(f"generating the data set into {data} …", flush=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(data)], check=True)

    from routesieve.config import load_config
    from routesieve.engine.index import build_index
    from routesieve.store.snapshot_file import SUFFIX, load_stored_snapshot, save_snapshot

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    snapshot = full_snapshot(data)
    print(f"snapshot read from the data files in {time.perf_counter() - t:.1f} s:")
    for name in ("vrps", "route_objects", "ip_delegations", "asn_delegations", "bogons"):
        line(name, f"{len(getattr(snapshot, name)):>10,}")
    for name in ("as_sets", "org_handles", "asn_blocks"):
        line(name, f"{len(getattr(snapshot, name)):>10,}")
    policy = load_config(data / "routesieve.toml").to_policy()

    out = data / "stored"
    out.mkdir(exist_ok=True)
    pickled, columnar = out / "snapshot.pickle", out / f"snapshot{SUFFIX}"
    print("saving")
    if not args.no_pickle:
        t = time.perf_counter()
        pickled.write_bytes(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
        line("pickle (the first stored form)", f"{time.perf_counter() - t:6.2f} s  {_mb(pickled)}")
    t = time.perf_counter()
    save_snapshot(snapshot, columnar)
    line("columnar .npz", f"{time.perf_counter() - t:6.2f} s  {_mb(columnar)}")

    print("loading (cold: a new process; the files are in the page cache)")
    forms = (
        [("columnar", columnar)]
        if args.no_pickle
        else [("pickle", pickled), ("columnar", columnar)]
    )
    for kind, path in forms:
        runs = [cold_load(kind, path) for _ in range(args.repeat)]
        load, total = min(r[0] for r in runs), min(r[1] for r in runs)
        line(f"{kind}, best of {len(runs)}", f"{load:6.2f} s  ({total:.2f} s with the imports)")
    gc.freeze()  # the tuple snapshot stays; do not let the collector walk it again and again
    best, loaded = timed(lambda: load_stored_snapshot(columnar), args.repeat)
    line(f"columnar, warm (this process), best of {args.repeat}", f"{best:6.2f} s")
    same = loaded == snapshot and loaded.provenance == snapshot.provenance
    line("loaded snapshot equals the original", str(same))

    print("build_index")
    t_tuples, _ = timed(lambda: build_index(snapshot, policy), args.repeat)
    line("snapshot of tuples (item by item)", f"{t_tuples:6.2f} s")
    t_cols, index = timed(lambda: build_index(loaded, policy), args.repeat)
    line("loaded columnar snapshot (fast path)", f"{t_cols:6.2f} s")
    if args.verify:
        verify(data, snapshot, loaded, policy, index)
    return 0 if same else 1


def verify(data: Path, snapshot: Any, loaded: Any, policy: Any, index: Any) -> None:
    from routesieve.collect.files import read_routes
    from routesieve.engine.evaluate import evaluate

    routes = list(read_routes(data / "routes.jsonl").items)
    t = time.perf_counter()
    want = [v.to_json() for v in evaluate(routes, snapshot, policy)]
    got = [v.to_json() for v in evaluate(routes, loaded, policy, index)]
    same = want == got
    line(
        f"verdicts of {len(routes):,} routes identical",
        f"{same}  ({time.perf_counter() - t:.0f} s)",
    )
    if not same:
        raise SystemExit("verdicts differ")


def _mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:7.1f} MB"


if __name__ == "__main__":
    sys.exit(main())
