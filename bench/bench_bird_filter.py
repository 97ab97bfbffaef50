"""BIRD 2's own import filter as the anchor for routesieve's ``decide``, per route.

The received routes of one session of the bench set (``bench/out/routes.jsonl``; by
default the largest, the transit's full IPv6 table) are announced by three real GoBGP
speakers (each loaded with ``gobgp mrt inject global``) to one real BIRD 2, over three BGP
protocols that differ only in their import rule:

- ``feed_filter``: ``import filter peer_as<N>_in``, the filter ``routesieve render
  --target bird2`` writes for the bench configuration (``routesieve-filters.conf``: its
  ROA table of the bench VRPs, the guard functions, the peer's prefix set);
- ``feed_accept``: ``import filter bench_accept`` (``filter bench_accept { accept; }``):
  BIRD's filter interpreter started on every route, with nothing to do;
- ``feed_all``: ``import all``: no filter run at all (``FILTER_ACCEPT``).

Each channel has ``import table on`` (BIRD keeps what the peer sent, before the filter),
``import keep filtered on`` and a table of its own. Once every route is in, the measure
is ``birdc reload in <protocol>``: with an import table, BIRD 2 re-runs the import of the
stored routes itself (``bgp_reload_routes`` schedules ``rt_reload_channel``; no route
refresh goes to the peer, so no BGP message is built or parsed). Each stored route goes
through ``rte_update2``: validation, the import filter, then ``rte_recalculate``, which
finds the route it already holds from that protocol the same (the routes did not change)
and ignores the new copy. So a reload under ``import all`` costs the walk, the copy and
the compare, and a reload under the rendered filter costs the same plus the filter: the
difference of the two, divided by the routes, is what BIRD's filter costs a route, with
nothing of BGP's parsing or the table's changes in it. (The earlier form of this bench
compared two whole imports, where the filter is a few µs in about 13 µs a route of BGP
and table work, and its spread was larger than the filter: 3.11, 0.97, 4.21 µs and once a
negative figure.) ``feed_accept`` splits the filter's cost into starting the interpreter
and the rendered filter's own tests.

BIRD's CPU is read from ``/proc/<pid>/schedstat`` (nanoseconds on the CPU; BIRD 2.0 is
one thread) when BIRD is idle, the reload is asked for, and read again once ``show
protocols all <protocol>`` counts every route as received again (``Import updates``
received grows by the routes; BIRD runs the reload and the CLI in one thread, so the last
route is through when its count shows). The check that nothing changed: the imported and
filtered counts are the same before and after, every accepted route counted as ignored.
Several rounds, the three protocols in a rotating order, medians. Beside them, in each
round, routesieve's ``decide`` on the same routes (one per prefix, as BIRD holds them,
one core, the snapshot read from the bench files, the index built beforehand): CPU time
(``time.process_time``) and wall, best over the rounds.

``configure`` with a changed filter also triggers a reload, but it parses the whole
configuration again (the ROA table of 800k lines) and changes the routes (accepted <->
filtered), so it is not used for the measure. For context the bench also prints each
protocol's first, whole import (enabled one at a time, CPU until every route is in), the
figure the earlier form took the difference of.

    .venv/bin/python bench/bench_bird_filter.py [DATA_DIR] [--session NAME]
        [--limit N] [--rounds 5] [--rendered DIR]

``--rendered`` takes the folder of an earlier ``render`` (it takes one to two minutes on
the bench set). Needs ``bird``/``birdc`` (Debian bird2) and ``gobgpd``/``gobgp``. Prints
figures only: this is not a test.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

from bench_data import ensure_generated

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "bench"
sys.path.insert(0, str(ROOT / "tests" / "collect_bird"))
sys.path.insert(0, str(ROOT / "tests" / "support"))

import bird_collect_lab as lab  # noqa: E402

from routesieve.collect.bird_socket import BirdClient, BirdError  # noqa: E402
from routesieve.model import AsPath, Route, Segment, SegmentType  # noqa: E402

KINDS = ("filter", "accept", "all")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def without_peer(path: AsPath, asn: int) -> AsPath:
    """The path as the speaker must hold it: GoBGP puts its own AS in front (eBGP)."""
    segs = path.segments
    if segs and segs[0].type is SegmentType.AS_SEQUENCE and segs[0].asns[:1] == (asn,):
        rest = segs[0].asns[1:]
        return AsPath(((Segment(SegmentType.AS_SEQUENCE, rest),) if rest else ()) + segs[1:])
    return path


def session_routes(data: Path, name: str | None, limit: int | None) -> tuple[str, list[Route]]:
    """One route per prefix (the last, as a speaker keeps it) of the session's IPv6 routes."""
    from routesieve.collect.files import read_routes

    routes = [r for r in read_routes(data / "routes.jsonl").items if r.prefix is not None]
    if name is None:
        name = Counter(r.session for r in routes).most_common(1)[0][0]
    by_prefix = {r.prefix: r for r in routes if r.session == name and r.prefix.version == 6}
    chosen = list(by_prefix.values())[:limit]
    if not chosen:
        raise SystemExit(f"no IPv6 routes of session {name!r} in {data / 'routes.jsonl'}")
    return str(name), chosen


