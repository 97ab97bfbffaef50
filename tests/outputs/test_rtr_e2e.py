"""End to end, RPKI validated live by the router: a real StayRTR serves VRPs (the shared
StayRTR test cache, real ROAs) from a JSON file; ``routesieve sync`` takes its snapshot
from that cache and ``routesieve render`` writes the router configuration with
``[render] rpki = "rtr"`` (the default for an ``rtr://`` source). A GoBGP peer, AS1103,
announces 2001:610::/32, which AS1103's ROA makes VALID, so routesieve accepts it and
the prefix is in the peer's accept list.

Then only the cache's file changes, never the router's configuration: without the /32
ROA, the /29 ROA (maxLength 29) makes the route INVALID and the router must drop it;
with the ROA back it must accept it again; and drop it once more. Each change must reach
the router through its RTR session (StayRTR re-reads its file every second and sends a
Serial Notify; the rendered refresh interval is 5 s). The time each change took is
printed (``-s``), not asserted.

FRR 8.4 gets every VRP change live, and drops a route that becomes INVALID on its own,
but it re-validates only routes that are in its RIB: a route its route-map denied is not
looked at again. So after the change to VALID, the FRR test waits for the ROA to reach
FRR's RPKI table over RTR and then runs ``clear bgp ipv6 unicast * soft in`` (the import
policy again from the Adj-RIB-In; no configuration change, no reload). docs/routers.md
says so.

Last, StayRTR is killed: each router must keep the VRPs it has (the route stays
rejected; for FRR, whose denied routes are not re-validated, its RPKI table must still
hold the covering ROA) for two refresh intervals, well inside the expire interval."""

from __future__ import annotations

import html
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bird_harness as bh
import frr_openbgpd_harness as h
import orjson
import pytest
from click.testing import CliRunner
from daemon_harness import ensure_daemons, frr_full

from routesieve.cli import main
from routesieve.model import AsPath

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources_rtr"))
from rtr_lab import StayRtr, require_stayrtr, write_cache

PEER = 1103
PREFIX = "2001:610::/32"
VALID_ROA = {"asn": PEER, "prefix": PREFIX, "maxLength": 48}  # AS1103's /32 ROA
REFRESH = 5
LIVE_TIMEOUT = 90  # the refresh interval, and generous room for a loaded machine
START_TIMEOUT = 120
FRR_RPKI = list(Path("/usr/lib").glob("*/frr/modules/bgpd_rpki.so"))


@dataclass
class Cache:
    """The StayRTR cache file: the shared test cache, with or without AS1103's /32 ROA."""

    path: Path
    roas: list[dict[str, Any]]

    def serve(self, valid: bool) -> None:
        keep = [r for r in self.roas if valid or _key(r) != _key(VALID_ROA)]
        write_cache(self.path, keep)


def _key(roa: dict[str, Any]) -> tuple[Any, ...]:
    return roa["asn"], roa["prefix"], roa["maxLength"]


@pytest.fixture(scope="module")
def daemons() -> None:
    ensure_daemons()
    bh.require_daemons()
    require_stayrtr()
    if not FRR_RPKI:
        pytest.fail("FRR's rpki module is missing: apt-get install frr-rpki-rtrlib")


@pytest.fixture
def procs() -> Iterator[bh.Processes]:
    running = bh.Processes()
    yield running
    running.stop()


@pytest.fixture
def cache(shared_data: Path, tmp_path: Path) -> Iterator[tuple[Cache, StayRtr]]:
    roas = orjson.loads((shared_data / "rpki" / "stayrtr_test.rpki.json").read_bytes())["roas"]
    assert any(_key(r) == _key(VALID_ROA) for r in roas)
    assert any(r["prefix"] == "2001:610::/29" and r["maxLength"] == 29 for r in roas)
    c = Cache(tmp_path / "cache.json", roas)
    c.serve(valid=True)
    args = ("-refresh", "1", "-rtr.refresh", str(REFRESH), "-rtr.retry", "2")
    server = StayRtr(c.path, tmp_path / "stayrtr.log", args=(*args, "-rtr.expire", "600"))
    server.start()
    yield c, server
    server.stop()


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def synced(folder: Path, url: str, neighbor: str) -> tuple[Path, Path]:
    """The configuration and the received route, and ``routesieve sync`` from the cache."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "routesieve.toml"
    config.write_text(
        f"""[local]
asn = 214312
families = ["ipv6"]

[[peers]]
asn = {PEER}
name = "SURFnet"
sessions = [{{ name = "surf-1", neighbor = "{neighbor}" }}]

