"""End to end: a real StayRTR, a real BIRD 2 with a GoBGP peer, and ``routesieve run``.

A ROA added at the cache makes BIRD accept a route it rejected, without a restart; the
ROA removed rejects it again; a withdrawal that would empty the peer's accept list is
refused and notified, and the re-announced route is accepted again; a broken
configuration on SIGHUP is refused while the old one keeps working; a killed StayRTR
leaves the last good VRPs in use and raises the stale metric; a restart with the cache
still down comes back with those VRPs.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from subprocess import Popen

import bird_harness as h
import pytest
from daemon_lab import wait_until
from run_lab import PEER, WAIT, Lab, start_lab

A = "2a0f:5700:100::/48"  # a ROA from the start: accepted by 4.1
B = "2a0f:5700:200::/48"  # no ROA at first: rule 5, filtered in BIRD


@pytest.fixture
def procs() -> Iterator[h.Processes]:
    running = h.Processes()
    yield running
    running.stop()


def test_run_follows_roas_and_routes_into_bird(procs: h.Processes, tmp_path: Path) -> None:
    lab = start_lab(procs, tmp_path, [A], [A, B])
    try:
        _scenario(lab)
    finally:
        lab.stay.stop()


def _accepted(lab: Lab, run: Popen[bytes], log: str = "run.log") -> set[str]:
    assert run.poll() is None, (lab.root / log).read_text()[-3000:]
    return lab.accepted()


def _scenario(lab: Lab) -> None:
    run = lab.start_run()

    def accepted() -> set[str]:
        return _accepted(lab, run)

    # the first deploy: A accepted (ROA), B filtered
    wait_until("A accepted, B not", lambda: accepted() == {A}, WAIT)

    # a ROA for B at the cache: BIRD accepts B, no restart
    lab.set_roas([A, B])
    wait_until("B accepted after its ROA", lambda: accepted() == {A, B}, WAIT)
    # and removed: B rejected again
    lab.set_roas([A])
    wait_until("B rejected after its ROA went", lambda: accepted() == {A}, WAIT)

    # GoBGP withdraws A: the list would be emptied, so the deploy is refused and told
    notified = lab.root / "notify.jsonl"
    subprocess.run(
        ["gobgp", "-p", str(lab.speaker.feeder_api), "global", "rib", "del", "-a", "ipv6", A],
        check=True,
        timeout=60,
    )
    wait_until(
        "the refused deploy notified",
        lambda: notified.exists() and '"deploy_refused"' in notified.read_text(),
        WAIT,
    )
    events = [json.loads(line) for line in notified.read_text().splitlines() if line.strip()]
    refusal = next(e for e in events if e["event"] == "deploy_refused")
    assert any("to none" in r for r in refusal["reasons"])
    assert lab.metrics()[("routesieve_deploys_refused_total", (("reason", "emptied"),))] >= 1
    lost = [
        p
        for e in events
        if e["event"] == "verdicts_changed"
        for p in e["peers"]
        if p["asn"] == PEER and any(x["prefix"] == A for x in p["lost"])
    ]
    assert lost, events
    # re-announced: accepted again (the deployed filter still lists it)
    lab.announce(A)
    wait_until("A accepted again", lambda: accepted() == {A}, WAIT)

    # a broken configuration on SIGHUP is refused; the old one keeps working
    good = lab.conf.read_text()
    lab.conf.write_text(good + "\n[run.nonsense]\n")
    run.send_signal(signal.SIGHUP)
    wait_until(
        "the refused reload counted",
        lambda: (
            lab.metrics().get(("routesieve_config_reloads_total", (("result", "refused"),))) == 1
        ),
        WAIT,
    )
    lab.conf.write_text(good)
    lab.set_roas([A, B])
    wait_until("B accepted with the old configuration", lambda: accepted() == {A, B}, WAIT)

    # StayRTR killed: the last good VRPs stay, the source is stale
    lab.stay.stop()
    wait_until(
        "the stale metric",
        lambda: lab.metrics().get(("routesieve_source_stale", (("source", "rpki"),))) == 1,
        WAIT,
    )
    time.sleep(3)
    assert accepted() == {A, B}
    events = [json.loads(line) for line in notified.read_text().splitlines() if line.strip()]
    assert any(e["event"] == "source_stale" and e["source"] == "rpki" for e in events)
    gained = [
        x
        for e in events
        if e["event"] == "verdicts_changed"
        for p in e["peers"]
        for x in p["gained"]
        if x["prefix"] == B
    ]
    assert gained and gained[0]["rule"] == "4.1", events
    m = lab.metrics()
    assert m[("routesieve_deploys_total", ())] >= 3
    assert m[("routesieve_full_checks_total", ())] >= 1
    assert m[("routesieve_incremental_mismatches_total", ())] == 0
    assert m[("routesieve_verdicts", (("peer", str(PEER)), ("rule", "4.1")))] == 2
    assert m[("routesieve_change_to_reload_seconds_count", ())] >= 3

    # SIGTERM stops cleanly
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 0
    assert "stopped" in (lab.root / "run.log").read_text()

    # every change of verdicts left a run: diff compares the first and the last
    runs = sorted((lab.root / "state" / "runs").glob("*"))
    assert len(runs) >= 2
    diff = subprocess.run(
        [str(Path(sys.executable).parent / "routesieve"), "diff", str(runs[0]), str(runs[-1])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert diff.returncode == 0 and B in diff.stdout, diff.stdout + diff.stderr

    # restarted with the cache still down: the saved VRPs come back, nothing shrinks
    run = lab.start_run("run2.log")
    wait_until(
        "stale after the restart",
        lambda: (
            (lab.metrics_or_none() or {}).get(("routesieve_source_stale", (("source", "rpki"),)))
            == 1
        ),
        WAIT,
    )
    time.sleep(3)
    assert _accepted(lab, run, "run2.log") == {A, B}
    assert lab.metrics()[("routesieve_source_items", (("source", "rpki"),))] == 2
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 0
