"""The long fuzz run: mutated real inputs fed to every reader, round robin.

Usage::

    python bench/fuzz_readers.py [--count N | --seconds S] [--targets mrt,rpsl,...]
                                 [--seed K] [--crashes DIR] [--report-every S]

The targets, seeds and invariant are those of the test suite (``tests/fuzz/fuzz_targets.py``):
a reader returns or raises only the project's own errors, accounts for every route record,
and takes under ``--hang`` seconds of CPU time (default 10; an alarm stops a longer one and
counts it as a hang). CPU time, not wall time: at ``nice -n 19`` on a busy machine an input
may wait seconds for a core without being slow itself (both maxima are printed).

Each input that breaks the invariant is written to ``--crashes`` (default
``bench/out/fuzz-crashes/``) as ``<target>-<sha1>.bin``, to become a named regression
test. Prints, per reader: inputs run, crashes, hangs, and the longest time of one input.
SIGTERM or Ctrl-C stops the run and still prints the table. This is a measurement, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "fuzz"))

import fuzz_targets as ft  # noqa: E402  (after the path is set)


class Hang(BaseException):  # not an Exception: the target's own checks must not catch it
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang


@dataclass
class Tally:
    inputs: int = 0
    crashes: int = 0
    hangs: int = 0
    max_cpu: float = 0.0  # seconds of CPU time of the slowest input
    max_wall: float = 0.0
    total_cpu: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)


def _save(folder: Path, name: str, data: bytes, what: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{hashlib.sha1(data).hexdigest()[:16]}.bin"
    path.write_bytes(data)
    path.with_suffix(".txt").write_text(what + "\n")
    return path


def _table(tallies: dict[str, Tally], elapsed: float) -> str:
    head = f"{'reader':<11} {'inputs':>10} {'crashes':>8} {'hangs':>6}"
    lines = [f"{head} {'max cpu s':>10} {'max wall s':>10} {'mean cpu ms':>11}"]
    total = Tally()
    for name, t in tallies.items():
        mean = 1000 * t.total_cpu / t.inputs if t.inputs else 0.0
        lines.append(
            f"{name:<11} {t.inputs:>10,} {t.crashes:>8} {t.hangs:>6} "
            f"{t.max_cpu:>10.3f} {t.max_wall:>10.3f} {mean:>11.2f}"
        )
        total.inputs += t.inputs
        total.crashes += t.crashes
        total.hangs += t.hangs
        total.max_cpu = max(total.max_cpu, t.max_cpu)
        total.max_wall = max(total.max_wall, t.max_wall)
    lines.append(
        f"{'all':<11} {total.inputs:>10,} {total.crashes:>8} {total.hangs:>6} "
        f"{total.max_cpu:>10.3f} {total.max_wall:>10.3f}   "
        f"({elapsed:,.0f} s, {total.inputs / max(elapsed, 1e-9):,.0f}/s)"
    )
    return "\n".join(lines)


class Stop(BaseException):
    pass


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--count", type=int, default=None, help="inputs in all (default 20,000)")
    budget.add_argument("--seconds", type=float, default=None, help="run this long")
    parser.add_argument("--targets", default=",".join(ft.TARGETS))
    parser.add_argument("--seed", type=int, default=214312)
    parser.add_argument("--hang", type=float, default=10.0)
    parser.add_argument("--crashes", type=Path, default=ROOT / "bench" / "out" / "fuzz-crashes")
    parser.add_argument("--report-every", type=float, default=300.0)
    args = parser.parse_args()
    names = [n.strip() for n in args.targets.split(",") if n.strip()]
    unknown = [n for n in names if n not in ft.TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; known: {', '.join(ft.TARGETS)}")
    count = args.count if args.count is not None or args.seconds is not None else 20_000
    rng = random.Random(args.seed)
    seeds = {n: ft.seeds_of(n) for n in names}
    tallies = {n: Tally() for n in names}
    signal.signal(signal.SIGPROF, _alarm)
    signal.signal(signal.SIGTERM, _stop)
    start = time.monotonic()
    print(f"fuzzing {', '.join(names)}; seed {args.seed}; crashes to {args.crashes}", flush=True)
    try:
        _loop(args, names, seeds, tallies, rng, count, start)
    except (Stop, KeyboardInterrupt):
        signal.setitimer(signal.ITIMER_PROF, 0)
        print("stopped", flush=True)
    print(_table(tallies, time.monotonic() - start), flush=True)


def _loop(
    args: argparse.Namespace,
    names: list[str],
    seeds: dict[str, list[bytes]],
    tallies: dict[str, Tally],
    rng: random.Random,
    count: int | None,
    start: float,
) -> None:
    pick = rng.randrange
    last = start
    done = 0
    while True:
        now = time.monotonic()
        if (count is not None and done >= count) or (
            args.seconds is not None and now - start >= args.seconds
        ):
            break
        if now - last >= args.report_every:
            print(_table(tallies, now - start), flush=True)
            last = now
        name = names[done % len(names)]
        target, tally = ft.TARGETS[name], tallies[name]
        # every 50th input an unmutated seed or raw random bytes, the rest mutated seeds
        if done % 50 == 7:
            data = bytes(rng.getrandbits(8) for _ in range(pick(512)))
        else:
            data = ft.mutate(seeds[name], pick, compressible=target.compressible)
        done += 1
        tally.inputs += 1
        signal.setitimer(signal.ITIMER_PROF, args.hang)
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            ft.check(name, data)
        except Hang:
            tally.hangs += 1
            _save(args.crashes, name, data, f"hang: over {args.hang} s")
        except ft.InvariantBroken as exc:
            tally.crashes += 1
            kind = str(exc).split(":")[1].strip() if ":" in str(exc) else str(exc)
            tally.kinds[kind] = tally.kinds.get(kind, 0) + 1
            path = _save(args.crashes, name, data, str(exc))
            if tally.kinds[kind] == 1:
                print(f"CRASH {name}: {exc} -> {path}", flush=True)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        cpu, wall = time.process_time() - c0, time.perf_counter() - t0
        tally.total_cpu += cpu
        tally.max_wall = max(tally.max_wall, wall)
        if cpu > tally.max_cpu:
            tally.max_cpu = cpu
            if cpu > 1.0:
                _save(args.crashes / "slow", name, data, f"slow: {cpu:.2f} s of CPU")


if __name__ == "__main__":
    main()
