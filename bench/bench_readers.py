"""The outside-data readers, bulk against per-item, and a cold ``evaluate`` (issue 12).

Usage: ``python bench/bench_readers.py [DATA_DIR] [--repeat N] [--no-cli]``.

For each reader (VRPs, the ASPA records of the same file, RPSL, the five RIR files) the
bulk path as ``load_snapshot`` calls it and the per-item path it falls back to run in
the same process, one after the other, and the items they give are compared. Then a
cold ``routesieve evaluate`` (no stored snapshot, an empty parse cache) runs under
``/usr/bin/time -v`` three times: as it is, pinned to one core (so without the second
process that reads the large files two at a time: the anchor of that), and with the
per-item readers put back (the anchor of the readers), for wall time and peak RSS (of
the main process; the second process's own peak is not in it). Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_data import ensure_generated

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "out"

#: Run in a new interpreter: the CLI with the per-item readers in place of the bulk ones.
PER_ITEM_CLI = """
import sys
from routesieve.columnar import AsnDelegationTable, IpDelegationTable
from routesieve.model import AsnDelegation, IpDelegation
from routesieve.sources import aspa, load, rir, rpki, rpsl

def per_line_tables(path):
    r = rir.read_delegations(path)
    ips = [d for d in r.items if isinstance(d, IpDelegation)]
    asns = [d for d in r.items if isinstance(d, AsnDelegation)]
    ip, asn = IpDelegationTable.of(ips), AsnDelegationTable.of(asns)
    return rir.RirData(ip, asn, r.problems, r.provenance)

load.read_vrps = rpki.read_vrps_per_item
load.read_rpsl = rpsl.read_rpsl_per_object
load.read_delegation_tables = per_line_tables
aspa.rpki_json_rest = lambda path: None
from routesieve.cli import main
sys.argv[0] = "routesieve"
main()
"""


def line(label: str, value: str) -> None:
    print(f"  {label:46} {value}", flush=True)


def timed(read: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        gc.collect()
        t = time.perf_counter()
        result = read()
        best = min(best, time.perf_counter() - t)
    return best, result


def readers(data: Path, repeat: int) -> None:
    from routesieve.model import AsnDelegation, IpDelegation
    from routesieve.sources import aspa, rir, rir_bulk, rpki, rpki_bulk, rpsl

    vrps, irr = data / "vrps.json", data / "irr.db"
    rir_files = sorted(data.glob("delegated-*"))

    def all_rir_tables() -> Any:
        return [rir_bulk.read_delegation_tables(f) for f in rir_files]

    def all_rir_lines() -> Any:
        return [rir.read_delegations(f) for f in rir_files]

    def new_aspas() -> Any:
        rpki_bulk._LAST_REST.clear()  # load_snapshot reuses the VRP reader's document: not here
        return aspa.read_aspas(vrps)

    def old_aspas() -> Any:
        real = aspa.rpki_json_rest
        aspa.rpki_json_rest = lambda path: None  # type: ignore[assignment]
        try:
            return aspa.read_aspas(vrps)
        finally:
            aspa.rpki_json_rest = real

    def same_rir(new: Any, old: Any) -> bool:
        for t, r in zip(new, old, strict=True):
            ips = [d for d in r.items if isinstance(d, IpDelegation)]
            asns = [d for d in r.items if isinstance(d, AsnDelegation)]
            if list(t.ip) != ips or list(t.asn) != asns or t.problems != r.problems:
                return False
        return True

    cases: list[tuple[str, Callable[[], Any], Callable[[], Any], Callable[[Any, Any], bool]]] = [
        (
            "VRPs (rpki-client JSON)",
            lambda: rpki.read_vrps(vrps),
            lambda: rpki.read_vrps_per_item(vrps),
            lambda a, b: a.items == b.items and a.problems == b.problems,
        ),
        (
            "ASPA (same file, not the VRP reader's copy)",
            new_aspas,
            old_aspas,
            lambda a, b: a.items == b.items and a.provenance == b.provenance,
        ),
        (
            "IRR (RPSL)",
            lambda: rpsl.read_rpsl(irr),
            lambda: rpsl.read_rpsl_per_object(irr),
            lambda a, b: (
                (a.route_objects, a.as_sets, a.org_handles, a.problems)
                == (b.route_objects, b.as_sets, b.org_handles, b.problems)
            ),
        ),
        (f"RIR statistics ({len(rir_files)} files)", all_rir_tables, all_rir_lines, same_rir),
    ]
    print(f"readers (best of {repeat}; bulk, then per-item, in this process)")
    total_new = total_old = 0.0
    for label, new, old, same in cases:
        t_new, r_new = timed(new, repeat)
        t_old, r_old = timed(old, repeat)
        total_new += t_new
        total_old += t_old
        agree = "same items" if same(r_new, r_old) else "DIFFERENT"
        line(
            label, f"{t_new:6.2f} s bulk   {t_old:6.2f} s per-item   x{t_old / t_new:4.1f}  {agree}"
        )
        del r_new, r_old
    line("all readers", f"{total_new:6.2f} s bulk   {total_old:6.2f} s per-item")


def cold_cli(data: Path, per_item: bool, one_core: bool = False) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of a cold evaluate in a new process (``one_core``:
    pinned to one core with ``taskset``, so the large files are read one after the other
    instead of two at a time by a second process)."""
    args = [
        "evaluate",
        "--config",
        str(data / "routesieve.toml"),
        "--routes",
        str(data / "routes.jsonl"),
        "--format",
        "jsonl",
        "--output",
        "/dev/null",
    ]
    command = (
        [sys.executable, "-c", PER_ITEM_CLI, *args]
        if per_item
        else [
            str(Path(sys.executable).parent / "routesieve"),
            *args,
        ]
    )
    pin = ["taskset", "-c", str(min(os.sched_getaffinity(0)))] if one_core else []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "ROUTESIEVE_CACHE_DIR": cache}
        done = subprocess.run(
            ["/usr/bin/time", "-v", *pin, *command], env=env, capture_output=True, text=True
        )
    wall, rss = float("nan"), 0
    for row in done.stderr.splitlines():
        row = row.strip()
        if row.startswith("Elapsed (wall clock) time"):
            clock = row.rsplit(" ", 1)[1].split(":")
            wall = sum(float(x) * 60**i for i, x in enumerate(reversed(clock)))
        elif row.startswith("Maximum resident set size"):
            rss = int(row.rsplit(" ", 1)[1])
    if done.returncode not in (0, 2):
        print(done.stderr[-2000:], file=sys.stderr)
    return wall, rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-cli", action="store_true")
    args = parser.parse_args(argv)
    data: Path = args.data
    ensure_generated(data)
    print("machine")
    line("cpus (nproc)", str(os.cpu_count()))
    line("load average at start (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    readers(data, args.repeat)
    if not args.no_cli:
        print("cold evaluate (no stored snapshot, empty parse cache; /usr/bin/time -v)")
        runs = (
            ("bulk readers", False, False),
            ("bulk readers, one core (no second reading process)", False, True),
            ("per-item readers (anchor)", True, False),
        )
        for label, per_item, one_core in runs:
            wall, rss = cold_cli(data, per_item, one_core)
            line(label, f"{wall:6.2f} s wall   {rss / 1024:7.0f} MiB peak RSS")
    line("load average at end (1, 5, 15 min)", ", ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
