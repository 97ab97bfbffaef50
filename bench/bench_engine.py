"""Benchmark the readers, the index, the engine and the CLI on the synthetic data set.

Usage: ``python bench/bench_engine.py [DATA_DIR] [--repeat N] [--profile] [--no-cli]
[--stored] [--against SRC] [--engine-only]``.
Runs ``bench/generate.py`` first when DATA_DIR (default ``bench/out/``) has no
``routesieve.toml``. Prints figures only: this is not a test and asserts nothing.

``decide`` is shown whole and split into steps 1-2 (``build_table`` and ``path_facts``)
and the rules (``decide_table``), each the best of ``--repeat`` runs, wall and CPU time.
``--against SRC`` runs the same engine figures again, in the same run, with the
``routesieve`` package of another source tree (``SRC/src``, e.g. a checkout of main),
which is the anchor for a change to the engine. A tree without ``decide_table`` gets its
rules time as decide minus steps 1-2. ``--stored`` indexes the newest stored snapshot
(``routesieve sync``), as ``evaluate --offline`` does, instead of reading the files.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import platform
import pstats
import resource
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench_data import ensure_generated

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "out"


def line(label: str, value: str) -> None:
    print(f"  {label:44} {value}", flush=True)


def machine() -> None:
    load = os.getloadavg()
    print("machine")
    line("cpus (nproc)", str(os.cpu_count()))
    line("load average at start (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in load))
    line("python", f"{platform.python_implementation()} {platform.python_version()}")
    import numpy

    line("numpy", numpy.__version__)


def timed_readers(times: dict[str, list[float]]) -> None:
    """Wrap the readers ``load_snapshot`` calls so that each one's time is recorded."""
    from routesieve.sources import load

    def wrap(name: str, kind: str) -> None:
        real: Callable[..., Any] = getattr(load, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                times.setdefault(kind, []).append(time.perf_counter() - t)

        setattr(load, name, timed)

    wrap("read_vrps", "VRPs (rpki-client JSON)")
    wrap("read_rpsl", "IRR (RPSL)")
    wrap("read_delegation_tables", "RIR statistics")
    wrap("default_asn_registry", "IANA ASN registry (built-in)")
    wrap("default_bogons", "bogons (built-in)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3, help="runs of decide (best is shown)")
    parser.add_argument("--profile", action="store_true", help="cProfile one run of decide")
    parser.add_argument("--no-cli", action="store_true", help="skip the CLI subprocess run")
    parser.add_argument(
        "--against", type=Path, help="also run the engine figures with SRC/src (e.g. main)"
    )
    parser.add_argument(
        "--stored",
        action="store_true",
        help="use the newest stored snapshot of the configuration (run 'routesieve sync')",
    )
    parser.add_argument(
        "--engine-only", action="store_true", help="only read the inputs and time the engine"
    )
    args = parser.parse_args(argv)
    data: Path = args.data
    config_path = ensure_generated(data)

    machine()
    from routesieve.collect.files import read_routes
    from routesieve.config import load_config
    from routesieve.engine.evaluate import decide, evaluate
    from routesieve.engine.index import build_index
    from routesieve.outputs.verdict_formats import write_jsonl
    from routesieve.sources.load import load_snapshot

    print("data")
    for path in sorted(data.iterdir()):
        line(path.name, f"{path.stat().st_size / 1e6:8.1f} MB")

    print("reading (the real readers, one core)")
    t = time.perf_counter()
    config = load_config(config_path)
    policy = config.to_policy()
    line("configuration", f"{time.perf_counter() - t:8.2f} s  ({len(config.peers)} peers)")
    if args.stored:
        snap = stored_snapshot(config)
    else:
        times: dict[str, list[float]] = {}
        timed_readers(times)
        t = time.perf_counter()
        loaded = load_snapshot(config, int(time.time()))
        t_snapshot = time.perf_counter() - t
        snap = loaded.snapshot
        for kind, spent in times.items():
            line(kind, f"{sum(spent):8.2f} s")
        line("whole snapshot (load_snapshot)", f"{t_snapshot:8.2f} s")
        if loaded.problems:
            line("problems in the data files", str(len(loaded.problems)))
    line(
        "snapshot",
        f"{len(snap.vrps):,} VRPs, {len(snap.route_objects):,} route objects, "
        f"{len(snap.as_sets):,} as-sets, {len(snap.org_handles):,} org handles, "
        f"{len(snap.ip_delegations):,} + {len(snap.asn_delegations):,} delegations",
    )
    t = time.perf_counter()
    # the columns the reader gives, as the CLI decides on them (a list of Route
    # objects would time their conversion back to columns in every decide)
    routes: Sequence[Any] = read_routes(data / "routes.jsonl").items
    t_routes = time.perf_counter() - t
    rate = len(routes) / t_routes
    line("routes (JSON lines)", f"{t_routes:8.2f} s  ({len(routes):,} routes, {rate:,.0f}/s)")
    # the snapshot and routes live for the whole run, as in the CLI
    gc.freeze()

    print(f"engine (one core; {routesieve_tree()})")
    repeat = max(1, args.repeat)
    t = time.perf_counter()
    index = build_index(snap, policy)
    line("build_index, first", f"{time.perf_counter() - t:8.3f} s")
    idx_wall, idx_cpu = best_of(repeat, lambda: build_index(snap, policy))
    line(f"build_index, best of {repeat}", f"{idx_wall:8.3f} s wall, {idx_cpu:.3f} s CPU")
    runs: list[float] = []

    def one_decide() -> Any:
        t = time.perf_counter()
        result = decide(routes, snap, policy, index)
        runs.append(time.perf_counter() - t)
        return result

    best, best_cpu = best_of(repeat, one_decide)
    decisions = decide(routes, snap, policy, index)
    merged = len(decisions.table)
    line(
        f"decide, best of {repeat}",
        f"{best:8.3f} s wall, {best_cpu:.3f} s CPU  ({len(routes) / best:,.0f} routes/s; "
        f"runs {', '.join(f'{r:.2f}' for r in runs)})",
    )
    steps = engine_steps(routes, snap, policy, index, repeat, best, best_cpu)
    for label, (wall, cpu) in steps.items():
        line(
            f"  {label}",
            f"{wall:8.3f} s wall, {cpu:.3f} s CPU  ({len(routes) / wall:,.0f} routes/s)",
        )
    line("merged routes (rows)", f"{merged:,} from {len(routes):,} received")
    if args.profile:
        print("profile of one decide (top 25 by own time)")
        prof = cProfile.Profile()
        prof.enable()
        decide(routes, snap, policy, index)
        prof.disable()
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.strip_dirs().sort_stats("tottime").print_stats(25)
        print(buf.getvalue())
        buf = io.StringIO()
        stats = pstats.Stats(prof, stream=buf)
        stats.strip_dirs().sort_stats("cumulative").print_stats(25)
        print("profile of one decide (top 25 by cumulative time)")
        print(buf.getvalue())

    if args.engine_only:
        line("load average at the end", ", ".join(f"{x:.2f}" for x in os.getloadavg()))
        return 0
    if args.against:
        against(args.against, data, repeat, args.stored)
    t = time.perf_counter()
    evaluation = evaluate(routes, snap, policy, index)
    t_eval = time.perf_counter() - t
    line("evaluate (decide + verdict builder)", f"{t_eval:8.2f} s")
    rules: Counter[str] = Counter()
    t = time.perf_counter()
    for v in evaluation:
        rules[v.rule] += 1
    t_iter = time.perf_counter() - t
    line("materialise every verdict", f"{t_iter:8.2f} s  ({merged / t_iter:,.0f} verdicts/s)")
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        t = time.perf_counter()
        write_jsonl(evaluation, devnull)
        t_write = time.perf_counter() - t
    line("verdicts as JSONL to /dev/null", f"{t_write:8.2f} s  ({merged / t_write:,.0f}/s)")
    line("rules", ", ".join(f"{k} {v}" for k, v in sorted(rules.items(), key=_rule_order)))
    states = Counter(s.value if s else "-" for s in _states(decisions))
    line("RPKI states (merged rows)", ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    if evaluation.warnings:
        line("warnings", f"{len(evaluation.warnings)}: {evaluation.warnings[0]} …")

    if not args.no_cli:
        print("command line (a fresh process, reading everything)")
        exe = shutil.which("routesieve", path=str(Path(sys.executable).parent)) or "routesieve"
        cmd = [exe, "evaluate", "--config", str(config_path), "--routes"]
        cmd += [str(data / "routes.jsonl"), "--format", "jsonl", "--output", os.devnull]
        del evaluation, decisions
        gc.unfreeze()
        gc.collect()
        t = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - t
        line("routesieve evaluate … --format jsonl", f"{wall:8.2f} s wall (exit {done.returncode})")
        if done.returncode:
            print(done.stderr[-2000:])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    line("peak memory of this process (max RSS)", f"{peak:8.2f} GB")
    line("load average at the end", ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, float]:
    """The best wall and the best CPU time of ``repeat`` runs (each its own best)."""
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return min(walls), min(cpus)


def engine_steps(
    routes: Sequence[Any], snap: Any, policy: Any, index: Any, repeat: int, best: float, cpu: float
) -> dict[str, tuple[float, float]]:
    """decide split: steps 1-2 (12a's build_table, path_facts) and the rules."""
    from routesieve.engine import evaluate
    from routesieve.engine.paths import path_facts
    from routesieve.engine.table import build_table

    built: list[Any] = []

    def steps_1_2() -> None:
        built.clear()
        table = build_table(routes, policy.route_server_sessions)
        facts = path_facts(
            table.paths,
            snap.asn_blocks,
            policy.unallocated_asn_first,
            policy.unallocated_asn_last,
        )
        built.extend((table, facts))

    out = {"build_table + path_facts": best_of(repeat, steps_1_2)}
    decide_table = getattr(evaluate, "decide_table", None)
    if decide_table is None:  # an older tree: the rules are what decide adds
        wall, c = out["build_table + path_facts"]
        out["rules (decide minus the above)"] = (best - wall, cpu - c)
    else:
        table, facts = built
        out["rules (decide_table)"] = best_of(
            repeat, lambda: decide_table(table, facts, policy, index)
        )
    return out


def stored_snapshot(config: Any) -> Any:
    """The newest stored snapshot of ``config``, as ``evaluate --offline`` loads it."""
    from routesieve.store.snapshot_file import load_stored_snapshot
    from routesieve.sync.stored import choose_snapshot

    t = time.perf_counter()
    chosen = choose_snapshot(config, offline=True)[0]
    snap = load_stored_snapshot(chosen.path)
    line("stored snapshot (load_stored_snapshot)", f"{time.perf_counter() - t:8.2f} s")
    return snap


def routesieve_tree() -> str:
    import routesieve

    return f"routesieve from {Path(routesieve.__file__).parent}"


def against(tree: Path, data: Path, repeat: int, stored: bool) -> None:
    """The engine figures again, in a fresh process, with another tree's package."""
    print(f"the same engine figures with {tree} (the anchor), in this run", flush=True)
    env = {**os.environ, "PYTHONPATH": str(tree.resolve() / "src")}
    cmd = [sys.executable, __file__, str(data), "--engine-only", "--repeat", str(repeat)]
    cmd += ["--stored"] if stored else []
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    keep = False
    for text in done.stdout.splitlines():
        keep = keep or text.startswith("engine")
        if keep:
            print(f"  | {text}")
    if done.returncode:
        print(done.stderr[-2000:])


def _states(decisions: Any) -> list[Any]:
    from routesieve.engine import rpki
    from routesieve.model import RpkiState

    names = {
        rpki.VALID: RpkiState.VALID,
        rpki.INVALID_ASN: RpkiState.INVALID_ASN,
        rpki.INVALID_LENGTH: RpkiState.INVALID_LENGTH,
        rpki.UNKNOWN: RpkiState.UNKNOWN,
    }
    return [names.get(int(s)) for s in decisions.rpki_state.tolist()]


def _rule_order(item: tuple[str, int]) -> tuple[int, ...]:
    code = item[0]
    if code.startswith("X-"):
        return (-1,)
    return tuple(int(x) for x in code.split("."))


if __name__ == "__main__":
    sys.exit(main())
