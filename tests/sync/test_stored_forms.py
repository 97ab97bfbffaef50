"""A state folder synced before the Arrow form (``.npz`` snapshots named ``*.snapshot``)
keeps working: its snapshot is chosen and loaded until a newer sync replaces and prunes it.

The old-form file is made as the code before wrote it (``write_npz`` of
``layout.to_arrays``) from a real sync's snapshot, and its manifest is pointed at it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from http_lab import HttpLab
from sync_helpers import run, write_config

from routesieve.config import Config, load_config
from routesieve.store.layout import to_arrays
from routesieve.store.npz_file import write_npz
from routesieve.store.snapshot_file import load_stored_snapshot
from routesieve.sync.run import run_sync
from routesieve.sync.stored import choose_snapshot

ROUTES = str(Path(str(resources.files("routesieve") / "data" / "example")) / "routes.jsonl")
T = 1_790_000_000  # 2026-09-20


@pytest.fixture
def config(lab: HttpLab, shared_data: Path, tmp_path: Path) -> Config:
    url = lab.file("bogons.txt", shared_data / "bogons/teamcymru_fullbogons-ipv4_20240310.txt")
    extra = "[sync]\nkeep = 1\n[sync.max_age_hours]\nbogons = 100000000\n"
    return load_config(write_config(tmp_path, f'full_bogons = "{url}"', extra))


def as_old_form(arrow: Path) -> Path:
    """Turn a synced snapshot into what the code before the Arrow form left behind."""
    old = arrow.with_suffix(".snapshot")
    write_npz(old, to_arrays(load_stored_snapshot(arrow)))
    manifest = arrow.with_suffix(".json")
    record = json.loads(manifest.read_text())
    record["snapshot"] = old.name
    manifest.write_text(json.dumps(record))
    arrow.unlink()
    return old


def evaluate_offline(config: Config) -> tuple[str, str]:
    code, out, err = run(
        "evaluate", "--config", str(config.path), "--routes", ROUTES, "--offline",
        "--format", "jsonl",
    )  # fmt: skip
    assert code == 0, err
    return out, err


def test_sync_writes_the_arrow_form(config: Config) -> None:
    path = run_sync(config, now=T).snapshot_path
    assert path is not None and path.name == "snapshot-20260921T141320Z.arrow"
    assert path.read_bytes().startswith(b"routesieve-arrow")


def test_an_old_npz_snapshot_is_chosen_and_gives_the_same_verdicts(config: Config) -> None:
    arrow = run_sync(config, now=T).snapshot_path
    assert arrow is not None
    want, _ = evaluate_offline(config)
    snapshot = load_stored_snapshot(arrow)

    old = as_old_form(arrow)

    (chosen,) = choose_snapshot(config, offline=True)
    assert chosen.path == old and load_stored_snapshot(old) == snapshot
    got, err = evaluate_offline(config)
    assert f"data: {old} (synced" in err
    assert got == want and got.count("\n") > 10


def test_a_newer_sync_is_preferred_to_an_old_npz_snapshot_and_prunes_it(config: Config) -> None:
    first = run_sync(config, now=T).snapshot_path
    assert first is not None
    old = as_old_form(first)

    newer = run_sync(config, now=T + 60).snapshot_path

    assert newer is not None and newer.suffix == ".arrow"
    assert [c.path for c in choose_snapshot(config, offline=True)] == [newer]
    folder = config.state_dir / "snapshots"
    assert not old.exists()  # keep = 1: the old file went with its manifest
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [newer.name, newer.with_suffix(".json").name]
    )


def test_a_stray_old_file_of_the_same_second_is_not_overwritten(config: Config) -> None:
    folder = config.state_dir / "snapshots"
    folder.mkdir(parents=True)
    stray = folder / "snapshot-20260921T141320Z.snapshot"
    stray.write_bytes(b"kept")

    path = run_sync(config, now=T).snapshot_path

    assert path is not None and path.name == "snapshot-20260921T141320Z-1.arrow"
    assert stray.read_bytes() == b"kept"
