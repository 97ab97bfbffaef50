"""Dated route snapshots: written whole, read back the same, old ones pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from routesieve.cli import main
from routesieve.collect.files import read_routes
from routesieve.collect.store import newest, snapshots, write_snapshot
from routesieve.model import AsPath, Prefix, Route

WHEN = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
ROUTES = [
    Route(
        209001,
        Prefix.parse("2a0e:8a01::/32"),
        AsPath.parse("209001 {1 2}"),
        "bgpx-1",
        communities=("209001:100", "209001:1:2"),
    ),
    Route(
        209002,
        None,
        AsPath.parse("209002"),
        "locix-2",
        problem="unparseable prefix 'x'",
        raw_prefix="x",
    ),
    Route(
        209002,
        Prefix.parse("2a0e:8a05::/32"),
        AsPath(()),
        None,
        problem="malformed AS_PATH: segment length 9 past the end",
    ),
]


def test_snapshot_reads_back_route_for_route(tmp_path: Path) -> None:
    path = write_snapshot(ROUTES, tmp_path, WHEN, keep=5)
    assert path.name == "routes-20261126T093000Z.jsonl.gz"
    back = read_routes(path).items
    assert [
        (r.peer_asn, r.prefix_text, str(r.as_path), r.session, r.communities) for r in back
    ] == [(r.peer_asn, r.prefix_text, str(r.as_path), r.session, r.communities) for r in ROUTES]
    assert back[1].problem is not None and back[1].prefix is None
    assert back[2].problem is not None and "malformed AS_PATH" in back[2].problem


def test_only_the_newest_snapshots_are_kept(tmp_path: Path) -> None:
    for hour in range(4):
        write_snapshot(ROUTES, tmp_path, WHEN + timedelta(hours=hour), keep=2)
    names = [p.name for p in snapshots(tmp_path)]
    assert names == ["routes-20261126T113000Z.jsonl.gz", "routes-20261126T123000Z.jsonl.gz"]
    assert newest(tmp_path) == tmp_path / names[-1]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_evaluate_without_routes_reads_the_newest_snapshot(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[local]\nasn = 214312\nfamilies = ["ipv6"]\n[collect]\nfolder = "state"\n')
    runner = CliRunner()
    missing = runner.invoke(main, ["evaluate", "--config", str(config), "--format", "jsonl"])
    assert missing.exit_code == 1
    assert "no --routes given, and no collected routes in" in missing.stderr
    write_snapshot(ROUTES, tmp_path / "state", WHEN, keep=5)
    done = runner.invoke(main, ["evaluate", "--config", str(config), "--format", "jsonl"])
    assert done.exit_code == 0, done.output
    assert done.stdout.count("\n") == 3
    assert "routes-20261126T093000Z.jsonl.gz" in done.stderr
