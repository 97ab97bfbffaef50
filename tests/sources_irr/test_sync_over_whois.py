"""``routesieve sync`` with ``[sources] irr = "whois://..."`` against the real IRRd: the
stored snapshot holds the opted-in as-sets of the configured peers and the route objects
of every AS in them, exactly as a direct ``fetch_whois`` gets them."""

from __future__ import annotations

from pathlib import Path

from irrd_lab import IrrdLab

from routesieve.config import load_config
from routesieve.engine.as_sets import AsSetCatalog
from routesieve.model import set_prefix_ref
from routesieve.sources.irr.fetch import fetch_whois
from routesieve.sources.rpsl import read_rpsl
from routesieve.store.snapshot_file import load_stored_snapshot
from routesieve.sync.one_source import OK
from routesieve.sync.run import run_sync

PEER = 3856
AS_SET = "AS-DOIX-RS"


def test_sync_fetches_the_opted_in_as_sets_and_their_route_objects(
    irrd: IrrdLab, tmp_path: Path
) -> None:
    url = f"{irrd.url}?sources=RIPE,RIPE-NONAUTH"
    path = tmp_path / "routesieve.toml"
    path.write_text(
        "[local]\nasn = 214312\n\n"
        f'[[peers]]\nasn = {PEER}\nas_sets = ["{AS_SET}"]\n\n'
        f'[sources]\nirr = ["{url}"]\n',
        encoding="utf-8",
    )

    result = run_sync(load_config(path))

    assert [o.status for o in result.outcomes] == [OK], [o.error for o in result.outcomes]
    assert result.snapshot_path is not None
    snapshot = load_stored_snapshot(result.snapshot_path)
    expansion = AsSetCatalog(snapshot.as_sets).expand([AS_SET], 10, 100_000)
    assert len(expansion.asns) > 5
    direct = read_rpsl(
        fetch_whois(url, tmp_path / "direct.db", as_sets=[AS_SET], asns=[PEER], timeout=20).path
    )
    assert set(snapshot.route_objects) == set(direct.route_objects)
    listed = [r for r in snapshot.route_objects if set_prefix_ref(r.source) == AS_SET]
    assert listed, "the set's prefix list is in the snapshot"
    real = [r for r in snapshot.route_objects if set_prefix_ref(r.source) is None]
    assert {r.origin for r in real} <= {PEER}
