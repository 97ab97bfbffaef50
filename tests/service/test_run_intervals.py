"""``[run.intervals]``: ``run`` fetches each kind of source on its own timer; a kind not
due is read from its copy, a failing one keeps its last good copy. The sources are real
files (a real Team Cymru full-bogon list) served over HTTP on loopback; the service is
the real loop, stepped here."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from daemon_lab import free_port
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from routesieve.config import load_config
from routesieve.config.run_settings import IntervalSettings
from routesieve.config.sections import SourceSettings
from routesieve.service.loop import Service

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
FULL_BOGONS = DATA / "bogons" / "teamcymru_fullbogons-ipv4_20240310.txt"


def roa(prefix: str) -> dict[str, object]:
    return {"prefix": prefix, "maxLength": 48, "asn": "AS65010", "ta": "t"}


class _Files(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    failing: ClassVar[set[str]] = set()
    hits: ClassVar[Counter[str]] = Counter()

    def do_GET(self) -> None:
        _Files.hits[self.path] += 1
        body = _Files.files.get(self.path)
        if body is None or self.path in _Files.failing:
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def files() -> Iterator[str]:
    _Files.files.clear()
    _Files.failing.clear()
    _Files.hits.clear()
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def samples(service: Service) -> dict[tuple[str, str], float]:
    text = generate_latest(service.metrics.registry).decode()
    return {
        (s.name, s.labels.get("source", "")): s.value
        for f in text_string_to_metric_families(text)
        for s in f.samples
    }


def step_until(service: Service, what: str, check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        service.step()


def test_interval_keys_are_the_source_keys() -> None:
    assert set(IntervalSettings.model_fields) == set(SourceSettings.model_fields)


def test_only_due_kinds_are_fetched_and_a_failing_one_keeps_its_last_good_copy(
    tmp_path: Path, files: str
) -> None:
    _Files.files["/vrps.json"] = json.dumps({"roas": [roa("2a0f:5700:100::/48")]}).encode()
    _Files.files["/fullbogons.txt"] = FULL_BOGONS.read_bytes()
    conf = tmp_path / "routesieve.toml"
    conf.write_text(
        f"""
[local]
asn = 214312
families = ["ipv4", "ipv6"]

[[peers]]
asn = 65010
sessions = [{{ name = "peer1" }}]

[sources]
rpki = "{files}/vrps.json"
full_bogons = "{files}/fullbogons.txt"

[sync]
folder = "{tmp_path / "state"}"

[run]
listen_metrics = "127.0.0.1:{free_port()}"
jitter = 0.0

[run.intervals]
rpki = 0.5
full_bogons = 3600
"""
    )
    service = Service(load_config(conf))
    service.start()
    try:
        assert service.live is not None
        live = service.live
        assert _Files.hits == {"/vrps.json": 1, "/fullbogons.txt": 1}
        bogons_at_start = samples(service)[("routesieve_source_items", "full_bogons")]
        assert bogons_at_start > 100

        # a new VRP at the source: taken at the next rpki turn, without a restart
        _Files.files["/vrps.json"] = json.dumps(
            {"roas": [roa("2a0f:5700:100::/48"), roa("2a0f:5700:200::/48")]}
        ).encode()
        step_until(service, "the second VRP", lambda: live.vrp_count == 2, 60)
        assert samples(service)[("routesieve_source_items", "rpki")] == 2
        assert _Files.hits["/fullbogons.txt"] == 1  # not due: read from its copy
        notes = {p.kind: p.note for p in service.live.snapshot().provenance}
        assert "full_bogons" not in notes or "fetched" in notes["full_bogons"]

        # the rpki source fails: the last good copy stays in use, marked stale
        _Files.failing.add("/vrps.json")
        step_until(
            service,
            "rpki stale",
            lambda: samples(service).get(("routesieve_source_stale", "rpki")) == 1,
            60,
        )
        fails = _Files.hits["/vrps.json"]
        step_until(service, "another failing turn", lambda: _Files.hits["/vrps.json"] > fails, 60)
        service.step()
        assert service.live.vrp_count == 2
        assert samples(service)[("routesieve_source_items", "rpki")] == 2
        assert samples(service)[("routesieve_source_stale", "full_bogons")] == 0
        assert _Files.hits["/fullbogons.txt"] == 1
    finally:
        service.stop()
