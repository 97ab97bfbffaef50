"""``routesieve sync`` with ``[sources] peeringdb = URL``: the exchange prefixes of the
configured exchanges come from the API (here the local replay of real answers), and a
PeeringDB that fails later leaves the last good copy in use."""

from __future__ import annotations

from pathlib import Path

from peeringdb_replay import PeeringDbReplay

from routesieve.config import load_config
from routesieve.store.snapshot_file import load_stored_snapshot
from routesieve.sync.one_source import KEPT, OK
from routesieve.sync.run import run_sync


def _config(folder: Path, url: str) -> Path:
    path = folder / "routesieve.toml"
    path.write_text(
        "[local]\nasn = 214312\n\n"
        '[[exchanges]]\nname = "DE-CIX Frankfurt"\npeeringdb_ix = 31\n\n'
        '[[exchanges]]\nname = "LINX LON1"\npeeringdb_ix = 18\n\n'
        f'[sources]\npeeringdb = "{url}"\n',
        encoding="utf-8",
    )
    return path


def test_sync_takes_the_exchange_prefixes_from_the_api(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    config = load_config(_config(tmp_path, peeringdb.base_url))

    result = run_sync(config)

    assert [o.status for o in result.outcomes] == [OK], [o.error for o in result.outcomes]
    assert result.snapshot_path is not None
    snapshot = load_stored_snapshot(result.snapshot_path)
    ixlans = {x["id"] for x in peeringdb.find("ixlan") if x.get("ix_id") in (31, 18)}
    want = {
        (str(p["prefix"]))
        for p in peeringdb.find("ixpfx")
        if p.get("ixlan_id") in ixlans and p.get("status") == "ok"
    }
    got = {str(x.prefix) for x in snapshot.exchange_prefixes}
    assert got == want and got
    assert {x.exchange for x in snapshot.exchange_prefixes} == {"DE-CIX Frankfurt", "LINX LON1"}


def test_sync_keeps_the_last_exchange_prefixes_when_peeringdb_fails(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    config = load_config(_config(tmp_path, peeringdb.base_url))
    first = run_sync(config)
    peeringdb.fail_next("502", count=50)

    second = run_sync(config)

    assert [o.status for o in second.outcomes] == [KEPT]
    assert first.snapshot_path is not None and second.snapshot_path is not None
    before = load_stored_snapshot(first.snapshot_path).exchange_prefixes
    assert load_stored_snapshot(second.snapshot_path).exchange_prefixes == before
