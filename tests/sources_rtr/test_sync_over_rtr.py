"""``routesieve sync`` with ``[sources] rpki = "rtr://..."`` against a real StayRTR: the
snapshot holds exactly the cache's VRPs; when the cache goes away, the last good copy is
kept and the run says so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rtr_lab import StayRtr, expected

from routesieve.config import load_config
from routesieve.store.snapshot_file import load_stored_snapshot
from routesieve.sync.one_source import KEPT, OK
from routesieve.sync.run import run_sync


def _config(folder: Path, url: str) -> Path:
    path = folder / "routesieve.toml"
    path.write_text(f'[local]\nasn = 214312\n\n[sources]\nrpki = ["{url}"]\n', encoding="utf-8")
    return path


def test_sync_stores_the_vrps_the_rtr_cache_serves(
    stayrtr: Callable[..., StayRtr], cache_file: Path, tmp_path: Path
) -> None:
    server = stayrtr(cache_file, host="::1")
    config = load_config(_config(tmp_path, server.url))

    result = run_sync(config)

    (outcome,) = result.outcomes
    assert outcome.status == OK, outcome.error
    assert result.snapshot_path is not None
    snapshot = load_stored_snapshot(result.snapshot_path)
    assert set(snapshot.vrps) == {v._replace(ta="rtr") for v in expected(cache_file)}


def test_sync_keeps_the_last_vrps_when_the_rtr_cache_is_gone(
    stayrtr: Callable[..., StayRtr], cache_file: Path, tmp_path: Path
) -> None:
    server = stayrtr(cache_file)
    config = load_config(_config(tmp_path, server.url))
    first = run_sync(config)
    server.stop()

    second = run_sync(config)

    (outcome,) = second.outcomes
    assert outcome.status == KEPT
    assert "refused" in (outcome.error or "") or "connect" in (outcome.error or "")
    assert second.snapshot_path is not None and first.snapshot_path is not None
    old = load_stored_snapshot(first.snapshot_path)
    assert load_stored_snapshot(second.snapshot_path).vrps == old.vrps
