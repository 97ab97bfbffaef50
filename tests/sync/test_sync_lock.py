"""One sync at a time per state folder, and sources fetched side by side: real
``routesieve sync`` processes against the local HTTP server."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from http_lab import HttpLab
from sync_helpers import run
from test_sync_cli import EXAMPLE, GENEROUS, ROUTES, example_with, served_example

from routesieve.store.snapshot_file import load_stored_snapshot
from routesieve.sync.lock import LOCK_NAME, StateLocked, state_lock

ROUTESIEVE = str(Path(sys.executable).parent / "routesieve")


def start_sync(config: Path, *extra: str, log: Path | None = None) -> subprocess.Popen[str]:
    """A ``routesieve sync`` process; its standard error goes to ``log`` when given."""
    args = [ROUTESIEVE, "sync", "--config", str(config), *extra]
    if log is None:
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with log.open("w") as err:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)


def wait_for_text(log: Path, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {log}: {log.read_text()!r}")


def wait_for_holder(lock: Path, pid: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lock.is_file() and lock.read_text().split("\n", 1)[0] == str(pid):
            return
        time.sleep(0.05)
    raise AssertionError(f"pid {pid} never took {lock}")


def test_second_sync_is_refused_or_waits_and_no_snapshot_is_damaged(
    lab: HttpLab, tmp_path: Path
) -> None:
    sources = served_example(lab)
    # the first sync's download of rpki is answered only when the test says so: it holds
    # the lock until then, however slowly the other processes start
    release = threading.Barrier(2, timeout=300)
    lab.file("rpki", EXAMPLE / "vrps.json", gate=release)
    config = example_with(tmp_path, sources, GENEROUS)
    first = start_sync(config)
    wait_for_holder(tmp_path / "state" / LOCK_NAME, first.pid)

    refused = start_sync(config, "--wait", "0")
    waiting_log = tmp_path / "waiting.log"
    waiting = start_sync(config, "--wait", "300", log=waiting_log)
    _, refused_err = refused.communicate(timeout=120)
    assert refused.returncode == 1
    assert f"in use by pid {first.pid}" in refused_err and "Traceback" not in refused_err

    # the first sync lets go only once the second says it waits (under load, or with fast
    # readers, the second could otherwise start after the first had finished)
    wait_for_text(waiting_log, "waiting up to 300 s")
    lab.file("rpki", EXAMPLE / "vrps.json")  # the next download is answered at once
    release.wait()
    for proc in (first, waiting):
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err or waiting_log.read_text()
    err = waiting_log.read_text()
    assert f"waiting up to 300 s: pid {first.pid}" in err

    snapshots = sorted((tmp_path / "state" / "snapshots").glob("*.arrow"))
    assert len(snapshots) == 2
    for path in snapshots:
        assert len(load_stored_snapshot(path).vrps) > 0
    code, _, err = run("evaluate", "--config", str(config), "--routes", ROUTES)
    assert code == 0, err


def test_sources_are_fetched_side_by_side(lab: HttpLab, tmp_path: Path) -> None:
    # each file is answered only once all four are being asked at once: one after the
    # other, the first would wait for the others in vain and get a 503
    gate = threading.Barrier(4, timeout=30)
    names = {
        "rpki": EXAMPLE / "vrps.json",
        "irr": EXAMPLE / "irr.db",
        "rir": EXAMPLE / "delegated-ripencc-extended-excerpt",
        "peeringdb_ixpfx": EXAMPLE / "ixpfx.json",
    }
    sources = "\n".join(f'{k} = "{lab.file(k, p, gate=gate)}"' for k, p in names.items())
    config = example_with(tmp_path, sources, GENEROUS)
    code, _, err = run("sync", "--config", str(config))
    assert code == 0, err
    assert "4 ok" in err
    order = [line.split("] ")[1].split(":")[0] for line in err.splitlines() if line.startswith("[")]
    assert order == ["rpki", "irr", "rir", "peeringdb_ixpfx"]


def test_lock_refuses_at_once_with_wait_zero_naming_the_holder(tmp_path: Path) -> None:
    with state_lock(tmp_path, wait=None) as path:
        holder = subprocess.run(
            [sys.executable, "-c", LOCK_AGAIN, str(tmp_path), "0"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert path.read_text().startswith(f"{__import__('os').getpid()}\n")
    assert holder.returncode == 3, holder.stderr
    assert "pid " in holder.stdout and "in use by" in holder.stdout


def test_lock_is_free_again_after_the_holder_leaves(tmp_path: Path) -> None:
    with state_lock(tmp_path, wait=0):
        pass
    with state_lock(tmp_path, wait=0) as path:
        assert path.name == LOCK_NAME


def test_lock_waits_for_the_holder_to_finish(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOR, str(tmp_path), "1.5"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    with pytest.raises(StateLocked, match=f"pid {proc.pid}"), state_lock(tmp_path, wait=0.2):
        pass
    with state_lock(tmp_path, wait=60):
        assert proc.wait(timeout=60) == 0


LOCK_AGAIN = """
import sys
from pathlib import Path
from routesieve.sync.lock import StateLocked, state_lock
try:
    with state_lock(Path(sys.argv[1]), wait=float(sys.argv[2])):
        sys.exit(0)
except StateLocked as exc:
    print(exc)
    sys.exit(3)
"""

HOLD_FOR = """
import sys, time
from pathlib import Path
from routesieve.sync.lock import state_lock
with state_lock(Path(sys.argv[1]), wait=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""
