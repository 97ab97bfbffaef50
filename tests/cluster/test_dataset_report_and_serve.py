"""The generated bench world decided on a real two-process LocalCluster, read back: the
report site and the server's indexes are those of the one-process decisions."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from cluster_world import World
from distributed import Client

from routesieve.cli.reporting import report_input, verdict_report_input
from routesieve.cluster.driver import evaluate_on_cluster
from routesieve.config import load_config
from routesieve.engine.evaluate import decide
from routesieve.outputs.report import write_site
from routesieve.outputs.verdict_dataset import read_verdicts
from routesieve.web import serve_data, verdict_serve_data
from routesieve.web.data import totals

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_bench_world_dataset_gives_the_one_process_report_and_api(
    client: Client, world: World, tmp_path: Path
) -> None:
    out = tmp_path / "verdicts"
    evaluate_on_cluster(client, world.policy, world.ref, out, routes=world.routes, parts=8)
    read = read_verdicts(out)
    config = load_config(world.config)
    d = decide(world.routes, world.snapshot, world.policy)

    here = report_input(config, world.snapshot, d, NOW, previous=None, explain_limit=0)
    back = verdict_report_input(config, world.snapshot, read.verdicts, NOW, previous=None)
    write_site(here, tmp_path / "here")
    write_site(back, tmp_path / "back")
    want, got = files(tmp_path / "here"), files(tmp_path / "back")
    assert sorted(got) == sorted(want)
    pages = [name for name in got if name.startswith("peers/")]
    assert len(pages) > 10
    for name in pages:  # the pages differ only by the note that there are no listings
        text = got[name].decode()
        assert 'id="explain-note"' in text
        text = re.sub(r'<p class="muted" id="explain-note">[^\n]*</p>\n', "", text)
        got[name] = re.sub(r'"explain_note":"[^"]*"', '"explain_note":null', text).encode()
    assert got == want

    decided = serve_data(d, world.snapshot.provenance, NOW, len(world.routes))
    served = verdict_serve_data(
        read.verdicts,
        world.policy,
        world.snapshot.provenance,
        NOW,
        as_of=d.index.as_of,
        warnings=read.warnings,
        received=read.routes or 0,
    )
    assert served.received == decided.received and totals(served) == totals(decided)
    assert served.peers.keys() == decided.peers.keys()
    skip = ("route_id", "communities")
    for asn, want_peer in decided.peers.items():
        got_peer = served.peers[asn]
        assert got_peer.sessions == want_peer.sessions
        assert dict(got_peer.by_rule) == dict(want_peer.by_rule)
        assert dict(got_peer.by_rpki) == dict(want_peer.by_rpki)
        assert got_peer.row_text == want_peer.row_text
        for filters in ((None, None, None), ("reject", None, None), (None, None, "65")):
            want_rows = want_peer.select(*filters).tolist()
            got_rows = got_peer.select(*filters).tolist()
            assert [
                {k: v for k, v in served.route_json(r).items() if k not in skip} for r in got_rows
            ] == [
                {k: v for k, v in decided.route_json(r).items() if k not in skip} for r in want_rows
            ]
