"""diff: route by route comparison of two runs, pure and through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from report.example_data import change_data, run_cli
from routesieve.outputs.diff import ChangeKind, Seen, diff_runs
from routesieve.runs.store import list_runs


def seen(prefix: str, path: str, action: str, rule: str, peer: int = 65001) -> Seen:
    return Seen(peer, prefix, path, action, rule, None)


def test_each_kind_of_change_is_found_and_unchanged_routes_are_not_listed() -> None:
    old = [
        seen("2001:db8::/32", "65001", "reject", "5"),
        seen("2001:db8:1::/48", "65001", "accept", "4.1"),
        seen("2001:db8:2::/48", "65001", "reject", "3.10"),
        seen("2001:db8:3::/48", "65001", "accept", "4.4"),
        seen("2001:db8:4::/48", "65001", "accept", "4.4"),
    ]
    new = [
        seen("2001:db8::/32", "65001", "accept", "4.4"),
        seen("2001:db8:1::/48", "65001", "reject", "3.10"),
        seen("2001:db8:2::/48", "65001", "reject", "5"),
        seen("2001:db8:4::/48", "65001", "accept", "4.4"),
        seen("2001:db8:5::/48", "65001", "accept", "4.1"),
    ]
    d = diff_runs(old, new)
    kinds = {(c.prefix, c.kind) for c in d.changes}
    assert kinds == {
        ("2001:db8::/32", ChangeKind.ACCEPTED),
        ("2001:db8:1::/48", ChangeKind.REJECTED),
        ("2001:db8:2::/48", ChangeKind.RULE),
        ("2001:db8:3::/48", ChangeKind.DISAPPEARED),
        ("2001:db8:5::/48", ChangeKind.APPEARED),
    }
    rule_change = next(c for c in d.changes if c.kind is ChangeKind.RULE)
    assert rule_change.before is not None and rule_change.before.rule == "3.10"
    assert rule_change.after is not None and rule_change.after.rule == "5"


def test_a_new_path_for_a_prefix_is_a_new_route_and_the_peer_is_part_of_the_key() -> None:
    old = [seen("2001:db8::/32", "65001 65002", "accept", "4.4")]
    new = [
        seen("2001:db8::/32", "65001 65003", "accept", "4.4"),
        seen("2001:db8::/32", "65001 65002", "accept", "4.4", peer=65009),
    ]
    d = diff_runs(old, new)
    assert sorted((c.peer_asn, c.as_path, c.kind.value) for c in d.changes) == [
        (65001, "65001 65002", "disappeared"),
        (65001, "65001 65003", "appeared"),
        (65009, "65001 65002", "appeared"),
    ]


def _report(folder: Path, site: Path) -> None:
    result = run_cli(
        "report",
        "--config",
        str(folder / "routesieve.toml"),
        "--routes",
        str(folder / "routes.jsonl"),
        "--html",
        str(site),
        "--explain-limit",
        "3",
    )
    assert result.exit_code == 0, result.output


def test_diff_of_two_stored_runs_after_vrps_route_objects_and_routes_changed(
    example: Path, tmp_path: Path
) -> None:
    _report(example, tmp_path / "site1")
    first = list_runs(example / "state" / "runs")
    assert len(first) == 1
    first[0].rename(first[0].with_name("run-20000101T000000Z.jsonl.gz"))  # an older run
    change_data(example)
    _report(example, tmp_path / "site2")
    old, new = list_runs(example / "state" / "runs")

    result = run_cli("diff", str(old), str(new), "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    got = {
        (
            c["peer_asn"],
            c["prefix"],
            c["kind"],
            c["before"] and c["before"]["rule"],
            c["after"] and c["after"]["rule"],
        )
        for peer in doc["peers"].values()
        for c in peer["changes"]
    }
    assert got == {
        # the ROA of 2a0e:8a01::/32 withdrawn: 4.1 gone, and 4.2 of the route inside it
        (209001, "2a0e:8a01::/32", "rejected", "4.1", "5"),
        (209001, "2a0e:8a01:2000::/40", "rejected", "4.2", "5"),
        # the /48 was INVALID_LENGTH against that ROA; without it, not accepted (5)
        (209001, "2a0e:8a01:10::/48", "rule", "3.10", "5"),
        # a route6 object created
        (209002, "2a0e:8a04:1::/48", "accepted", "5", "4.4"),
        # routes changed
        (209002, "2a0e:8a07:100::/48", "appeared", None, "5"),
        (209200, "2a0e:8a20::/32", "disappeared", "4.1", None),
    }
    text = run_cli("diff", str(old), str(new)).output
    assert "2a0e:8a01::/32  path 209001  accept 4.1 -> reject 5" in text
    assert "became accepted 1, became rejected 2" in text

    # the second report shows the changes on the peer page
    page = (tmp_path / "site2" / "peers" / "as209002.html").read_text()
    assert "2a0e:8a04:1::/48" in page and "became accepted" in page


def test_diff_reads_evaluate_jsonl_output(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "old.jsonl"
    args = ["--config", str(example / "routesieve.toml"), "--routes"]
    r = run_cli(
        "evaluate", *args, str(example / "routes.jsonl"), "--format", "jsonl", "--output", str(out)
    )
    assert r.exit_code == 0, r.output
    change_data(example)
    new = tmp_path / "new.jsonl"
    r = run_cli(
        "evaluate", *args, str(example / "routes.jsonl"), "--format", "jsonl", "--output", str(new)
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(run_cli("diff", str(out), str(new), "--format", "json").output)
    assert doc["counts"] == {
        "accepted": 1,
        "rejected": 2,
        "rule": 1,
        "appeared": 1,
        "disappeared": 1,
    }


def test_diff_of_the_same_routes_under_two_stored_snapshots(example: Path, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from routesieve.config import load_config
    from routesieve.sources.load import load_snapshot
    from routesieve.store.snapshot_file import save_snapshot

    now = int(datetime.now(UTC).timestamp())
    old = save_snapshot(
        load_snapshot(load_config(example / "routesieve.toml"), now).snapshot,
        tmp_path / "old.snapshot",
    )
    routes = tmp_path / "routes.jsonl"
    routes.write_bytes((example / "routes.jsonl").read_bytes())
    change_data(example)  # new VRPs and route objects (and routes, not used here)
    new = save_snapshot(
        load_snapshot(load_config(example / "routesieve.toml"), now).snapshot,
        tmp_path / "new.snapshot",
    )
    result = run_cli(
        "diff",
        str(old),
        str(new),
        "--snapshots",
        "--format",
        "json",
        "--config",
        str(example / "routesieve.toml"),
        "--routes",
        str(routes),
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    # same routes: nothing appears or disappears; the data changes decide the rest
    assert doc["counts"] == {
        "accepted": 1,
        "rejected": 2,
        "rule": 1,
        "appeared": 0,
        "disappeared": 0,
    }
    missing = run_cli(
        "diff",
        str(old),
        str(tmp_path / "none"),
        "--snapshots",
        "--config",
        str(example / "routesieve.toml"),
        "--routes",
        str(routes),
    )
    assert missing.exit_code == 1 and "none" in missing.output
