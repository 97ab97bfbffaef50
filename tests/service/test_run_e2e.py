"""End to end: a real StayRTR, a real BIRD 2 with a GoBGP peer, and ``routesieve run``.

A ROA added at the cache makes BIRD accept a route it rejected, without a restart; the
ROA removed rejects it again; a withdrawal that would empty the peer's accept list is
refused and notified, and the re-announced route is accepted again; a broken
configuration on SIGHUP is refused while the old one keeps working; a killed StayRTR
leaves the last good VRPs in use and raises the stale metric.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import bird_harness as h
import httpx
import pytest
from daemon_lab import free_port, start_bird, wait_until
from prometheus_client.parser import text_string_to_metric_families
from rtr_lab import StayRtr, require_stayrtr, write_cache

from routesieve.model import AsPath

PEER = 65010
LOCAL = 214312
A = "2a0f:5700:100::/48"  # a ROA from the start: accepted by 4.1
B = "2a0f:5700:200::/48"  # no ROA at first: rule 5, filtered in BIRD
WAIT = 120  # generous: other helpers load the machine


def roa(prefix: str) -> dict[str, object]:
    return {"prefix": prefix, "maxLength": 48, "asn": f"AS{PEER}", "ta": "lab"}


def config_text(root: Path, rtr: str, bird_sock: Path, metrics: int, extra: str = "") -> str:
    notify = [
        sys.executable,
        "-c",
        f"import sys; open({str(root / 'notify.jsonl')!r}, 'a').write(sys.stdin.read() + '\\n')",
    ]
    return f"""
[local]
asn = {LOCAL}
families = ["ipv6"]

[[peers]]
asn = {PEER}
sessions = [{{ name = "peer1" }}]

[sources]
rpki = "{rtr}"

[sync]
folder = "{root / "state"}"

[[routers]]
name = "edge"
kind = "bird"
socket = "{bird_sock}"

[run]
listen_metrics = "127.0.0.1:{metrics}"
poll_seconds = 1
jitter = 0.0
deploy_min_interval = 1
rtr_retry_seconds = 2
bird_dir = "{root / "bird"}"
bird_config = "{root / "bird" / "bird.conf"}"
bird_socket = "{bird_sock}"
max_shrink = 0.6
full_check_seconds = 2
{extra}

[[run.notify]]
command = {json.dumps(notify)}
"""


@pytest.fixture
def procs() -> Iterator[h.Processes]:
    h.require_daemons()
    require_stayrtr()
    running = h.Processes()
    yield running
    running.stop()


def metrics(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_run_follows_roas_and_routes_into_bird(procs: h.Processes, tmp_path: Path) -> None:
    cache = tmp_path / "vrps.json"
    write_cache(cache, [roa(A)])
    stay = StayRtr(cache, tmp_path / "stayrtr.log", args=("-refresh", "1")).start()
    try:
        _scenario(procs, tmp_path, cache, stay)
    finally:
        stay.stop()


def _scenario(procs: h.Processes, root: Path, cache: Path, stay: StayRtr) -> None:
    speaker = h.start_speaker(procs, root / "gobgp", PEER, LOCAL, 11)
    bird_dir = root / "bird"
    bird_dir.mkdir()
    (bird_dir / "routesieve-filters.conf").write_text(
        f"filter peer_as{PEER}_in {{ reject; }}\n"  # until the first deploy
    )
    bird_port = free_port("::1")
    (bird_dir / "bird.conf").write_text(
        f"""router id 10.255.255.1;
