"""Figure for ``routesieve run``: a ROA change at a real StayRTR to BIRD reconfigured.

Starts the lab of tests/service (StayRTR with ``-refresh 1``, BIRD 2, a GoBGP peer
announcing two routes, ``routesieve run`` with ``deploy_min_interval = 1``), then
rewrites the cache file again and again, adding and removing the ROA of the second
route, and times each change until ``birdc show route`` shows the route accepted or
filtered (aim: 5 s). StayRTR re-reads its file every second and the service polls
nothing for this path: RTR Serial Notify, incremental decision, debounced deploy.

Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for folder in ("support", "outputs", "sources_rtr", "service"):
    sys.path.insert(0, str(ROOT / "tests" / folder))

import bird_harness as h  # noqa: E402
from daemon_lab import wait_until  # noqa: E402
from run_lab import start_lab  # noqa: E402

A = "2a0f:5700:100::/48"
B = "2a0f:5700:200::/48"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=10)
    args = parser.parse_args()
    procs = h.Processes()
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        lab = start_lab(procs, Path(tmp), [A], [A, B])
        try:
            run = lab.start_run()
            wait_until("the first deploy", lambda: lab.accepted() == {A}, 120, 0.05)
            took: list[float] = []
            for i in range(args.changes):
                want = {A, B} if i % 2 == 0 else {A}
                t = time.monotonic()
                lab.set_roas(sorted(want))
                wait_until("BIRD reconfigured", lambda w=want: lab.accepted() == w, 120, 0.05)
                took.append(time.monotonic() - t)
            m = lab.metrics()
            inner = m[("routesieve_change_to_reload_seconds_sum", ())] / max(
                1, m[("routesieve_change_to_reload_seconds_count", ())]
            )
            print(
                f"ROA change at StayRTR -> route accepted/filtered in BIRD (aim 5 s), n={len(took)}"
            )
            print(
                f"  median {statistics.median(took):.2f} s   max {max(took):.2f} s   "
                f"min {min(took):.2f} s"
            )
            print(f"  of which RTR update arrived -> BIRD reloaded (metric, mean): {inner:.2f} s")
            print("  (StayRTR re-reads its file every 1 s: up to 1 s of each figure is that)")
            run.terminate()
        finally:
            lab.stay.stop()
            procs.stop()


if __name__ == "__main__":
    main()
