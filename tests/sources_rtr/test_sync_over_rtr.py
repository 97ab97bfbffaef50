"""``routesieve sync`` with ``[sources] rpki = "rtr://..."`` against a real StayRTR: the
snapshot holds exactly the cache's VRPs; when the cache goes away, the last good copy is
kept and the run says so. ASPA end to end: over RTR version 2 the stored ASPA records let
X-ASPA reject a route leak with its evidence; against a StayRTR held to version 1 the
sync falls back, stores no ASPA, and the snapshot and the evaluation say so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rtr_lab import StayRtr, expected

from routesieve.config import Config, load_config
from routesieve.engine.evaluate import evaluate
from routesieve.engine.rules import Rule
from routesieve.model import AsPath, Prefix, Route
from routesieve.snapshot import Snapshot
from routesieve.sources.aspa import read_aspas
from routesieve.store.snapshot_file import load_stored_snapshot
from routesieve.sync.one_source import KEPT, OK
from routesieve.sync.run import run_sync

# The shared cache file's ASPA for AS64496 lists 1299, 6939, 7480, 32097, 50058, 61138.
LEAK = Route(3320, Prefix.parse("2a0a:1000::/32"), AsPath.sequence([3320, 64496, 1299, 13335]))
FINE = Route(6939, Prefix.parse("2a0a:2000::/32"), AsPath.sequence([6939, 64496, 64496]))


def _config(folder: Path, url: str, policy: str = "") -> Path:
    path = folder / "routesieve.toml"
    path.write_text(
        f'[local]\nasn = 214312\n\n{policy}[sources]\nrpki = ["{url}"]\n', encoding="utf-8"
    )
    return path


def _synced(config: Config) -> Snapshot:
    """Sync once; the source must be fetched fresh, and the stored snapshot is returned."""
    result = run_sync(config)
    (outcome,) = result.outcomes
    assert outcome.status == OK, outcome.error
    assert result.snapshot_path is not None
    return load_stored_snapshot(result.snapshot_path)


def test_sync_stores_the_vrps_the_rtr_cache_serves(
    stayrtr: Callable[..., StayRtr], cache_file: Path, tmp_path: Path
) -> None:
    server = stayrtr(cache_file, host="::1")
    snapshot = _synced(load_config(_config(tmp_path, server.url)))
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


@pytest.mark.parametrize("protocol", ["2", "1"])
def test_aspa_from_stayrtr_rejects_a_leak_over_v2_and_is_absent_over_v1(
    protocol: str, stayrtr: Callable[..., StayRtr], cache_file: Path, tmp_path: Path
) -> None:
    server = stayrtr(cache_file, "-protocol", protocol)
    config = load_config(_config(tmp_path, server.url, "[policy.checks]\naspa = true\n\n"))
    snapshot = _synced(config)
    verdicts = {v.as_path: v for v in evaluate([LEAK, FINE], snapshot, config.to_policy())}
    leak, fine = verdicts[str(LEAK.as_path)], verdicts[str(FINE.as_path)]
    assert fine.rule != Rule.X_ASPA
    notes = [p.note for p in snapshot.provenance if p.kind == "aspa"]
    if protocol == "2":
        assert tuple(snapshot.aspas) == read_aspas(cache_file).items
        assert leak.rule == Rule.X_ASPA
        hops = leak.evidence["aspa"]["up"]
        assert {"customer": 64496, "provider": 3320, "hop": "Not Provider+"}.items() <= hops[
            -1
        ].items()
        assert "AS64496 → AS3320" in leak.reason
    else:
        assert tuple(snapshot.aspas) == ()
        assert notes and "spoke version 1" in notes[0]
        assert leak.rule != Rule.X_ASPA
        assert any(
            "no ASPA records" in w for w in evaluate([LEAK], snapshot, config.to_policy()).warnings
        )
