"""``routesieve run`` deploying to a real FRR (``[run] frr_config``): FRR's bgpd (no
zebra) runs from a whole ``frr.conf`` in a temp folder; a GoBGP speaker announces two
routes; a ROA added at a real StayRTR makes FRR accept the second route, and its removal
takes the prefix out of FRR's running configuration again (``frr-reload.py --reload``
applies the difference, ``vtysh -f`` could not); a configuration FRR refuses
(``frr-reload.py --test``) is counted as check_failed, the previous file goes back and
FRR keeps working."""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import bird_harness as bh
import frr_openbgpd_harness as h
import pytest
from daemon_harness import ensure_daemons
from daemon_lab import free_port, wait_until
from rtr_lab import StayRtr, require_stayrtr, write_cache
from run_lab import LOCAL, PEER, roa, start_run, wait_for_refused_check

from routesieve.model import AsPath
from routesieve.outputs.deploy_frr import LOCAL as LOCAL_PART
from routesieve.outputs.deploy_frr import RELOAD

ADDRESS = "fd00:5e7:b::72"
A = "2a0f:5700:100::/48"  # a ROA from the start
B = "2a0f:5700:200::/48"  # a ROA only later
WAIT = 180


@pytest.fixture
def procs() -> Iterator[bh.Processes]:
    running = bh.Processes()
    yield running
    running.stop()


def local_part() -> str:
    """The operator's own lines: what bgpd needs that routesieve does not render (no
    zebra, a router-id, the lab's neighbour passive: the speaker connects)."""
    return (
        f"hostname {socket.gethostname()}\nbgp no-rib\n"
        f"router bgp {LOCAL}\n bgp router-id 192.0.2.1\n"
        f" neighbor {ADDRESS} remote-as {PEER}\n neighbor {ADDRESS} passive\nexit\n"
    )


def first_conf() -> str:
    """Before the first deploy: the session up, every route denied."""
    return (
        local_part()
        + "route-map lab_deny deny 10\nexit\n"
        + f"router bgp {LOCAL}\n address-family ipv6 unicast\n"
        f"  neighbor {ADDRESS} activate\n  neighbor {ADDRESS} soft-reconfiguration inbound\n"
        f"  neighbor {ADDRESS} route-map lab_deny in\n exit-address-family\nexit\n"
    )


def test_run_deploys_to_frr_takes_a_prefix_out_and_rolls_back_a_refused_configuration(
    procs: bh.Processes, tmp_path: Path
) -> None:
    ensure_daemons()
    require_stayrtr()
    if not RELOAD.exists():
        pytest.skip(f"{RELOAD} missing (Debian package frr-pythontools)")
    cache = tmp_path / "vrps.json"
    write_cache(cache, [roa(A)])
    stay = StayRtr(cache, tmp_path / "stayrtr.log", args=("-refresh", "1")).start()
    folder = tmp_path / "frr"
    folder.mkdir()
    (folder / LOCAL_PART).write_text(local_part())
    port = bh.free_port("::1")
    metrics_port = free_port()
    conf = tmp_path / "routesieve.toml"
    conf.write_text(
        f"""
[local]
asn = {LOCAL}
families = ["ipv6"]

[[peers]]
asn = {PEER}
sessions = [{{ name = "peer1", neighbor = "{ADDRESS}" }}]

[sources]
rpki = "{stay.url}"

[sync]
folder = "{tmp_path / "state"}"

[[routers]]
name = "edge"
kind = "frr"
vty_socket = "{folder}"

[run]
listen_metrics = "127.0.0.1:{metrics_port}"
poll_seconds = 1
jitter = 0.0
deploy_min_interval = 1
rtr_retry_seconds = 2
frr_config = "{folder / "frr.conf"}"
frr_vty_socket = "{folder}"
max_shrink = 0.6
"""
    )
    try:
        with h.loopback_addresses([ADDRESS]):
            speaker = h.start_speaker(procs, tmp_path / "gobgp", PEER, LOCAL, 7, ADDRESS, port)
            for prefix in (A, B):
                h.announce(speaker, prefix, AsPath.sequence([PEER]))
            sock = h.start_frr(procs, folder, first_conf(), port)
            wait_until(
                "both routes received by FRR",
                lambda: h.frr_routes(sock, ADDRESS, received=True) == {A, B},
                WAIT,
            )
            assert h.frr_routes(sock, ADDRESS, received=False) == set()

            run = start_run(procs, conf, tmp_path / "run.log")

            def accepted() -> set[str]:
                assert run.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
                data = h.vtysh_json(sock, "show bgp ipv6 unicast json")
                return set(data.get("routes", {}))

            def running() -> str:
                return h.vtysh(sock, "show running-config")

            wait_until("A accepted by FRR", lambda: accepted() == {A}, WAIT)
            assert "lab_deny" not in running()  # the whole file replaced the first one
            write_cache(cache, [roa(A), roa(B)])
            wait_until("B accepted after its ROA", lambda: accepted() == {A, B}, WAIT)
            assert B in running()

            write_cache(cache, [roa(A)])
            wait_until("B rejected after its ROA is gone", lambda: accepted() == {A}, WAIT)
            assert B not in running()  # the prefix really left FRR's running configuration
            assert A in running()
            assert h.frr_routes(sock, ADDRESS, received=True) == {A, B}
            deployed = (folder / "frr.conf").read_text()

            # FRR refuses the configuration: the previous file goes back, FRR keeps it
            local = folder / LOCAL_PART
            local.write_text(local_part() + "this is not frr syntax\n")
            write_cache(cache, [roa(A), roa(B)])
            wait_for_refused_check(metrics_port, WAIT)
            assert (folder / "frr.conf").read_text() == deployed
            assert accepted() == {A}
            assert h.frr_states(sock).get(ADDRESS) == "Established"
            assert "frr-reload.py --test" in (tmp_path / "run.log").read_text()

            run.send_signal(signal.SIGTERM)
            assert run.wait(timeout=60) == 0
    finally:
        stay.stop()
