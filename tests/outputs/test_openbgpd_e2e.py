"""End to end: a real OpenBGPD 7.7 runs the rendered configuration, real GoBGP speakers
send it the example routes, and bgpd accepts exactly what ``router_accepts`` predicts and
keeps every other route in its unfiltered Adj-RIB-In (``bgpctl show rib in``).

AS_SET paths (``reject as-set yes``) and paths with AS 0 (RFC 7607) are treated as
withdrawn by bgpd, but it keeps them in the Adj-RIB-In flagged ``E`` (error), so step 2
still sees them: the test checks that they are received and not accepted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bird_harness as bh
import frr_openbgpd_harness as h
import pytest
from daemon_harness import ensure_daemons
from test_bird_e2e import GUARD_CASES

from routesieve.model import AsPath
from routesieve.outputs.openbgpd import render_openbgpd

CONVERGE_TIMEOUT = 240  # generous: other daemon labs may load the 2 cores
ADDRESSES = {
    "bgpx-1": "fd00:5e7:b::11",
    "locix-1": "fd00:5e7:b::12",
    "locix-2": "fd00:5e7:b::21",
    "locix-rs": "fd00:5e7:b::31",
}


@pytest.fixture(scope="module")
def daemons() -> None:
    ensure_daemons()


@pytest.fixture
def procs() -> Iterator[bh.Processes]:
    running = bh.Processes()
    yield running
    running.stop()


def test_openbgpd_accepts_exactly_what_the_verdicts_say(
    daemons: None, procs: bh.Processes, tmp_path: Path
) -> None:
    ex = bh.example(tmp_path / "example", ADDRESSES, h.EXTRA)
    rp = ex.policy
    plan = h.plan(rp, ex.verdicts, ex.routes)
    assert set(plan.sent) == set(ADDRESSES)
    h.check_plan(plan, ex.verdicts)

    port = bh.free_port("::1")
    folder = tmp_path / "openbgpd"
    sock = folder / "bgpd.sock"
    conf = h.openbgpd_lab(render_openbgpd(rp), rp.local_asn, sock, port)
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
        h.start_openbgpd(procs, folder, conf, sock)

        def converged() -> bool:
            states = h.openbgpd_states(sock)
            if any(states.get(a) != "Established" for a in ADDRESSES.values()):
                return False
            return all(
                len(h.openbgpd_routes(sock, ADDRESSES[n], received=True))
                >= len({str(r.prefix) for r in plan.sent[n]})
                for n in ADDRESSES
            )

        h.wait_for(
            "bgpd to establish every session and receive every route",
            converged,
            CONVERGE_TIMEOUT,
            lambda: h.openbgpd_report(sock, ADDRESSES.values()),
            list(speakers.values()),
        )
        for name, address in ADDRESSES.items():
            received = h.openbgpd_routes(sock, address, received=True)
            accepted = h.openbgpd_routes(sock, address, received=False)
            assert received == {str(r.prefix) for r in plan.sent[name]}, name
            assert accepted == plan.expect[name], name


def test_openbgpd_enforces_every_guard_test(
    daemons: None, procs: bh.Processes, tmp_path: Path
) -> None:
    """Each route fails exactly one guard test, or passes them all (the BIRD test's
    cases): bgpd accepts the controls only, and keeps every route in its Adj-RIB-In."""
    address = "fd00:5e7:b::99"
    rp = h.guard_policy(address)
    port = bh.free_port("::1")
    folder = tmp_path / "openbgpd"
    sock = folder / "bgpd.sock"
    conf = h.openbgpd_lab(render_openbgpd(rp), rp.local_asn, sock, port)
    with h.loopback_addresses([address]):
        speaker = h.start_speaker(procs, tmp_path / "guard", 200000, rp.local_asn, 9, address, port)
        for prefix, path, _ in GUARD_CASES:
            h.announce(speaker, prefix, AsPath.parse(path))
        h.start_openbgpd(procs, folder, conf, sock)
        h.wait_for(
            "every guard route received",
            lambda: len(h.openbgpd_routes(sock, address, received=True)) >= len(GUARD_CASES),
            CONVERGE_TIMEOUT,
            lambda: h.openbgpd_report(sock, [address]),
            [speaker],
        )
        assert h.openbgpd_routes(sock, address, received=True) == {p for p, _, _ in GUARD_CASES}
        accepted = h.openbgpd_routes(sock, address, received=False)
        assert accepted == {p for p, _, ok in GUARD_CASES if ok}
