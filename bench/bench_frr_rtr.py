"""FRR validating the bench set's full VRP set over RTR, beside the prefix-list form.

Takes the VRPs of the bench data set (``bench/generate.py``: ``bench/out/vrps.json``, the
expired ones left out as routesieve does), serves them from a real StayRTR, and starts FRR's
bgpd (``-M rpki``) on the configuration ``render_frr`` writes in RTR mode, with one
GoBGP peer that sends a sample of the bench routes (about half of them RPKI INVALID).
Timed from the start of bgpd: its vty answering, every VRP in its RPKI table, and the
peer's routes received with exactly the non-INVALID ones accepted (checked against an
RFC 6811 reference over the same VRPs), first on FRR's own (given up after 60 s) and then
after ``clear bgp ipv6 unicast * soft in``. Then the prefix-list form (``[render] rpki =
"static"``) of growing parts of the IPv6 VRPs: the time ``render_frr`` takes, and the time
bgpd takes to load it, given up after ``--static-timeout`` seconds.

    .venv/bin/python bench/bench_frr_rtr.py [--sample 400] [--static-sizes 1000,4000,16000]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_data import ensure_generated

ROOT = Path(__file__).resolve().parents[1]
for folder in ("tests/sources_rtr", "tests/support", "tests/outputs"):
    sys.path.insert(0, str(ROOT / folder))

import frr_openbgpd_harness as h  # noqa: E402
import pytest  # noqa: E402
import rtr_lab as lab  # noqa: E402
from daemon_lab import Processes, free_port  # noqa: E402

from routesieve.model import AsPath, Prefix, Vrp  # noqa: E402
from routesieve.outputs.filterspec import (  # noqa: E402
    Guard,
    PeerFilter,
    RoaEntry,
    RouterPolicy,
    RtrCache,
    RtrValidation,
    SessionSpec,
)
from routesieve.outputs.frr import render_frr  # noqa: E402
from routesieve.sources.rpki import read_vrps  # noqa: E402

DATA = ROOT / "bench" / "out"
LOCAL_ASN = 214312
NEIGHBOR = "fd00:5e7:b::2"


def vrps_of(data: Path) -> list[Vrp]:
    now = time.time()
    items = read_vrps(data / "vrps.json").items
    return sorted(
        {v._replace(ta="", expires=None) for v in items if v.expires is None or v.expires >= now}
    )


def rpki_invalid(vrps: dict[Prefix, list[Vrp]], prefix: Prefix, origin: int) -> bool:
    """RFC 6811: covered by some VRP, and matched by none."""
    covered = False
    for length in range(prefix.length + 1):
        for v in vrps.get(Prefix.from_address(prefix.version, prefix.value, length), ()):
            covered = True
            if v.asn == origin and v.asn != 0 and prefix.length <= v.max_length:
                return False
    return covered


def sample_routes(data: Path, vrps: list[Vrp], n: int) -> tuple[int, list[tuple[Prefix, AsPath]]]:
    """One peer's routes, about half RPKI INVALID, distinct prefixes, lengths /16-/48."""
    by_prefix: dict[Prefix, list[Vrp]] = {}
    for v in vrps:
        by_prefix.setdefault(v.prefix, []).append(v)
    first: dict[int, list[tuple[Prefix, AsPath, bool]]] = {}
    seen: set[Prefix] = set()
    with (data / "routes.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("{"):
                continue
            row = json.loads(line)
            try:
                prefix, path = Prefix.parse(row["prefix"]), AsPath.parse(row["as_path"])
            except Exception:  # the bench set has malformed lines on purpose
                continue
            origin = path.origin
            if (
                prefix.version != 6
                or not 16 <= prefix.length <= 48
                or prefix in seen
                or origin is None
                or path.has_set
                or path.first != row["peer_asn"]
                or len(asns := list(path.asns())) > 20
                or 0 in asns
                or 23456 in asns
            ):
                continue
            seen.add(prefix)
            bad = rpki_invalid(by_prefix, prefix, origin)
            first.setdefault(row["peer_asn"], []).append((prefix, path, bad))
    peer = max(first, key=lambda a: len(first[a]))
    rows = first[peer]
    rng = random.Random(214312)
    invalid = [r for r in rows if r[2]]
    other = [r for r in rows if not r[2]]
    k = min(n // 2, len(invalid))
    chosen = rng.sample(invalid, k) + rng.sample(other, min(n - k, len(other)))
    return peer, [(p, a) for p, a, _ in chosen]


def policy(
    peer: int, accept: list[Prefix], roas: list[Vrp], rtr: RtrValidation | None
) -> RouterPolicy:
    guard = Guard(
        families=frozenset({6}),
        ipv4_length=(8, 24),
        ipv6_length=(16, 48),
        max_hops=50,
        bogons=(),
        exchange_prefixes=(),
        unallocated_asns=(),
        bogon_asns=(),
        check_first_as=False,
    )
    session = SessionSpec("bench-1", NEIGHBOR, None, False)
    pf = PeerFilter(peer, "bench peer", tuple(sorted(accept)), (), (session,), None, False)
    entries = tuple(RoaEntry(v.prefix, v.max_length, v.asn) for v in roas)
    return RouterPolicy(LOCAL_ASN, guard, entries, (pf,), (), rtr)


def full_config(files: dict[str, str]) -> str:
    sessions = h.frr_lab_sessions(files["sessions.conf"], [NEIGHBOR])
    return (
        "frr defaults traditional\n"
        + files["filters.conf"]
        + f"router bgp {LOCAL_ASN}\n bgp router-id 192.0.2.1\nexit\n"
        + sessions
    )


def until(what: str, check: Callable[[], bool], timeout: float, started: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError(f"{what}: not within {timeout:.0f} s")


def vtysh(sock: Path, command: str) -> str:
    """The harness's vtysh, with an empty answer instead of a test failure while bgpd is
    still too busy to answer."""
    try:
        return h.vtysh(sock, command)
    except (pytest.fail.Exception, subprocess.TimeoutExpired):
        return ""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def has_vrps(sock: Path, probes: list[Vrp]) -> bool:
    """Every probe VRP is in FRR's RPKI table (FRR 8.4 has no ``show rpki prefix-count``,
    and printing the whole table on every poll would cost more than the load)."""
    for v in probes:
        address = re.escape(v.prefix.address_text())
        line = rf"{address}\s+{v.prefix.length} -\s+{v.max_length}\s+{v.asn}\b"
        if not re.search(line, vtysh(sock, f"show rpki prefix {v.prefix} {v.asn}")):
            return False
    return True


def table_size(sock: Path) -> int:
    """The number of records in FRR's RPKI table, from the end of ``show rpki prefix-table``."""
    text = vtysh(sock, "show rpki prefix-table")
    counts = re.findall(r"Number of IPv[46] Prefixes: (\d+)", text)
    return sum(int(n) for n in counts) if counts else len(text.splitlines()) - 1


def run_rtr(folder: Path, vrps: list[Vrp], peer: int, routes: list[tuple[Prefix, AsPath]]) -> None:
    cache = folder / "cache.json"
    lab.write_cache(
        cache,
        [{"asn": v.asn, "prefix": str(v.prefix), "maxLength": v.max_length} for v in vrps],
    )
    by_prefix: dict[Prefix, list[Vrp]] = {}
    for v in vrps:
        by_prefix.setdefault(v.prefix, []).append(v)
    expect = {str(p) for p, a in routes if not rpki_invalid(by_prefix, p, a.origin or 0)}
    server = lab.StayRtr(cache, folder / "stayrtr.log", args=("-refresh", "3600")).start(120)
    procs = Processes()
    try:
        rtr = RtrValidation((RtrCache(server.host, server.port, 1),), 300, 60, 7200)
        rp = policy(peer, [p for p, _ in routes], vrps, rtr)
        started = time.perf_counter()
        files = render_frr(rp)
        render_s = time.perf_counter() - started
        text = full_config(files)
        port = free_port("::1")
        with h.loopback_addresses([NEIGHBOR]):
            speaker = h.start_speaker(procs, folder / "gobgp", peer, LOCAL_ASN, 7, NEIGHBOR, port)
            for prefix, path in routes:
                h.announce(speaker, str(prefix), path)
            t0 = time.monotonic()
            sock = h.start_frr(procs, folder / "frr", text, port, modules=["rpki"])
            vty = time.monotonic() - t0
            pid = procs.procs[-1].pid
            probes = [*random.Random(7).sample(vrps, 20), vrps[0], vrps[-1]]
            loaded = until("the probe VRPs in FRR", lambda: has_vrps(sock, probes), 900, t0)
            rss = rss_mb(pid)
            counted = time.monotonic()
            size = table_size(sock)
            count_s = time.monotonic() - counted

            def converged() -> bool:
                got = h.frr_routes(sock, NEIGHBOR, received=True)
                return len(got) == len(routes) and (
                    h.frr_routes(sock, NEIGHBOR, received=False) == expect
                )

            try:  # on its own, after the VRPs are in
                alone = f"after {until('the routes validated', converged, 60, t0):.1f} s"
            except TimeoutError:
                alone = "NOT within 60 s of the start"
            soft = time.monotonic()
            h.vtysh(sock, "clear bgp ipv6 unicast * soft in")
            after_soft = until("the routes validated after soft in", converged, 600, soft)
        print(
            f"RTR: {len(vrps):,} VRPs; render_frr {render_s:.2f} s, {len(text):,} bytes; "
            f"bgpd vty after {vty:.1f} s; 22 probe VRPs (first, last, 20 random) in its "
            f"RPKI table after {loaded:.1f} s (bgpd RSS {rss:.0f} MB); the table then holds "
            f"{size:,} records ('show rpki prefix-table', {count_s:.1f} s); "
            f"{len(routes)} routes ({len(routes) - len(expect)} "
            f"INVALID) sent from before the start: exactly the {len(expect)} valid or "
            f"not-found accepted {alone} on FRR's own; after 'clear bgp ipv6 unicast * soft "
            f"in', {after_soft:.1f} s"
        )
    finally:
        procs.stop()
        server.stop()


def run_static(folder: Path, vrps: list[Vrp], size: int, timeout: float) -> None:
    v6 = [v for v in vrps if v.prefix.version == 6][:size] if size else vrps  # 0: all
    rp = policy(65010, [], v6, None)
    started = time.perf_counter()
    try:
        files = render_frr(rp)
    except ValueError as exc:
        what = f"{len(v6):,} {'IPv6 ' if size else ''}VRPs"
        print(
            f"prefix-list form, {what}: refused by render_frr "
            f"({time.perf_counter() - started:.1f} s): {exc}"
        )
        return
    render_s = time.perf_counter() - started
    origins = len({v.asn for v in v6})
    text = full_config(files)
    procs = Processes()
    try:
        t0 = time.monotonic()
        sock = h.start_frr(procs, folder / f"frr-static-{size}", text, free_port("::1"))
        vty = time.monotonic() - t0
        try:
            loaded = until(
                "the guard route-map",
                lambda: "sequence 65535" in vtysh(sock, "show route-map routesieve_guard"),
                timeout,
                t0,
            )
            result = f"loaded after {loaded:.1f} s (bgpd RSS {rss_mb(procs.procs[-1].pid):.0f} MB)"
        except TimeoutError:
            result = f"NOT loaded after {timeout:.0f} s (given up)"
        print(
            f"prefix-list form, {len(v6):,} IPv6 VRPs ({origins:,} origin ASes): render_frr "
            f"{render_s:.2f} s, {len(text):,} bytes; bgpd vty after {vty:.1f} s; {result}"
        )
    finally:
        procs.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sample", type=int, default=400)
    parser.add_argument(
        "--static-sizes", default="1000,4000,16000,0", help="IPv6 VRPs; 0: the whole set"
    )
    parser.add_argument("--no-rtr", action="store_true", help="only the prefix-list form")
    parser.add_argument("--static-timeout", type=float, default=300)
    args = parser.parse_args()
    ensure_generated(args.data, "vrps.json")
    lab.require_stayrtr()
    started = time.perf_counter()
    vrps = vrps_of(args.data)
    peer, routes = sample_routes(args.data, vrps, args.sample)
    print(
        f"bench set {args.data}: {len(vrps):,} unexpired distinct VRPs "
        f"({sum(v.prefix.version == 6 for v in vrps):,} IPv6), {len({v.asn for v in vrps}):,} "
        f"origin ASes; {len(routes)} routes of AS{peer} sampled "
        f"({time.perf_counter() - started:.1f} s to read)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_rtr:
            run_rtr(Path(tmp), vrps, peer, routes)
        for size in (int(s) for s in args.static_sizes.split(",") if s):
            run_static(Path(tmp), vrps, size, args.static_timeout)


if __name__ == "__main__":
    main()
