"""How fast a full-size stored snapshot saves and loads, in each stored form, side by side.

Usage: ``python bench/bench_snapshot_reload.py [DATA_DIR] [--repeat N] [--verify]
[--pickle]`` (default ``bench/out/``, written by ``bench/generate.py`` first if missing).

The snapshot is the full-size synthetic data set (about 822,000 VRPs and 1,060,000 route
objects, five RIR statistics files) plus the real RIR files and the Team Cymru IPv6
full bogons of /work/shared/data when they are there. It is saved in the Arrow form
``sync`` writes now (``routesieve.store.snapshot_file``), in the ``.npz`` form before it
(the anchor: ``layout.to_arrays`` + ``npz_file.write_npz``), and with ``--pickle`` as the
pickle of the first stored form. Printed for each, in the same run: save time and file
size; the load in a fresh process ("cold": a new interpreter, the file in the page cache;
best of N), with the memory it added (resident, split into private and file-backed
pages), after the load and again after every column was read once; a second process
loading the same file while the first still holds it (its proportional share, PSS: the
pages of a memory-mapped file are shared); the load in this process ("warm", best of N);
and ``build_index`` on the loaded snapshot. ``--verify`` also runs the engine over the
benchmark routes with the snapshot of tuples and the loaded one, and checks that every
verdict is the same.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_data import ensure_generated

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "out"
SHARED = HERE.parents[1] / "shared" / "data"
AS_OF = 1_764_000_000  # 2025-11-24: the generated VRPs of 2023 have expired, the rest not

COLD_LOAD = """
import gc, json, pickle, sys, time
from pathlib import Path
import numpy as np

def memory():
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    rollup = dict(line.split(":", 1) for line in open("/proc/self/smaps_rollup")
                  if line.count(":") == 1)
    kb = lambda v: int(v.split()[0])
    return {"anon": kb(status["RssAnon"]), "file": kb(status["RssFile"]),
            "pss": kb(rollup["Pss"])}

start = time.perf_counter()
import routesieve.store.snapshot_file as stored
if sys.argv[1] == "arrow":
    import pyarrow, pyarrow.ipc  # the libraries' own pages are not the snapshot's
before = memory()
imported = time.perf_counter()
if sys.argv[1] == "pickle":
    gc.disable()
    with open(sys.argv[2], "rb") as fh:
        snapshot = pickle.load(fh)
    gc.enable()
else:
    snapshot = stored.load_stored_snapshot(Path(sys.argv[2]))
done = time.perf_counter()
loaded = memory()
def arrays(table):
    for name, kind in getattr(table, "KINDS", {}).items():  # tuples (pickle): in memory
        value = getattr(table, name)
        if kind == "prefix":
            yield from arrays(value)
        else:
            yield value.codes if kind == "strings" else value
for name in ("vrps", "route_objects", "bogons", "ip_delegations", "asn_delegations"):
    for array in arrays(getattr(snapshot, name)):
        array.sum(dtype=np.uint64)  # every page of every column read once
read = memory()
print(json.dumps({"load": done - imported, "total": done - start, "before": before,
                  "loaded": loaded, "read": read}), flush=True)
if len(sys.argv) > 3:
    sys.stdin.read()  # hold the snapshot until told to go
"""


def line(label: str, value: str) -> None:
    print(f"  {label:<52} {value}", flush=True)


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


def cold_load(kind: str, path: Path) -> dict[str, Any]:
    """Times (s) and memory (KiB) of one load in a new interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", COLD_LOAD, kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    result: dict[str, Any] = json.loads(out)
    return result


