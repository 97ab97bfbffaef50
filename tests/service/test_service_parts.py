"""The parts of ``routesieve run`` that need no daemon: the [run] settings, the webhook,
the safety net that compares the incremental state with a full evaluation."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from daemon_lab import free_port
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from routesieve.config import ConfigError, load_config
from routesieve.config.run_settings import NotifySettings
from routesieve.service.loop import Service
from routesieve.service.notify import Notifier

BASE = """
[local]
asn = 214312
families = ["ipv6"]

[[peers]]
asn = 65010
sessions = [{ name = "peer1" }]

[sources]
rpki = "vrps.json"
"""
ROA = {"prefix": "2a0f:5700:100::/48", "maxLength": 48, "asn": "AS65010", "ta": "t"}


def write(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "vrps.json").write_text(json.dumps({"roas": [ROA]}))
    path = tmp_path / "routesieve.toml"
    path.write_text(BASE + extra)
    return path


def test_bad_run_settings_are_refused_naming_the_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[run]\nlisten_metrics = "nowhere"\njitter = 2.0\n[[run.notify]]\nurl = "ftp://x"\n',
    )
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    text = str(refused.value)
    assert "run.listen_metrics" in text and "not host:port" in text
    assert "run.jitter" in text
    assert "run.notify[0].url" in text and "not an http" in text


class _Receiver(BaseHTTPRequestHandler):
    got: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        _Receiver.got.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_webhook_gets_the_event_as_json_and_a_dead_one_is_not_fatal(receiver: str) -> None:
    _Receiver.got.clear()
    dead = f"http://127.0.0.1:{free_port()}/nobody"
    Notifier([NotifySettings(url=dead, timeout_seconds=2), NotifySettings(url=receiver)]).send(
        {"event": "deploy_refused", "reasons": ["AS65010: ... to none"]}
    )
    assert _Receiver.got == [{"event": "deploy_refused", "reasons": ["AS65010: ... to none"]}]


def test_full_check_counts_a_verdict_the_incremental_state_got_wrong(tmp_path: Path) -> None:
    port = free_port()
    config = load_config(write(tmp_path, f'[run]\nlisten_metrics = "127.0.0.1:{port}"\n'))
    service = Service(config)
    service.start()
    try:
        assert service.live is not None
        from routesieve.model import AsPath, Prefix, Route

        route = Route(65010, Prefix.parse("2a0f:5700:100::/48"), AsPath.sequence([65010]), "peer1")
        service.live.announce([route])
        assert service.check_full() == 0
        merged = next(iter(service.live._merged.values()))  # break the state on purpose
        assert merged.verdict is not None
        merged.verdict = merged.verdict._replace(rule="5")
        assert service.check_full() == 1
        text = generate_latest(service.metrics.registry).decode()
        samples = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}
        assert samples["routesieve_incremental_mismatches_total"] == 1
        assert samples["routesieve_full_checks_total"] == 2
        assert samples["routesieve_source_items"] == 1  # the one VRP of the file
    finally:
        service.stop()


def test_a_bird_folder_without_the_main_configuration_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[run]\nbird_dir = "bird"\n')
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert "run" in str(refused.value) and "bird_dir needs bird_config" in str(refused.value)


def test_an_openbgpd_folder_without_the_main_configuration_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, '[run]\nopenbgpd_dir = "bgpd"\n')
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert "openbgpd_dir needs openbgpd_config" in str(refused.value)
