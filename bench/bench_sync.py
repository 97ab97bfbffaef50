"""How long ``routesieve sync`` takes on a full-size data set, and reloading what it stores.

Usage: ``python bench/bench_sync.py [DATA_DIR]`` (default ``bench/out/``, generated with
``bench/generate.py`` when missing). The data files are served by the test HTTP server of
``tests/support/http_lab.py`` on 127.0.0.1, and the data set's configuration is rewritten
so that every ``[sources]`` entry is a URL on it. Figures, not a test: nothing is asserted.

Timed: a first sync (download, parse, build, save), a second sync (every file answered
``304 Not Modified``, parsed data from the parse cache), and loading the stored snapshot
back with ``load_stored_snapshot`` (what evaluate/render/explain do), best of three.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "support"))

from http_lab import http_lab  # noqa: E402

from routesieve.config import load_config  # noqa: E402
from routesieve.store.snapshot_file import load_stored_snapshot  # noqa: E402
from routesieve.sync.run import run_sync  # noqa: E402

LIMITS = (
    "\n[sync.max_age_hours]\nrpki = 1000000\nirr = 1000000\nrir = 1000000\n"
    "iana = 1000000\nbogons = 1000000\npeeringdb = 1000000\n"
)


def line(what: str, figure: str) -> None:
    print(f"  {what:<44} {figure}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    data: Path = args.data
    if not (data / "routesieve.toml").exists():
        import generate

        generate.main([str(data)])
    files = sorted(p for p in data.iterdir() if p.name.startswith(("delegated-", "vrps", "irr")))
    size = sum(p.stat().st_size for p in files)
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp, http_lab() as lab:
        os.environ["ROUTESIEVE_CACHE_DIR"] = str(Path(tmp) / "cache")
        urls = {p.name: lab.file(p.name, p) for p in files}
        rir = ", ".join(f'"{u}"' for n, u in urls.items() if n.startswith("delegated-"))
        head = (data / "routesieve.toml").read_text(encoding="utf-8").split("[sources]", 1)[0]
        config_path = Path(tmp) / "routesieve.toml"
        config_path.write_text(
            f'{head}[sources]\nrpki = "{urls["vrps.json"]}"\nirr = "{urls["irr.db"]}"\n'
            f'rir = [{rir}]\n\n[sync]\nfolder = "{tmp}/state"\n{LIMITS}',
            encoding="utf-8",
        )
        config = load_config(config_path)
        print(f"sync of {len(files)} files, {size / 1e6:.0f} MB, from {lab.url('')}")

        t0 = time.perf_counter()
        first = run_sync(config)
        t_first = time.perf_counter() - t0
        assert first.snapshot_path is not None, [o.error for o in first.outcomes]
        line("first sync (download, parse, save)", f"{t_first:8.2f} s")

        t0 = time.perf_counter()
        second = run_sync(config)
        t_second = time.perf_counter() - t0
        notes = {o.note for o in second.outcomes}
        line("second sync (all 304, parse cache)", f"{t_second:8.2f} s  ({', '.join(notes)})")
        assert second.snapshot_path is not None

        stored = second.snapshot_path.stat().st_size
        best = float("inf")
        for _ in range(3):
            gc.collect()
            t0 = time.perf_counter()
            snapshot = load_stored_snapshot(second.snapshot_path)
            best = min(best, time.perf_counter() - t0)
            del snapshot
        line("stored snapshot file", f"{stored / 1e6:8.1f} MB")
        line("load_stored_snapshot (best of 3)", f"{best:8.2f} s")
        snapshot = load_stored_snapshot(second.snapshot_path)
        line(
            "snapshot contents",
            f"{len(snapshot.vrps):,} VRPs, {len(snapshot.route_objects):,} route objects, "
            f"{len(snapshot.ip_delegations):,} IP delegations",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