class Decider:
    """``decide`` on the routes as the columns the route readers hand the engine (built
    once, with the snapshot and its index, outside the timing)."""

    def __init__(self, data: Path, routes: list[Route]) -> None:
        from routesieve.columnar.routes import ReceivedRoutes
        from routesieve.config import load_config
        from routesieve.engine.index import build_index
        from routesieve.sources.load import load_snapshot

        config = load_config(data / "routesieve.toml")
        self.policy = config.to_policy()
        self.snap = load_snapshot(config, int(time.time())).snapshot
        self.index = build_index(self.snap, self.policy)
        self.columns = ReceivedRoutes.of(routes)
        self.accepted = self._accepted(self.run())  # the index's lazy parts built here
        gc.freeze()
        self.cpu: list[float] = []
        self.wall: list[float] = []

    def run(self) -> Any:
        from routesieve.engine.evaluate import decide

        return decide(self.columns, self.snap, self.policy, self.index)

    @staticmethod
    def _accepted(decisions: Any) -> int:
        import numpy as np

        from routesieve.engine.rules import ALL_RULES, is_acceptance

        accept = np.array([is_acceptance(r) for r in ALL_RULES])
        return int(accept[decisions.rule].sum())

    def timed(self) -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        self.run()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        self.cpu.append(cpu)
        self.wall.append(wall)
        return cpu, wall


def render(data: Path, out: Path) -> None:
    start = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).with_name("routesieve")),
            "render",
            "--config",
            str(data / "routesieve.toml"),
            "--routes",
            str(data / "routes.jsonl"),
            "--target",
            "bird2",
            "--output",
            str(out),
        ],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    print(f"rendered {out} in {time.perf_counter() - start:.0f} s", flush=True)


# ---- BIRD ----


def cpu_ns(pid: int) -> int:
    """Nanoseconds the process has run on a CPU (``/proc/<pid>/schedstat``; BIRD 2.0 is
    one thread), or utime + stime in clock ticks when the kernel has no schedstat."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return int(lab.cpu_seconds(pid) * 1e9)


@dataclass(frozen=True)
class Channel:
    """What ``show protocols all`` says of a protocol's ipv6 channel."""

    imported: int
    filtered: int
    received: int
    ignored: int


ROUTES = re.compile(r"Routes:\s+(\d+) imported, (?:(\d+) filtered, )?")
UPDATES = re.compile(r"Import updates:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)")


def channel(client: BirdClient, proto: str) -> Channel:
    text = client.text(f"show protocols all {proto}")
    routes, updates = ROUTES.search(text), UPDATES.search(text)
    if routes is None or updates is None:
        return Channel(0, 0, 0, 0)  # not up yet: BIRD prints no route counts
    received, _rejected, _filtered, ignored, _accepted = map(int, updates.groups())
    return Channel(int(routes[1]), int(routes[2] or 0), received, ignored)


