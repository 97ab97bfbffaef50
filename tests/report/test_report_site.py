"""The static site without a browser: escaping, data files, downloads, sources."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from report.example_data import HOSTILE_SESSION, example_copy, run_cli
from routesieve.cli.reporting import session_specs
from routesieve.collect.files import read_routes
from routesieve.config import load_config
from routesieve.engine.evaluate import evaluate
from routesieve.outputs.filterspec import router_policy
from routesieve.outputs.report import data
from routesieve.outputs.report.summary import source_status, stale_limits
from routesieve.snapshot import Provenance
from routesieve.sources.load import load_snapshot

CALL = re.compile(r'^RS\.load\("(routes|detail)",(\d+),(.*)\);\n$', re.S)


def load_js(path: Path) -> tuple[str, int, list[object]]:
    """Read back a data file, checking it is exactly one RS.load call."""
    m = CALL.match(path.read_text(encoding="utf-8"))
    assert m, path
    return m.group(1), int(m.group(2)), json.loads(m.group(3))


def test_js_data_cannot_close_a_script_element_or_open_a_comment() -> None:
    text = data.js_data({"name": "</script><script>alert(1)</script><!-- \u2028 &amp;"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script><!-- \u2028 &amp;"}


def test_markup_in_names_is_escaped_in_every_page(hostile_site: Path) -> None:
    pages = [hostile_site / "index.html", *sorted((hostile_site / "peers").glob("*.html"))]
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<b>Hobbynetz" not in html, page
        assert "<img" not in html, page
    index = (hostile_site / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;Hobbynetz&lt;/b&gt;" in index
    peer = (hostile_site / "peers" / "as209002.html").read_text(encoding="utf-8")
    # the one inline data block is JSON whose < are escaped
    blocks = re.findall(r'<script type="application/json" id="rs-meta">(.*?)</script>', peer)
    assert len(blocks) == 1 and "<" not in blocks[0]
    # every <script> of the page is ours: the data block and report.js
    assert len(re.findall(r"<script", peer)) == 2


def test_session_names_reach_the_data_files_escaped_and_intact(hostile_site: Path) -> None:
    folder = hostile_site / "data" / "as209002"
    raw = (folder / "detail-0.js").read_text(encoding="utf-8")
    assert "</script>" not in raw and "<img" not in raw
    _, _, details = load_js(folder / "detail-0.js")
    assert any(HOSTILE_SESSION in d["s"] for d in details)  # type: ignore[index]


def test_route_chunks_hold_every_route_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "CHUNK", 4)
    folder = example_copy(tmp_path / "example")
    site = tmp_path / "site"
    config, routes = folder / "routesieve.toml", folder / "routes.jsonl"
    r = run_cli("report", "--config", str(config), "--routes", str(routes), "--html", str(site))
    assert r.exit_code == 0, r.output
    policy = load_config(config).to_policy()
    snapshot = load_snapshot(load_config(config), int(datetime.now(UTC).timestamp())).snapshot
    verdicts = [v for v in evaluate(read_routes(routes).items, snapshot, policy)]
    mine = [v for v in verdicts if v.peer_asn == 209001]
    files = sorted((site / "data" / "as209001").glob("routes-*.js"), key=lambda p: len(p.name))
    assert len(files) == 5  # 19 routes in chunks of 4
    rows: list[object] = []
    for n, f in enumerate(sorted(files, key=lambda p: int(p.stem.split("-")[1]))):
        kind, number, chunk = load_js(f)
        assert (kind, number) == ("routes", n)
        rows.extend(chunk)
    assert rows == [data.row(v) for v in mine]
    _, _, details = load_js(site / "data" / "as209001" / "detail-0.js")
    # every rule listed for explained routes, from X-AFI on
    assert details[0]["x"][0][0] == "X-AFI"  # type: ignore[index]
    meta_text = re.search(
        r'id="rs-meta">(.*?)</script>', (site / "peers" / "as209001.html").read_text()
    )
    assert meta_text is not None
    meta = json.loads(meta_text.group(1))
    assert (meta["total"], meta["chunks"], meta["chunk"]) == (20, 5, 4)


def test_downloads_hold_the_accept_list_of_router_policy(hostile_site: Path) -> None:
    folder = hostile_site.parent / "example"
    config = load_config(folder / "routesieve.toml")
    policy = config.to_policy()
    snapshot = load_snapshot(config, int(datetime.now(UTC).timestamp())).snapshot
    verdicts = list(evaluate(read_routes(folder / "routes.jsonl").items, snapshot, policy))
    rp = router_policy(verdicts, policy, snapshot, session_specs(config), {})
    checked = 0
    for pf in rp.peers:
        want = [str(p) for p in pf.accept]
        txt = (hostile_site / "downloads" / f"as{pf.asn}-accept.txt").read_text()
        assert [ln for ln in txt.splitlines() if not ln.startswith("#")][: len(want)] == want
        for fmt in ("bird2", "frr", "openbgpd"):
            text = (hostile_site / "downloads" / f"as{pf.asn}-accept.{fmt}.conf").read_text()
            found = re.findall(r"(?<![\w:])([0-9a-f:.]+:[0-9a-f:.]*/\d+)", text)
            assert sorted(set(found)) == sorted(
                {str(p) for p in pf.accept} | {str(p) for _, ps in pf.members for p in ps}
            ), (pf.asn, fmt)
            # the name is only ever in a one-line comment, through the renderer's filter
            assert text.splitlines()[0].startswith(("#", "!")), (pf.asn, fmt)
            if fmt != "bird2":  # safe_text keeps letters, digits and a few signs only
                assert "<" not in text
        checked += bool(want)
    assert checked >= 2


def test_a_source_older_than_its_limit_is_stale_and_an_undated_one_is_not_fresh() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    rows = source_status(
        [
            Provenance("rpki", "vrps.json", "2026-11-25T06:00:00Z", 7),
            Provenance("rpki", "new.json", "2026-11-26T06:00:00Z", 7),
            Provenance("irr", "irr.db", "2026-11-20T12:00:00Z", 7),
            Provenance("irr", "old.db", "2026-11-01T12:00:00Z", 7),
            Provenance("bogons", "bogons.txt", None, 7),
        ],
        now,
        {"rpki": 24.0, "irr": 168.0, "bogons": 168.0},
    )
    assert [(r.location, r.stale) for r in rows] == [
        ("vrps.json", True),
        ("new.json", False),
        ("irr.db", False),
        ("old.db", True),
        ("bogons.txt", False),
    ]
    assert rows[-1].age_hours is None


def test_sync_section_limits_are_used_per_kind_of_source(tmp_path: Path) -> None:
    from routesieve.config import load_config

    path = tmp_path / "routesieve.toml"
    path.write_text(
        "[local]\nasn = 214312\n[sync.max_age_hours]\nrpki = 2\nirr = 1\niana = 5\n",
        encoding="utf-8",
    )
    limits = stale_limits(load_config(path))
    assert (limits["rpki"], limits["irr"], limits["iana_asn"], limits["iana_special"]) == (
        2.0,
        1.0,
        5.0,
        5.0,
    )
    assert limits["rir"] == 72.0  # the default of [sync.max_age_hours]


def test_rejected_routes_of_every_peer_are_explained_first() -> None:
    from routesieve.cli.reporting import pick_explained
    from routesieve.model import Action, Verdict

    def v(peer: int, action: Action) -> Verdict:
        return Verdict(peer, "2001:db8::/32", "1", 1, action, "5", "", None, (), {})

    verdicts = [
        v(1, Action.ACCEPT), v(1, Action.REJECT), v(1, Action.REJECT), v(1, Action.REJECT),
        v(2, Action.REJECT), v(2, Action.ACCEPT),
    ]  # fmt: skip
    assert pick_explained(verdicts, 3) == [1, 4, 2]
    assert pick_explained(verdicts, 10) == [1, 4, 2, 3, 0, 5]


def test_a_report_folder_that_cannot_be_written_exits_1(example: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run_cli(
        "report", "--config", str(example / "routesieve.toml"),
        "--routes", str(example / "routes.jsonl"), "--html", str(blocker / "site"),
    )  # fmt: skip
    assert r.exit_code == 1 and "cannot write the report" in r.output
