"""Figures for ``routesieve run``'s web face (``[run] listen_web``) on the full-size
bench set: one rebuild (every route decided, indexed for the API, the report pages
written: ``service/web_view.py``'s ``build``), beside the anchor, one full ``evaluate``
with every verdict built, in the same run.

Prints figures only; asserts nothing. ``bench/generate.py`` makes the data set first when
DATA (default ``bench/out/``) has none.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench_run_incremental import load_full_set

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=HERE / "out")
    args = parser.parse_args()
    config, snapshot, routes = load_full_set(args.data)
    policy = config.to_policy()

    from routesieve.engine.evaluate import evaluate
    from routesieve.service.web_view import build

    print(f"{'received routes / VRPs':<52} {len(routes):,} / {len(snapshot.vrps):,}")

    t = time.perf_counter()
    full = list(evaluate(routes, snapshot, policy))
    anchor = time.perf_counter() - t
    print(f"{'anchor: full evaluate, every verdict built':<52} {anchor:8.2f} s")
    del full
    with tempfile.TemporaryDirectory(prefix="routesieve-bench-web-") as folder:
        t = time.perf_counter()
        served = build(routes, snapshot, policy, config, Path(folder) / "site-1")
        took = time.perf_counter() - t
    print(f"{'one web rebuild (decide, index, report pages)':<52} {took:8.2f} s")
    print(f"{'  routes served':<52} {served.received:,}")


if __name__ == "__main__":
    main()
