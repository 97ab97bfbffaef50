"""Stored runs: written whole, the newest kept, read back, damage reported with place."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from report.example_data import run_cli
from routesieve.model import Action, RpkiState, Verdict
from routesieve.outputs.diff import Seen
from routesieve.problems import InputError
from routesieve.runs.store import list_runs, read_run, save_run
from routesieve.snapshot import Provenance

V = Verdict(
    65001,
    "2001:db8::/32",
    "65001",
    65001,
    Action.ACCEPT,
    "4.1",
    "ok",
    RpkiState.VALID,
    ("s1",),
    {"vrp": {"prefix": "2001:db8::/32"}},
)
WHEN = datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)


def _save(folder: Path, when: datetime = WHEN, keep: int = 30) -> Path:
    return save_run(
        [V, V._replace(prefix="2001:db8:1::/48", action=Action.REJECT, rule="5")],
        folder,
        when,
        config_path=Path("/etc/routesieve.toml"),
        route_files=[Path("routes.jsonl")],
        provenance=[Provenance("rpki", "vrps.json", "2026-11-26T09:00:00Z", 7)],
        keep=keep,
    )


def test_a_saved_run_reads_back_with_its_header_and_verdicts(tmp_path: Path) -> None:
    path = _save(tmp_path)
    assert path.name == "run-20261126T100000Z.jsonl.gz"
    run = read_run(path)
    assert run.header is not None
    assert run.time == "2026-11-26T10:00:00Z"
    assert run.header["provenance"][0]["generated"] == "2026-11-26T09:00:00Z"
    assert run.header["config"] == "/etc/routesieve.toml"
    assert run.routes == (
        Seen(65001, "2001:db8::/32", "65001", "accept", "4.1", "VALID"),
        Seen(65001, "2001:db8:1::/48", "65001", "reject", "5", "VALID"),
    )


def test_only_the_newest_runs_are_kept(tmp_path: Path) -> None:
    for hours in range(5):
        _save(tmp_path, WHEN + timedelta(hours=hours), keep=3)
    names = [p.name for p in list_runs(tmp_path)]
    assert names == [f"run-20261126T{h:02d}0000Z.jsonl.gz" for h in (12, 13, 14)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".run-")]


def test_a_truncated_run_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = _save(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        read_run(path)
    assert str(path) in str(err.value)


def test_a_bad_line_is_an_error_with_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "run-x.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write('{"routesieve_run": 1, "time": "t"}\n{"peer_asn": 1}\n')
    with pytest.raises(InputError) as err:
        read_run(path)
    assert f"{path}:2: " in str(err.value)
    plain = tmp_path / "verdicts.jsonl"
    plain.write_text("not json\n")
    with pytest.raises(InputError) as err:
        read_run(plain)
    assert "not JSON" in str(err.value)


def test_diff_of_a_damaged_run_exits_1_with_a_message(tmp_path: Path) -> None:
    good = _save(tmp_path)
    bad = tmp_path / "broken.jsonl.gz"
    bad.write_bytes(good.read_bytes()[:40])
    result = run_cli("diff", str(good), str(bad))
    assert result.exit_code == 1
    assert "broken.jsonl.gz" in result.output
    missing = run_cli("diff", str(good), str(tmp_path / "nope.jsonl"))
    assert missing.exit_code == 1 and "nope.jsonl" in missing.output
