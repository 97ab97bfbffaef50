"""``[run] listen_web``: ``run`` serves ``serve``'s API, report pages and peering form
from its live state. End to end with a real StayRTR, BIRD and GoBGP: a ROA added at
the cache turns a route accepted in ``/api/v1`` without a restart, and removed, rejected
again; the report pages follow; the limits of ``[serve]`` apply (an unknown Host is
refused)."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import bird_harness as h
import httpx
import pytest
from daemon_lab import free_port, wait_until
from run_lab import PEER, WAIT, start_lab

A = "2a0f:5700:100::/48"  # a ROA from the start: accepted by 4.1
B = "2a0f:5700:200::/48"  # no ROA at first: rejected, rule 5


@pytest.fixture
def procs() -> Iterator[h.Processes]:
    running = h.Processes()
    yield running
    running.stop()


def verdicts(base: str) -> dict[str, tuple[str, str]]:
    """prefix -> (verdict, rule) as ``/api/v1/peers/{asn}/routes`` answers it now; {}
    while the service is still starting (not listening yet, or 503)."""
    try:
        got = httpx.get(f"{base}/api/v1/peers/{PEER}/routes", timeout=30)
    except httpx.ConnectError:  # not listening yet
        return {}
    if got.status_code == 503:
        return {}
    assert got.status_code == 200, got.text
    rows: list[dict[str, Any]] = got.json()["routes"]
    return {r["prefix"]: (r["action"], r["rule"]) for r in rows}


def test_run_serves_verdicts_that_follow_a_roa_change_over_http(
    procs: h.Processes, tmp_path: Path
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    lab = start_lab(procs, tmp_path, [A], [A, B], web=port)
    run = lab.start_run()
    try:

        def now() -> dict[str, tuple[str, str]]:
            assert run.poll() is None, (lab.root / "run.log").read_text()[-3000:]
            return verdicts(base)

        wait_until("the first state served", lambda: now().get(B, ("", ""))[0] == "reject", WAIT)
        assert now()[A] == ("accept", "4.1")

        lab.set_roas([A, B])
        wait_until("B accepted in the API", lambda: now()[B] == ("accept", "4.1"), WAIT)
        page = httpx.get(f"{base}/", timeout=30)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        peers = httpx.get(f"{base}/api/v1/peers", timeout=30).json()
        assert any(p["asn"] == PEER and p["accepted"] == 2 for p in peers["peers"]), peers

        lab.set_roas([A])
        wait_until("B rejected again in the API", lambda: now()[B][0] == "reject", WAIT)

        # the [serve] limits hold: a Host this server is not for is refused
        odd = httpx.get(f"{base}/api/v1/peers", headers={"host": "evil.example"}, timeout=30)
        assert odd.status_code == 421
        m = lab.metrics()
        assert m[("routesieve_web_builds_total", ())] >= 3
    finally:
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 0
        lab.stay.stop()