def wait_idle(pid: int, limit: float = 180) -> None:
    """Until BIRD used less than 5 ms of CPU in half a second."""
    deadline = time.monotonic() + limit
    last = cpu_ns(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_ns(pid)
        if now - last < 5_000_000:
            return
        last = now
    raise lab.LabError(f"BIRD (pid {pid}) not idle after {limit:.0f} s")


def bird_conf(
    base: Path, filters: Path, speakers: dict[str, lab.Speaker], local_as: int, peer: int
) -> Path:
    rules = {
        "filter": f"import filter peer_as{peer}_in",
        "accept": "import filter bench_accept",
        "all": "import all",
    }
    blocks = [
        f"""ipv6 table t_{kind};
protocol bgp feed_{kind} {{
  local ::1 port {lab.free_port("::1")} as {local_as};
  neighbor ::1 port {speaker.port} as {speaker.asn};
  multihop;
  enforce first as off;
  disabled;
  ipv6 {{ table t_{kind}; import table on; import keep filtered on; {rules[kind]}; export none; }};
}}
"""
        for kind, speaker in speakers.items()
    ]
    base.mkdir(parents=True, exist_ok=True)
    conf = base / "bird.conf"
    conf.write_text(
        f'router id 10.255.255.1;\nprotocol device {{}}\ninclude "{filters}";\n'
        "filter bench_accept { accept; }\n" + "".join(blocks)
    )
    return conf


def first_import(client: BirdClient, pid: int, kind: str, count: int) -> tuple[float, Channel]:
    """Enable ``feed_<kind>`` (BIRD idle) and return BIRD's CPU seconds until every route
    is in (imported + filtered), and the channel then."""
    wait_idle(pid)
    before = cpu_ns(pid)
    client.command(f"enable feed_{kind}")
    deadline = time.monotonic() + 900
    while True:
        now = channel(client, f"feed_{kind}")
        if now.imported + now.filtered >= count:
            return (cpu_ns(pid) - before) / 1e9, now
        if time.monotonic() > deadline:
            raise lab.LabError(f"feed_{kind}: {now} after 900 s, expected {count:,} routes")
        time.sleep(0.2)


def reload_in(client: BirdClient, pid: int, kind: str, count: int) -> tuple[float, float, int]:
    """``reload in feed_<kind>`` with BIRD idle: BIRD's CPU seconds until every stored
    route went through the import again, the wall seconds, and how many updates BIRD
    counted as ignored (unchanged). Fails when the imported or filtered counts changed."""
    proto = f"feed_{kind}"
    wait_idle(pid)
    before = channel(client, proto)
    cpu, wall = cpu_ns(pid), time.perf_counter()
    client.command(f"reload in {proto}")
    deadline = time.monotonic() + 600
    while True:
        now = channel(client, proto)
        if now.received >= before.received + count:
            break
        if time.monotonic() > deadline:
            raise lab.LabError(f"{proto}: reload not done after 600 s ({before} -> {now})")
        time.sleep(0.02)
    spent, took = (cpu_ns(pid) - cpu) / 1e9, time.perf_counter() - wall
    if (now.imported, now.filtered) != (before.imported, before.filtered):
        raise lab.LabError(f"{proto}: the reload changed routes: {before} -> {now}")
    return spent, took, now.ignored - before.ignored


def _answers(sock: Path) -> bool:
    try:
        with BirdClient(sock, timeout=5) as client:
            client.command("show status")
        return True
    except BirdError:
        return False


def refreshes(speaker: lab.Speaker) -> str:
    """The route-refresh line of GoBGP's message statistics for its neighbour BIRD."""
    done = subprocess.run(
        ["gobgp", "-p", str(speaker.api), "neighbor", "::1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [ln.strip() for ln in done.stdout.splitlines() if "Refresh" in ln]
    return "; ".join(lines) or "(no refresh line)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", nargs="?", type=Path, default=HERE / "out")
    ap.add_argument("--session", help="the session whose routes to use (default: the largest)")
    ap.add_argument("--limit", type=int, help="only the first N routes of the session")
    ap.add_argument("--rounds", type=int, default=5, help="reloads of each kind")
    ap.add_argument("--rendered", type=Path, help="the folder of an earlier render")
    args = ap.parse_args()
    data: Path = args.data
    ensure_generated(data)
    lab.require_daemons()
    print(f"load average at start: {load()}", flush=True)
    name, routes = session_routes(data, args.session, args.limit)
    n = len(routes)
    peer = routes[0].peer_asn
    print(f"session {name} (AS{peer}): {n:,} IPv6 routes", flush=True)
    decider = Decider(data, routes)
    print(f"routesieve accepts {decider.accepted:,} of them", flush=True)
    procs = lab.Processes()
    reloads: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with tempfile.TemporaryDirectory(prefix="bench-bird-filter-") as tmp:
        base = Path(tmp)
        try:
            rendered = args.rendered or base / "render"
            if args.rendered is None:
                render(data, rendered)
            from routesieve.config import load_config

            local_as = load_config(data / "routesieve.toml").local.asn
            mrt = base / "routes.mrt"
            lab.write_table_dump(
                mrt, ((str(r.prefix), without_peer(r.as_path, peer), ()) for r in routes)
            )
            speakers = {
                kind: lab.start_speaker(procs, base / f"gobgp-{kind}", peer, local_as, i + 1)
                for i, kind in enumerate(KINDS)
            }
            for speaker in speakers.values():
                lab.wait_until("GoBGP's API", lambda s=speaker: lab.rib_count(s, "ipv6") >= 0, 30)
                lab.load_routes(speaker, mrt, {"ipv6": n}, timeout=900)
            print(f"three GoBGP speakers hold {n:,} routes each (load {load()})", flush=True)
            conf = bird_conf(
                base / "bird", rendered / "routesieve-filters.conf", speakers, local_as, peer
            )
            sock = lab.start_bird(procs, conf, base / "bird")
            pid = int((base / "bird" / "bird.pid").read_text())
            lab.wait_until("BIRD to answer", lambda: _answers(sock), 300, step=1.0)
            with BirdClient(sock, timeout=60) as client:
                for kind in KINDS:
                    spent, now = first_import(client, pid, kind, n)
                    print(
                        f"first import, {kind}: {spent:.2f} s BIRD CPU, "
                        f"{spent / n * 1e6:.2f} µs a route ({now.imported:,} imported, "
                        f"{now.filtered:,} filtered; load {load()})",
                        flush=True,
                    )
                for r in range(args.rounds):
                    order = KINDS[r % 3 :] + KINDS[: r % 3]
                    figures = []
                    for kind in order:
                        spent, took, same = reload_in(client, pid, kind, n)
                        reloads[kind].append(spent)
                        figures.append(
                            f"{kind} {spent:.3f} s CPU ({took:.2f} s wall, {same:,} ignored)"
                        )
                    cpu, wall = decider.timed()
                    figures.append(f"decide {cpu:.3f} s CPU ({wall:.3f} s wall)")
                    print(f"round {r + 1}: " + ", ".join(figures) + f" (load {load()})", flush=True)
            print(f"GoBGP, route refresh messages: {refreshes(speakers['filter'])}")
        finally:
            procs.stop()
    med = {kind: median(values) for kind, values in reloads.items()}
    per = {kind: med[kind] / n * 1e6 for kind in KINDS}
    bird_us = per["filter"] - per["all"]
    decide_cpu, decide_wall = min(decider.cpu), min(decider.wall)
    decide_us = decide_cpu / n * 1e6
    print(
        f"BIRD reload in, medians of {args.rounds}: filter {per['filter']:.2f}, "
        f"accept {per['accept']:.2f}, import all {per['all']:.2f} µs a route"
    )
    print(
        f"BIRD's filter: {per['filter']:.2f} - {per['all']:.2f} = {bird_us:.2f} µs a route "
        f"(interpreter started: {per['accept'] - per['all']:.2f}, the rendered tests: "
        f"{per['filter'] - per['accept']:.2f}); spread of the filter reloads "
        f"{min(reloads['filter']) / n * 1e6:.2f}-{max(reloads['filter']) / n * 1e6:.2f}, "
        f"of import all {min(reloads['all']) / n * 1e6:.2f}-{max(reloads['all']) / n * 1e6:.2f}"
    )
    print(
        f"routesieve decide: {decide_cpu:.3f} s CPU ({decide_wall:.3f} s wall), best of "
        f"{len(decider.cpu)} / {n:,} routes = {decide_us:.2f} µs a route "
        f"(median {median(decider.cpu) / n * 1e6:.2f})"
    )
    ratio = bird_us / decide_us if decide_us else float("inf")
    medians = bird_us / (median(decider.cpu) / n * 1e6)
    print(
        f"ratio: routesieve is {ratio:.1f}x BIRD's filter per route ({medians:.1f}x with "
        f"decide's median; load {load()})"
    )


if __name__ == "__main__":
    main()
