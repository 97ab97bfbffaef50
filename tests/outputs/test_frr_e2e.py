"""End to end: a real FRR bgpd runs the rendered configuration, real GoBGP speakers send
it the example routes, and FRR accepts exactly what ``router_accepts`` predicts and keeps
every other route in its Adj-RIB-In (soft-reconfiguration inbound) without accepting it.

One exception that no configuration changes: FRR's AS_PATH parser treats a path with
AS 0 as a malformed attribute (RFC 7607) and the route as withdrawn, so such a route
never reaches the Adj-RIB-In; the test checks that it is neither received nor accepted.
AS_SET paths and a wrong first AS are kept visible because the rendered sessions do not
use ``bgp reject-as-sets`` or ``enforce-first-as`` (which would withdraw them the same
way); the route-maps deny them instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bird_harness as bh
import frr_openbgpd_harness as h
import pytest
from daemon_harness import ensure_daemons, frr_full
from test_bird_e2e import GUARD_CASES

from routesieve.model import AsPath
from routesieve.outputs.frr import render_frr

CONVERGE_TIMEOUT = 240  # generous: other daemon labs may load the 2 cores
ADDRESSES = {
    "bgpx-1": "fd00:5e7:f::11",
    "locix-1": "fd00:5e7:f::12",
    "locix-2": "fd00:5e7:f::21",
    "locix-rs": "fd00:5e7:f::31",
}


@pytest.fixture(scope="module")
def daemons() -> None:
    ensure_daemons()


@pytest.fixture
def procs() -> Iterator[bh.Processes]:
    running = bh.Processes()
    yield running
    running.stop()


def test_frr_accepts_exactly_what_the_verdicts_say(
    daemons: None, procs: bh.Processes, tmp_path: Path
) -> None:
    ex = bh.example(tmp_path / "example", ADDRESSES, h.EXTRA)
    rp = ex.policy
    plan = h.plan(rp, ex.verdicts, ex.routes)
    assert set(plan.sent) == set(ADDRESSES)
    h.check_plan(plan, ex.verdicts)

    files = render_frr(rp)
    files["sessions.conf"] = h.frr_lab_sessions(files["sessions.conf"], list(ADDRESSES.values()))
    port = bh.free_port("::1")
    with h.loopback_addresses(list(ADDRESSES.values())):
        speakers = {
            name: h.start_speaker(
                procs,
                tmp_path / f"gobgp-{name}",
                plan.peer_of[name],
                rp.local_asn,
                i,
                ADDRESSES[name],
                port,
            )
            for i, name in enumerate(ADDRESSES, start=1)
        }
        for name, routes in plan.sent.items():
            for route in routes:
                h.announce(speakers[name], str(route.prefix), route.as_path)
        sock = h.start_frr(procs, tmp_path / "frr", frr_full(files, rp.local_asn), port)

        def converged() -> bool:
            states = h.frr_states(sock)
            if any(states.get(a) != "Established" for a in ADDRESSES.values()):
                return False
            return all(
                len(h.frr_routes(sock, ADDRESSES[n], received=True))
                >= len({str(r.prefix) for r in plan.sent[n] if 0 not in r.as_path.asns()})
                for n in ADDRESSES
            )

        h.wait_for(
            "FRR to establish every session and receive every route",
            converged,
            CONVERGE_TIMEOUT,
            lambda: h.frr_report(sock, ADDRESSES.values()),
            list(speakers.values()),
        )
        for name, address in ADDRESSES.items():
            received = h.frr_routes(sock, address, received=True)
            accepted = h.frr_routes(sock, address, received=False)
            announced = {str(r.prefix) for r in plan.sent[name]}
            as_zero = {str(r.prefix) for r in plan.sent[name] if 0 in r.as_path.asns()}
            assert received == announced - as_zero, name
            assert accepted == plan.expect[name], name
            assert not as_zero & plan.expect[name], name


def test_frr_enforces_every_guard_test(daemons: None, procs: bh.Processes, tmp_path: Path) -> None:
    """Each route fails exactly one guard test, or passes them all (the BIRD test's
    cases): FRR accepts the controls only. The AS 0 route never arrives (see above)."""
    address = "fd00:5e7:f::99"
    rp = h.guard_policy(address)
    files = render_frr(rp)
    files["sessions.conf"] = h.frr_lab_sessions(files["sessions.conf"], [address])
    port = bh.free_port("::1")
    with h.loopback_addresses([address]):
        speaker = h.start_speaker(procs, tmp_path / "guard", 200000, rp.local_asn, 9, address, port)
        for prefix, path, _ in GUARD_CASES:
            h.announce(speaker, prefix, AsPath.parse(path))
        sock = h.start_frr(procs, tmp_path / "frr", frr_full(files, rp.local_asn), port)
        visible = {p for p, path, _ in GUARD_CASES if 0 not in AsPath.parse(path).asns()}
        h.wait_for(
            "every guard route received",
            lambda: len(h.frr_routes(sock, address, received=True)) >= len(visible),
            CONVERGE_TIMEOUT,
            lambda: h.frr_report(sock, [address]),
            [speaker],
        )
        assert h.frr_routes(sock, address, received=True) == visible
        assert h.frr_routes(sock, address, received=False) == {p for p, _, ok in GUARD_CASES if ok}
