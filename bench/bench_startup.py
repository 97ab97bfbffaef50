"""What `routesieve` pays before it works: imports and quick commands, beside an anchor.

Usage: ``python bench/bench_startup.py [--against SRC] [--rounds N] [--data DIR]``
(``--against /work/main/src`` runs the same commands with ``PYTHONPATH=SRC``, alternating
with this tree in every round; ``--data`` defaults to ``bench/out/`` with its stored
snapshot, see ``bench_evaluate_stages.py``).

Each round, in new processes, for each tree:

- ``evaluate --offline --routes routes.jsonl --format jsonl --output /dev/null`` under
  ``-X importtime``: the wall time of every module it imports (the sum of the "self"
  column: start-up and the imports made while it runs), split by package;
- the same imports replayed alone (``importlib.import_module`` of the modules the run
  imported at top level, in order): wall and CPU time (user + system) of the process;
- the whole ``evaluate`` without ``-X importtime``: wall, CPU, peak RSS (``wait4``);
- ``--version``, ``--help`` and ``evaluate --help``: wall, CPU, peak RSS.

Prints the best (lowest) of the rounds, and every round's figure. Figures only.

``--bytecode DIR`` lets Python cache the compiled modules under ``DIR``
(``PYTHONPYCACHEPREFIX``, so no ``__pycache__`` lands in either tree; one warm-up run per
tree first), as an installed package has them. Without it the environment decides: with
``PYTHONDONTWRITEBYTECODE=1`` set, every routesieve module is compiled from its source
at every start (the third-party packages keep the bytecode pip wrote).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TREE_SRC = HERE.parent / "src"
REPLAY = (  # an import the run tried and failed (an optional package) fails here too
    "import importlib, sys\n"
    "for name in sys.argv[1:]:\n"
    "    try:\n"
    "        importlib.import_module(name)\n"
    "    except ImportError:\n"
    "        pass\n"
)


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    rss_mb: float


def run(argv: list[str], env: dict[str, str]) -> tuple[Run, str]:
    """Run ``argv`` to the end; its wall, user + system time, peak RSS and stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{err[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024), err


def group_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "routesieve" and len(parts) > 1:
        return f"routesieve.{parts[1]}"
    return parts[0].lstrip("_") or module


def import_times(stderr: str) -> tuple[dict[str, float], list[str]]:
    """Seconds of "self" import time by package, and the top-level imports in order."""
    groups: dict[str, float] = defaultdict(float)
    top: list[str] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        fields = line[len("import time:") :].split("|")
        self_us, name = fields[0], fields[2]
        module = name.strip()
        groups[group_of(module)] += int(self_us) / 1e6
        if name.startswith(" ") and not name.startswith("  "):
            top.append(module)
    return groups, top


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", type=Path, default=None, help="the anchor's src folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data", type=Path, default=HERE / "out")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--bytecode", type=Path, default=None, help="cache bytecode here")
    args = parser.parse_args(argv)
    data = args.data.resolve()  # the stored snapshot is found by the exact source paths
    trees = {"this tree": TREE_SRC}
    if args.against is not None:
        trees = {f"anchor {args.against}": args.against.resolve(), **trees}
    evaluate = [
        "evaluate",
        "--config",
        str(data / "routesieve.toml"),
        "--offline",
        "--routes",
        str(data / "routes.jsonl"),
        "--format",
        "jsonl",
        "--output",
        os.devnull,
    ]
    quick = {
        "--version": ["--version"],
        "--help": ["--help"],
        "evaluate --help": ["evaluate", "--help"],
    }
    cli = [args.python, "-m", "routesieve.cli"]
    figures: dict[tuple[str, str], list[Run]] = defaultdict(list)
    imports: dict[str, list[tuple[float, dict[str, float]]]] = defaultdict(list)
    base = dict(os.environ)
    if args.bytecode is not None:
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        base["PYTHONPYCACHEPREFIX"] = str(args.bytecode.resolve())
        for src in trees.values():  # the warm-up: write every module's bytecode
            run([*cli, *evaluate], {**base, "PYTHONPATH": str(src)})
    cached = f"cached in {args.bytecode}" if args.bytecode else "as the environment says"
    print(
        f"bytecode: {cached} "
        f"(PYTHONDONTWRITEBYTECODE={base.get('PYTHONDONTWRITEBYTECODE', 'unset')})"
    )
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for round_ in range(args.rounds):
        for name, src in trees.items():
            env = {**base, "PYTHONPATH": str(src)}
            _, err = run([args.python, "-X", "importtime", *cli[1:], *evaluate], env)
            groups, top = import_times(err)
            imports[name].append((sum(groups.values()), groups))
            figures[(name, "imports of evaluate, replayed")].append(
                run([args.python, "-c", REPLAY, *top], env)[0]
            )
            figures[(name, "evaluate (bench set, jsonl)")].append(run([*cli, *evaluate], env)[0])
            for label, extra in quick.items():
                figures[(name, label)].append(run([*cli, *extra], env)[0])
        print(f"round {round_ + 1} done, load {os.getloadavg()[0]:.2f}", flush=True)
    print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    head = f"{'what':34} {'tree':36} {'wall s':>7} {'CPU s':>7} {'RSS MB':>7}"
    print(f"{head}   every round (wall/CPU)")
    labels = dict.fromkeys(label for _, label in figures)
    for label in labels:
        for name in trees:
            runs = figures[(name, label)]
            best = min(runs, key=lambda r: r.cpu)
            every = "  ".join(f"{r.wall:.2f}/{r.cpu:.2f}" for r in runs)
            print(
                f"{label:34} {name[:36]:36} {min(r.wall for r in runs):7.2f} "
                f"{best.cpu:7.2f} {min(r.rss_mb for r in runs):7.0f}   {every}"
            )
    print("\n-X importtime of the evaluate run, best round (sum of self times, s):")
    for name in trees:
        total, groups = min(imports[name], key=lambda t: t[0])
        rounds = ", ".join(f"{t:.2f}" for t, _ in imports[name])
        print(f"  {name}: {total:.3f} s (rounds: {rounds})")
        biggest = sorted(groups.items(), key=lambda kv: -kv[1])[:14]
        print("    " + ", ".join(f"{g} {s * 1000:.0f}" for g, s in biggest) + " (ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