[sources]
rpki = "{url}"

[render]
rtr_refresh_seconds = {REFRESH}
rtr_retry_seconds = 2
rtr_expire_seconds = 600
""",
        encoding="utf-8",
    )
    routes = folder / "routes.jsonl"
    routes.write_text(
        orjson.dumps(
            {"peer_asn": PEER, "prefix": PREFIX, "as_path": str(PEER), "session": "surf-1"}
        ).decode()
        + "\n",
        encoding="utf-8",
    )
    _cli("sync", "--config", str(config))
    return config, routes


def render(folder: Path, url: str, neighbor: str, target: str) -> dict[str, str]:
    """``routesieve sync`` from the cache, then ``routesieve render --target``."""
    config, routes = synced(folder, url, neighbor)
    out = folder / "out"
    _cli(
        "render",
        *("--config", str(config), "--routes", str(routes)),
        *("--target", target, "--output", str(out)),
    )
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(out.iterdir())}


def flip_and_follow(
    cache: Cache,
    accepted: Callable[[], bool],
    received: Callable[[], bool],
    report: Callable[[], str],
    router: str,
    server: StayRtr,
    once_valid: Callable[[], None] | None = None,
    vrps_kept: Callable[[], bool] | None = None,
) -> list[float]:
    """The route is first rejected (INVALID), then accepted (VALID), then rejected again,
    each time after only the cache's file changed (and ``once_valid`` ran, for FRR).
    Then the cache dies: the router keeps its VRPs (``vrps_kept``, by default: the route
    stays rejected) past two refresh intervals. Returns the seconds each change took."""
    taken: list[float] = []
    h.wait_for(
        f"{router} to receive {PREFIX} and reject it as RPKI invalid",
        lambda: received() and not accepted(),
        START_TIMEOUT,
        report,
    )
    for valid in (True, False):
        cache.serve(valid)
        started = time.monotonic()
        if valid and once_valid is not None:
            once_valid()
        state = "accept" if valid else "reject"
        h.wait_for(
            f"{router} to {state} {PREFIX} once the cache says it is "
            f"{'VALID' if valid else 'INVALID'}",
            lambda valid=valid: received() and accepted() == valid,  # type: ignore[misc]
            LIVE_TIMEOUT,
            report,
        )
        taken.append(time.monotonic() - started)
    print(f"{router}: VALID reached it in {taken[0]:.1f} s, INVALID again in {taken[1]:.1f} s")
    server.stop()
    kept = vrps_kept or (lambda: received() and not accepted())
    deadline = time.monotonic() + 2 * REFRESH + 5
    while time.monotonic() < deadline:
        assert kept(), f"{router} dropped the VRPs when the cache went away:\n{report()}"
        time.sleep(1)
    return taken


def test_bird_follows_the_rtr_cache_without_a_reload(
    daemons: None, procs: bh.Processes, tmp_path: Path, cache: tuple[Cache, StayRtr]
) -> None:
    vrps, server = cache
    files = render(tmp_path / "rs", server.url, "::1", "bird2")
    filters, sessions = files["routesieve-filters.conf"], files["routesieve-sessions.conf"]
    assert "protocol rpki routesieve_rtr1" in filters and "protocol static" not in filters
    assert "rpki reload on;" in sessions and "import table on;" in sessions
    vrps.serve(valid=False)

    (protocol,) = re.findall(r"protocol bgp (\S+) \{", sessions)
    speaker = bh.start_speaker(procs, tmp_path / "gobgp", PEER, 214312, 19)
    bh.announce(speaker, PREFIX, AsPath.parse(str(PEER)))
    bird_port = bh.free_port("::1")
    files["routesieve-sessions.conf"] = bh.lab_sessions(
        sessions, {protocol: speaker.port}, bird_port
    )
    conf = bh.main_conf(tmp_path / "bird", files)
    sock = bh.start_bird(procs, conf, tmp_path / "bird")

    def accepted() -> bool:
        return PREFIX in bh.routes_of(sock, protocol, filtered=False)

    def received() -> bool:
        return accepted() or PREFIX in bh.routes_of(sock, protocol, filtered=True)

    def report() -> str:
        return bh.birdc(sock, "show", "protocols", "all") + bh.birdc(
            sock, "show", "route", "table", "routesieve_roa6", "count"
        )

    flip_and_follow(vrps, accepted, received, report, "BIRD", server)


def test_frr_follows_the_rtr_cache_without_a_reload(
    daemons: None, procs: bh.Processes, tmp_path: Path, cache: tuple[Cache, StayRtr]
) -> None:
    vrps, server = cache
    address = "fd00:5e7:19::2"
    files = render(tmp_path / "rs", server.url, address, "frr")
    assert "rpki cache 127.0.0.1" in files["filters.conf"]
    assert "match rpki invalid" in files["filters.conf"]
    assert "prefix-list routesieve_roa" not in files["filters.conf"]
    vrps.serve(valid=False)

    files["sessions.conf"] = h.frr_lab_sessions(files["sessions.conf"], [address])
    port = bh.free_port("::1")
    with h.loopback_addresses([address]):
        speaker = h.start_speaker(procs, tmp_path / "gobgp", PEER, 214312, 19, address, port)
        h.announce(speaker, PREFIX, AsPath.parse(str(PEER)))
        sock = h.start_frr(procs, tmp_path / "frr", frr_full(files, 214312), port, modules=["rpki"])

        def report() -> str:
            return h.frr_report(sock, [address]) + h.vtysh(sock, "show rpki cache-connection")

        covering = re.compile(r"2001:610::\s+29 -\s+29\s+1103")

        def reapply_import_policy() -> None:
            """FRR 8.4 re-validates on a VRP change only the routes in its RIB: one its
            route-map denied stays denied until the import policy is run again from the
            Adj-RIB-In (``clear ... soft in``: no configuration change, nothing asked of
            the peer). The VRP change itself arrives live over RTR."""
            roa = re.compile(r"2001:610::\s+32 -\s+48\s+1103")
            h.wait_for(
                "FRR's RPKI table to get AS1103's /32 ROA from the cache",
                lambda: bool(roa.search(h.vtysh(sock, f"show rpki prefix {PREFIX}"))),
                LIVE_TIMEOUT,
                report,
            )
            h.vtysh(sock, "clear bgp ipv6 unicast * soft in")

        flip_and_follow(
            vrps,
            lambda: PREFIX in h.frr_routes(sock, address, received=False),
            lambda: PREFIX in h.frr_routes(sock, address, received=True),
            report,
            "FRR",
            server,
            reapply_import_policy,
            lambda: bool(covering.search(h.vtysh(sock, "show rpki prefix-table"))),
        )


def test_openbgpd_follows_the_rtr_cache_without_a_reload(
    daemons: None, procs: bh.Processes, tmp_path: Path, cache: tuple[Cache, StayRtr]
) -> None:
    vrps, server = cache
    address = "fd00:5e7:19::3"
    files = render(tmp_path / "rs", server.url, address, "openbgpd")
    assert re.search(r"\nrtr 127\.0\.0\.1 \{\n\tdescr .*\n\tport \d+\n\}", files["sets.conf"])
    assert "roa-set" not in files["sets.conf"] and "ovs invalid" in files["filters.conf"]
    vrps.serve(valid=False)

    port = bh.free_port("::1")
    folder = tmp_path / "bgpd"
    sock = folder / "bgpd.sock"
    with h.loopback_addresses([address]):
        speaker = h.start_speaker(procs, tmp_path / "gobgp", PEER, 214312, 19, address, port)
        h.announce(speaker, PREFIX, AsPath.parse(str(PEER)))
        h.start_openbgpd(procs, folder, h.openbgpd_lab(files, 214312, sock, port), sock)

        def report() -> str:
            return h.openbgpd_report(sock, [address]) + h.bgpctl(sock, "show", "rtr")

        flip_and_follow(
            vrps,
            lambda: PREFIX in h.openbgpd_routes(sock, address, received=False),
            lambda: PREFIX in h.openbgpd_routes(sock, address, received=True),
            report,
            "OpenBGPD",
            server,
        )


def test_explain_and_report_say_the_router_validates_live_from_the_cache(
    daemons: None, tmp_path: Path, cache: tuple[Cache, StayRtr]
) -> None:
    _, server = cache
    config, routes = synced(tmp_path / "rs", server.url, "::1")
    args = ("--config", str(config), "--routes", str(routes))

    explained = _cli("explain", *args, "--prefix", PREFIX)
    _cli("report", *args, "--html", str(tmp_path / "site"), "--no-save-run")
    page = html.unescape((tmp_path / "site" / "index.html").read_text(encoding="utf-8"))

    live = f"validates live against the RTR cache {server.url} (preference 1)"
    own = f"routesieve's verdicts used its own snapshot of the same cache ({server.url}): 19 VRPs"
    for text in (explained, page):
        assert live in text and own in text
        assert re.search(r"taken \S+, \d+ minutes old\.", text)
