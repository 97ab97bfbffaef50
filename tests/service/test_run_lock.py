"""``routesieve run`` holds the state folder's lock for its whole life: a ``sync`` on the
same folder gives up naming run's pid, a second ``run`` refuses at start; once run has
stopped, ``sync`` works again. Real processes, a real lock."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

from daemon_lab import free_port, wait_until

ROUTESIEVE = str(Path(sys.executable).parent / "routesieve")
ROA = {"prefix": "2a0f:5700:100::/48", "maxLength": 48, "asn": "AS65010", "ta": "t"}


def config(tmp_path: Path) -> Path:
    (tmp_path / "vrps.json").write_text(json.dumps({"roas": [ROA]}))
    path = tmp_path / "routesieve.toml"
    path.write_text(
        f"""
[local]
asn = 214312
families = ["ipv6"]

[[peers]]
asn = 65010
sessions = [{{ name = "peer1" }}]

[sources]
rpki = "vrps.json"

[sync]
folder = "{tmp_path / "state"}"

[run]
listen_metrics = "127.0.0.1:{free_port()}"
"""
    )
    return path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ROUTESIEVE, *args], capture_output=True, text=True, timeout=120)


def start_run(conf: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        run = subprocess.Popen([ROUTESIEVE, "run", "--config", str(conf)], stderr=out)
    wait_until("run started", lambda: run.poll() is not None or "running:" in log.read_text(), 120)
    assert run.poll() is None, log.read_text()
    return run, log


def test_sync_and_a_second_run_are_refused_while_run_holds_the_state_folder(
    tmp_path: Path,
) -> None:
    conf = config(tmp_path)
    run, log = start_run(conf, tmp_path)
    try:
        sync = cli("sync", "--config", str(conf), "--wait", "0")
        assert sync.returncode == 1, sync.stderr
        assert f"pid {run.pid}" in sync.stderr and "routesieve run" in sync.stderr

        started = time.monotonic()
        waited = cli("sync", "--config", str(conf), "--wait", "1.5")
        assert waited.returncode == 1
        assert time.monotonic() - started >= 1.5
        assert "waiting up to 1.5 s" in waited.stderr and f"pid {run.pid}" in waited.stderr

        second = cli("run", "--config", str(conf))
        assert second.returncode == 1, second.stderr
        assert "cannot run" in second.stderr and f"pid {run.pid}" in second.stderr
        assert run.poll() is None, "the refused second run must not disturb the first"
    finally:
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 0, log.read_text()[-2000:]

    after = cli("sync", "--config", str(conf), "--wait", "0")
    assert after.returncode == 0, after.stderr


def test_a_reload_that_moves_the_state_folder_is_refused(tmp_path: Path) -> None:
    conf = config(tmp_path)
    run, log = start_run(conf, tmp_path)
    try:
        conf.write_text(conf.read_text().replace('/state"', '/elsewhere"'))
        run.send_signal(signal.SIGHUP)
        wait_until("the reload refused", lambda: "folder changed" in log.read_text(), 60)
        assert not (tmp_path / "elsewhere").exists()
        sync = cli("sync", "--config", str(conf), "--wait", "0")
        # the new folder is free, but the old one is still held by run
        assert sync.returncode == 0, sync.stderr
        conf.write_text(conf.read_text().replace('/elsewhere"', '/state"'))
        held = cli("sync", "--config", str(conf), "--wait", "0")
        assert held.returncode == 1 and f"pid {run.pid}" in held.stderr
    finally:
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 0, log.read_text()[-2000:]
