"""``routesieve run`` deploying to a real OpenBGPD (``[run] openbgpd_dir``): bgpd's main
configuration includes the rendered files; a GoBGP speaker announces two routes; a ROA
added at a real StayRTR makes bgpd accept the second route without a restart (checked
with ``bgpd -n``, reloaded with ``bgpctl reload``); a configuration bgpd refuses is
rolled back (the previous files put back, bgpd keeps its filters) and the refusal is
counted; routes are read back from bgpd (``[[routers]] kind = "openbgpd"``)."""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import bird_harness as bh
import frr_openbgpd_harness as h
import pytest
from daemon_harness import ensure_daemons
from daemon_lab import free_port, wait_until
from rtr_lab import StayRtr, require_stayrtr, write_cache
from run_lab import LOCAL, PEER, head, roa, start_run, wait_for_refused_check

from routesieve.model import AsPath

ADDRESS = "fd00:5e7:b::71"
A = "2a0f:5700:100::/48"  # a ROA from the start
B = "2a0f:5700:200::/48"  # a ROA only later
WAIT = 120


@pytest.fixture
def procs() -> Iterator[bh.Processes]:
    running = bh.Processes()
    yield running
    running.stop()


def main_conf(folder: Path, sock: Path, port: int) -> str:
    """bgpd's own part (socket, listener, the lab's passive neighbour) around the
    rendered files, included in their order."""
    return (
        f'AS {LOCAL}\nrouter-id 192.0.2.1\nsocket "{sock}"\nlisten on ::1 port {port}\n'
        f'include "{folder / "sets.conf"}"\n'
        f'include "{folder / "sessions.conf"}"\n'
        f"neighbor {ADDRESS} {{\n\tremote-as {PEER}\n\tpassive\n\tenforce neighbor-as no\n"
        "\tannounce IPv6 unicast\n}\n"
        f'include "{folder / "filters.conf"}"\n'
    )


def test_run_deploys_to_openbgpd_and_rolls_back_a_refused_configuration(
    procs: bh.Processes, tmp_path: Path
) -> None:
    ensure_daemons()
    require_stayrtr()
    cache = tmp_path / "vrps.json"
    write_cache(cache, [roa(A)])
    stay = StayRtr(cache, tmp_path / "stayrtr.log", args=("-refresh", "1")).start()
    folder = tmp_path / "openbgpd"
    folder.mkdir()
    for name in ("sets.conf", "sessions.conf"):
        (folder / name).write_text("\n")
    (folder / "filters.conf").write_text("deny from any\n")  # until the first deploy
    sock = tmp_path / "bgpd.sock"
    port = bh.free_port("::1")
    metrics_port = free_port()
    conf = tmp_path / "routesieve.toml"
    conf.write_text(
        f"""{head(tmp_path, stay.url)}
[[routers]]
name = "edge"
kind = "openbgpd"
socket = "{sock}"

[run]
listen_metrics = "127.0.0.1:{metrics_port}"
poll_seconds = 1
jitter = 0.0
deploy_min_interval = 1
rtr_retry_seconds = 2
openbgpd_dir = "{folder}"
openbgpd_config = "{tmp_path / "bgpd" / "bgpd.conf"}"
openbgpd_socket = "{sock}"
max_shrink = 0.6
"""
    )
    try:
        with h.loopback_addresses([ADDRESS]):
            speaker = h.start_speaker(procs, tmp_path / "gobgp", PEER, LOCAL, 7, ADDRESS, port)
            for prefix in (A, B):
                h.announce(speaker, prefix, AsPath.sequence([PEER]))
            h.start_openbgpd(procs, tmp_path / "bgpd", main_conf(folder, sock, port), sock)
            wait_until(
                "both routes at bgpd",
                lambda: h.openbgpd_routes(sock, ADDRESS, received=True) == {A, B},
                WAIT,
            )
            assert h.openbgpd_routes(sock, ADDRESS, received=False) == set()

            run = start_run(procs, conf, tmp_path / "run.log")

            def accepted() -> set[str]:
                assert run.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
                return h.openbgpd_routes(sock, ADDRESS, received=False)

            wait_until("A accepted by bgpd", lambda: accepted() == {A}, WAIT)
            write_cache(cache, [roa(A), roa(B)])
            wait_until("B accepted after its ROA", lambda: accepted() == {A, B}, WAIT)
            deployed = (folder / "filters.conf").read_text()
            assert B in (folder / "sets.conf").read_text()

            # bgpd refuses the configuration: the previous files go back, bgpd keeps them
            main = tmp_path / "bgpd" / "bgpd.conf"
            good = main.read_text()
            main.write_text(good + "this is not bgpd syntax\n")
            write_cache(cache, [roa(A)])
            wait_for_refused_check(metrics_port, WAIT)
            assert (folder / "filters.conf").read_text() == deployed
            assert B in (folder / "sets.conf").read_text()
            assert accepted() == {A, B}
            assert "bgpd -n -f" in (tmp_path / "run.log").read_text()
            main.write_text(good)

            run.send_signal(signal.SIGTERM)
            assert run.wait(timeout=60) == 0
            done = subprocess.run(
                ["bgpd", "-n", "-f", str(main)], capture_output=True, text=True, timeout=60
            )
            assert done.returncode == 0, done.stderr
    finally:
        stay.stop()