protocol device {{}}
include "{bird_dir / "routesieve-filters.conf"}";
protocol bgp peer1 {{
  local ::1 port {bird_port} as {LOCAL};
  neighbor ::1 port {speaker.port} as {PEER};
  multihop;
  ipv6 {{ import keep filtered on; import filter peer_as{PEER}_in; export none; }};
}}
"""
    )
    sock = start_bird(procs, bird_dir / "bird.conf", root)
    h.announce(speaker, A, AsPath.sequence([PEER]))
    h.announce(speaker, B, AsPath.sequence([PEER]))
    wait_until(
        "both routes at BIRD",
        lambda: {A, B} <= h.routes_of(sock, "peer1", False) | h.routes_of(sock, "peer1", True),
        WAIT,
    )
    port = free_port()
    conf = root / "routesieve.toml"
    conf.write_text(config_text(root, stay.url, sock, port))
    run = procs.start(
        [str(Path(sys.executable).parent / "routesieve"), "run", "--config", str(conf)],
        root / "run.log",
    )

    def accepted() -> set[str]:
        assert run.poll() is None, (root / "run.log").read_text()[-3000:]
        return h.routes_of(sock, "peer1", False)

    # the first deploy: A accepted (ROA), B filtered
    wait_until("A accepted, B not", lambda: accepted() == {A}, WAIT)

    # a ROA for B at the cache: BIRD accepts B, no restart
    write_cache(cache, [roa(A), roa(B)])
    wait_until("B accepted after its ROA", lambda: accepted() == {A, B}, WAIT)
    # and removed: B rejected again
    write_cache(cache, [roa(A)])
    wait_until("B rejected after its ROA went", lambda: accepted() == {A}, WAIT)

    # GoBGP withdraws A: the list would be emptied, so the deploy is refused and told
    notified = root / "notify.jsonl"
    subprocess.run(
        ["gobgp", "-p", str(speaker.feeder_api), "global", "rib", "del", "-a", "ipv6", A],
        check=True,
        timeout=60,
    )
    wait_until(
        "the refused deploy notified",
        lambda: notified.exists() and '"deploy_refused"' in notified.read_text(),
        WAIT,
    )
    refusal = next(
        json.loads(line) for line in notified.read_text().splitlines() if '"deploy_refused"' in line
    )
    assert any("to none" in r for r in refusal["reasons"])
    m = metrics(port)
    assert m[("routesieve_deploys_refused_total", (("reason", "emptied"),))] >= 1
    lost = [
        json.loads(line) for line in notified.read_text().splitlines() if "verdicts_changed" in line
    ]
    assert any(A in json.dumps(e["peers"]) and "lost" in json.dumps(e) for e in lost)
    # re-announced: accepted again (the deployed filter still lists it)
    h.announce(speaker, A, AsPath.sequence([PEER]))
    wait_until("A accepted again", lambda: accepted() == {A}, WAIT)

    # a broken configuration on SIGHUP is refused; the old one keeps working
    good = conf.read_text()
    conf.write_text(good + "\n[run.nonsense]\n")
    run.send_signal(signal.SIGHUP)
    wait_until(
        "the refused reload counted",
        lambda: (
            metrics(port).get(("routesieve_config_reloads_total", (("result", "refused"),))) == 1
        ),
        WAIT,
    )
    conf.write_text(good)
    write_cache(cache, [roa(A), roa(B)])
    wait_until("B accepted with the old configuration", lambda: accepted() == {A, B}, WAIT)

    # StayRTR killed: the last good VRPs stay, the source is stale
    stay.stop()
    wait_until(
        "the stale metric",
        lambda: metrics(port).get(("routesieve_source_stale", (("source", "rpki"),))) == 1,
        WAIT,
    )
    time.sleep(3)
    assert accepted() == {A, B}
    m = metrics(port)
    assert m[("routesieve_deploys_total", ())] >= 3
    assert m[("routesieve_incremental_mismatches_total", ())] == 0
    assert m[("routesieve_verdicts", (("peer", str(PEER)), ("rule", "4.1")))] == 2
    assert m[("routesieve_change_to_reload_seconds_count", ())] >= 3
    assert m[("routesieve_full_checks_total", ())] >= 1

    # SIGTERM stops cleanly
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 0
    assert "stopped" in (root / "run.log").read_text()

    # every change of verdicts left a run: diff compares the first and the last
    runs = sorted((root / "state" / "runs").glob("*"))
    assert len(runs) >= 2
    diff = subprocess.run(
        [str(Path(sys.executable).parent / "routesieve"), "diff", str(runs[0]), str(runs[-1])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert diff.returncode == 0 and B in diff.stdout, diff.stdout + diff.stderr

    # restarted with the cache still down: the stored copy of the VRPs comes back
    run = procs.start(
        [str(Path(sys.executable).parent / "routesieve"), "run", "--config", str(conf)],
        root / "run2.log",
    )
    wait_until(
        "the restarted service serving metrics",
        lambda: _metrics_or_none(port) is not None,
        WAIT,
    )
    wait_until(
        "stale after the restart",
        lambda: (
            (_metrics_or_none(port) or {}).get(("routesieve_source_stale", (("source", "rpki"),)))
            == 1
        ),
        WAIT,
    )
    time.sleep(3)
    assert accepted() == {A, B}
    assert (_metrics_or_none(port) or {}).get(
        ("routesieve_source_items", (("source", "rpki"),))
    ) == 2
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 0


def _metrics_or_none(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
    try:
        return metrics(port)
    except httpx.HTTPError:
        return None
