"""How fast ``fetch_whois`` fetches a large as-set from a real IRRd, beside bgpq4.

A real IRRd 4 (tests/sources_irr/irrd_lab.py: its own venv, PostgreSQL, redis) is loaded
with the as-sets reached from ``--sets`` in the real ripe.db.as-set.gz and the
route/route6 objects of their ASes from ripe-nonauth.db.route(6).gz. Then ``fetch_whois``
is timed (best of ``--runs``): the default fetch (``!i<set>,1``, ``!a4``, ``!a6``, like
bgpq4), with ``--old`` also the ``strict_origin`` fetch (every nested set walked, ``!g``
and ``!6`` per AS: the only fetch before), and ``bgpq4 -4`` and ``-6`` on the same server.

    .venv/bin/python bench/bench_irr_sync.py [--sets AS-CLOUVIDER] [--runs 3] [--old]

Needs the Debian packages of scripts/debian-packages.sh and /work/shared/data. The default
set (33 nested sets, about 1,000 ASNs) takes a minute or two in all; ``--sets AS-TIXZH``
(11,155 nested sets, 43,700 ASNs) takes 3 minutes to load and about 4 per fetch.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "sources_irr"))
sys.path.insert(0, str(ROOT / "tests" / "support"))

from daemon_lab import Processes  # noqa: E402
from irrd_lab import start_irrd, stop_all  # noqa: E402

from routesieve.sources.irr.fetch import fetch_whois  # noqa: E402
from routesieve.sources.irr.whois import WhoisConnection  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", default="AS-CLOUVIDER", help="comma-separated as-set names")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old", action="store_true", help="also time the strict_origin fetch")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared" / "data"))
    args = parser.parse_args()
    sets = args.sets.split(",")
    folder = Path(tempfile.mkdtemp(prefix="routesieve-irrd-bench-"))
    folder.chmod(0o755)
    procs = Processes()
    try:
        started = time.perf_counter()
        lab = start_irrd(Path(args.shared), folder, procs, roots=sets)
        loaded = time.perf_counter() - started
        routes = sum(len(p) for p in lab.excerpt.routes.values())
        print(f"IRRd up in {loaded:.1f} s: {len(lab.excerpt.as_sets)} as-sets, {routes} routes")
        url = f"{lab.url}?sources=RIPE,RIPE-NONAUTH"
        dest = folder / "irr.db"

        def ours(strict: bool) -> str:
            result = fetch_whois(
                url, dest, as_sets=sets, asns=[], timeout=600, strict_origin=strict
            )
            return f"{result.count} rows, {dest.stat().st_size / 1e6:.1f} MB; {result.note[:160]}"

        def bgpq4(*kinds: str) -> None:
            for v in kinds:  # -4, -6: prefixes (!a4, !a6); -t: the member ASNs (!i<set>,1)
                cmd = ["bgpq4", "-h", f"{lab.host}:{lab.port}", "-S", "RIPE,RIPE-NONAUTH", v]
                subprocess.run([*cmd, "-j", "-l", "x", *sets], capture_output=True, check=True)

        def server_side() -> None:
            with WhoisConnection(lab.host, lab.port, timeout=600) as conn:
                conn.set_sources(["RIPE", "RIPE-NONAUTH"])
                for name in sets:
                    conn.members(name, recursive=True)
                    conn.set_prefixes(name, 4)
                    conn.set_prefixes(name, 6)

        # taken in turn, so each meets the server's caches as warm as the others do
        times: dict[str, list[float]] = {"ours": [], "bgpq4": [], "bgpq4+t": [], "server": []}
        has_bgpq4 = shutil.which("bgpq4") is not None
        for run in range(args.runs):
            for name, action in (
                ("ours", lambda: ours(False)),
                ("bgpq4", (lambda: bgpq4("-4", "-6")) if has_bgpq4 else None),
                ("bgpq4+t", (lambda: bgpq4("-4", "-6", "-t")) if has_bgpq4 else None),
                ("server", server_side),
            ):
                if action is None:
                    continue
                started = time.perf_counter()
                said = action()
                times[name].append(time.perf_counter() - started)
                extra = f" ({said})" if isinstance(said, str) and run == 0 else ""
                print(f"run {run + 1} {name}: {times[name][-1]:.2f} s{extra}", flush=True)
        print(f"fetch_whois (!i,1 + !a4 + !a6, file written): best {min(times['ours']):.2f} s")
        if times["bgpq4"]:
            print(f"bgpq4 -4 then -6 (-j; prefixes only): best {min(times['bgpq4']):.2f} s")
            print(f"bgpq4 -4, -6 and -t (also the ASNs): best {min(times['bgpq4+t']):.2f} s")
        print(f"the three queries alone (WhoisConnection): best {min(times['server']):.2f} s")
        if args.old:
            started = time.perf_counter()
            said = ours(True)
            took = time.perf_counter() - started
            print(f"fetch_whois strict_origin (walk + !g/!6 per AS): {took:.2f} s ({said})")
    finally:
        stop_all(folder, procs)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
