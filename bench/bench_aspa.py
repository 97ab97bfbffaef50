"""What X-ASPA costs the engine: ``decide`` on the synthetic data set with the check off
(the anchor) and on, in the same run, with the same index.

Usage: ``python bench/bench_aspa.py [DATA_DIR] [--repeat N] [--share 0.5]``. Runs
``bench/generate.py`` first when DATA_DIR (default ``bench/out/``) has no
``routesieve.toml``. The ASPA records are made from the paths themselves: a ``--share``
of the ASes get an ASPA listing every AS seen just before them in a path, and one in ten
of those drops one provider, so that some paths become Invalid. Prints figures only.
"""

from __future__ import annotations

import argparse
import itertools
import random
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from bench_data import ensure_generated

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--share", type=float, default=0.5)
    args = parser.parse_args()
    ensure_generated(args.data)

    from routesieve.collect.files import read_routes
    from routesieve.config import load_config
    from routesieve.engine.evaluate import decide
    from routesieve.engine.index import build_index
    from routesieve.engine.rules import ALL_RULES, Rule
    from routesieve.model import Aspa
    from routesieve.sources.load import load_snapshot

    config = load_config(args.data / "routesieve.toml")
    routes = list(read_routes(args.data / "routes.jsonl").items)
    snapshot = load_snapshot(config, int(time.time())).snapshot
    seen: dict[int, set[int]] = {}
    for path in {id(r.as_path): r.as_path for r in routes}.values():
        folded = path.folded or ()
        for provider, customer in itertools.pairwise(folded):
            seen.setdefault(customer, set()).add(provider)
    rng = random.Random(214312)
    aspas = []
    for customer in sorted(seen):
        if rng.random() < args.share:
            providers = sorted(seen[customer])
            if len(providers) > 1 and rng.random() < 0.1:
                providers.remove(rng.choice(providers))
            aspas.append(Aspa.of(customer, providers))
    snapshot = replace(snapshot, aspas=tuple(aspas))
    policy = config.to_policy()
    index = build_index(snapshot, policy)
    print(f"data {args.data}: {len(routes):,} routes, {len(aspas):,} ASPAs of {len(seen):,} ASes")

    for label, on in (("X-ASPA off (anchor)", False), ("X-ASPA on", True)):
        pol = replace(policy, check_aspa=on)
        best = float("inf")
        for _ in range(args.repeat):
            t = time.perf_counter()
            d = decide(routes, snapshot, pol, index)
            best = min(best, time.perf_counter() - t)
        rules = Counter(ALL_RULES[r] for r in d.rule.tolist())
        merged = len(d.rule)
        print(
            f"  {label:22} best of {args.repeat}: {best:6.2f} s, {merged / best:,.0f} routes/s; "
            f"X-ASPA rejects {rules[Rule.X_ASPA]:,} "
            f"({len({id(v) for v in d.aspa.values()}):,} distinct paths with evidence built)"
        )


if __name__ == "__main__":
    main()