def second_process(kind: str, path: Path) -> dict[str, Any]:
    """A cold load while another process holds the same file loaded."""
    holder = subprocess.Popen(
        [sys.executable, "-c", COLD_LOAD, kind, str(path), "hold"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        holder.stdout.readline()  # loaded, every column read
        return cold_load(kind, path)
    finally:
        holder.communicate("", timeout=600)


def timed(what: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        t = time.perf_counter()
        result = what()
        best = min(best, time.perf_counter() - t)
    return best, result


def _mib(kib: int) -> str:
    return f"{kib / 1024:6.1f} MiB"


def report_cold(kind: str, runs: list[dict[str, Any]]) -> None:
    best = min(runs, key=lambda r: r["load"])
    line(f"{kind}: cold load, best of {len(runs)}", f"{best['load']:6.3f} s  "
         f"({min(r['total'] for r in runs):.2f} s with the imports)")  # fmt: skip
    b, lo, rd = best["before"], best["loaded"], best["read"]
    line(
        f"{kind}: memory added by the load (private + file)",
        f"{_mib(lo['anon'] - b['anon'])} + {_mib(lo['file'] - b['file'])}",
    )
    line(
        f"{kind}: ... once every column was read",
        f"{_mib(rd['anon'] - b['anon'])} + {_mib(rd['file'] - b['file'])}",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (best shown)")
    parser.add_argument("--verify", action="store_true", help="compare every verdict too")
    parser.add_argument("--pickle", action="store_true", help="the first stored form too")
    args = parser.parse_args(argv)
    data: Path = args.data
    ensure_generated(data)

    from routesieve.config import load_config
    from routesieve.engine.index import build_index
    from routesieve.store.layout import to_arrays
    from routesieve.store.npz_file import write_npz
    from routesieve.store.snapshot_file import OLD_SUFFIX, SUFFIX, load_stored_snapshot
    from routesieve.store.snapshot_file import save_snapshot as save_arrow

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    t = time.perf_counter()
    snapshot = full_snapshot(data)
    print(f"snapshot read from the data files in {time.perf_counter() - t:.1f} s:")
    for name in ("vrps", "route_objects", "ip_delegations", "asn_delegations", "bogons"):
        line(name, f"{len(getattr(snapshot, name)):>10,}")
    for name in ("as_sets", "org_handles", "asn_blocks"):
        line(name, f"{len(getattr(snapshot, name)):>10,}")
    policy = load_config(data / "routesieve.toml").to_policy()
    gc.freeze()  # the tuple snapshot stays; do not let the collector walk it again and again

    out = data / "stored"
    out.mkdir(exist_ok=True)
    paths = {"npz": out / f"snapshot{OLD_SUFFIX}", "arrow": out / f"snapshot{SUFFIX}"}
    savers: dict[str, Callable[[Path], Any]] = {
        "npz": lambda p: write_npz(p, to_arrays(snapshot)),
        "arrow": lambda p: save_arrow(snapshot, p),
    }
    if args.pickle:
        paths = {"pickle": out / "snapshot.pickle", **paths}
        savers["pickle"] = lambda p: p.write_bytes(
            pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)
        )
    print(f"saving (load average {os.getloadavg()[0]:.2f})")
    for kind, path in paths.items():
        t = time.perf_counter()
        savers[kind](path)
        line(f"{kind}: save, file size", f"{time.perf_counter() - t:6.2f} s  {_mb(path)}")

    print(f"loading (cold: a new process, the file in the page cache; load average "
          f"{os.getloadavg()[0]:.2f})")  # fmt: skip
    runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in paths}
    for _ in range(args.repeat):  # the forms in turn: a load spike hits each alike
        for kind, path in paths.items():
            runs[kind].append(cold_load(kind, path))
    for kind in paths:
        report_cold(kind, runs[kind])
    print("two processes loading the same file (the second's share, PSS, of all it holds)")
    for kind, path in paths.items():
        if kind == "pickle":
            continue
        alone = min(runs[kind], key=lambda r: r["load"])["read"]["pss"]
        second = second_process(kind, path)["read"]["pss"]
        line(f"{kind}: PSS alone -> beside a first process", f"{_mib(alone)} -> {_mib(second)}")

    print(f"warm load (this process) and build_index (load average {os.getloadavg()[0]:.2f})")
    loaded: dict[str, Any] = {}
    same = True
    for kind in ("npz", "arrow"):
        best, loaded[kind] = timed(lambda k=kind: load_stored_snapshot(paths[k]), args.repeat)
        line(f"{kind}: warm load, best of {args.repeat}", f"{best:6.3f} s")
        equal = loaded[kind] == snapshot and loaded[kind].provenance == snapshot.provenance
        line(f"{kind}: loaded snapshot equals the original", str(equal))
        same = same and equal
    t_tuples, _ = timed(lambda: build_index(snapshot, policy), args.repeat)
    line("build_index: snapshot of tuples (item by item)", f"{t_tuples:6.2f} s")
    index = None
    for kind in ("npz", "arrow"):
        t_cols, index = timed(lambda k=kind: build_index(loaded[k], policy), args.repeat)
        line(f"build_index: loaded {kind} snapshot", f"{t_cols:6.2f} s")
    if args.verify:
        verify(data, snapshot, loaded["arrow"], policy, index)
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
