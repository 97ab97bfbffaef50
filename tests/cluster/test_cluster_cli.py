"""``routesieve evaluate --cluster``, as a user runs it (separate processes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
from cluster_world import World, dataset_rows
from distributed import Client

CLI = [sys.executable, "-m", "routesieve.cli"]


def routesieve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=600)


def test_evaluate_on_a_local_cluster_writes_the_one_process_verdicts(
    world: World, tmp_path: Path
) -> None:
    single = routesieve(
        "evaluate", "--config", str(world.config), "--routes", str(world.routes_file),
        "--format", "jsonl",
    )  # fmt: skip
    out = tmp_path / "verdicts"

    done = routesieve(
        "evaluate", "--config", str(world.config), "--routes", str(world.routes_file),
        "--cluster", "local:2", "--output", str(out),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    expected = sorted(map(orjson.loads, single.stdout.splitlines()), key=lambda v: v["peer_asn"])
    got = dataset_rows(out)
    for row in got:
        row["evidence"] = orjson.loads(row["evidence"])
    assert got == expected
    assert f"{len(expected)} verdicts" in done.stdout and "local:2" in done.stdout
    assert "read: " in done.stderr  # the driver read the routes and says so
    assert sorted(p.name for p in tmp_path.iterdir()) == ["verdicts"]  # no copy of the data left


def test_evaluate_on_a_running_scheduler_by_its_tcp_address(
    client: Client, world: World, single_process: list[dict[str, Any]], tmp_path: Path
) -> None:
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    out = tmp_path / "verdicts"

    done = routesieve(
        "evaluate", "--config", str(world.config), "--routes", str(world.routes_file),
        "--cluster", address, "--output", str(out),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert dataset_rows(out) == single_process
    assert f"2 workers of {address}" in done.stdout


def test_the_configured_scheduler_is_used_for_parquet(world: World, tmp_path: Path) -> None:
    config = tmp_path / "routesieve.toml"
    text = world.config.read_text().replace("\n[", '\n[cluster]\nscheduler = "local:1"\n\n[', 1)
    config.write_text(text)
    for name in ("vrps.json", "irr.db"):  # the data files the configuration names
        (tmp_path / name).symlink_to(world.config.parent / name)
    for rir in world.config.parent.glob("delegated-*"):
        (tmp_path / rir.name).symlink_to(rir)
    out = tmp_path / "verdicts"

    done = routesieve(
        "evaluate", "--config", str(config), "--routes", str(world.routes_file),
        "--format", "parquet", "--output", str(out),
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "workers of local:1" in done.stdout
    assert (out / "part-00000.parquet").is_file()


def test_a_peer_in_two_partition_files_fails_with_exit_1_naming_it(
    world: World, tmp_path: Path
) -> None:
    lines = [x for x in world.routes_file.read_text().splitlines(True) if x.startswith("{")]
    folder = tmp_path / "routes"
    folder.mkdir()
    (folder / "a.jsonl").write_text("".join(lines[: len(lines) // 2]))
    (folder / "b.jsonl").write_text("".join(lines[len(lines) // 2 :]))

    done = routesieve(
        "evaluate", "--config", str(world.config), "--routes", str(folder),
        "--cluster", "local:1", "--output", str(tmp_path / "verdicts"),
    )  # fmt: skip

    assert done.returncode == 1
    assert "cluster run failed, nothing written: AS" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "verdicts").exists()


def test_a_cluster_that_is_not_an_address_is_a_usage_error(world: World, tmp_path: Path) -> None:
    done = routesieve(
        "evaluate", "--config", str(world.config), "--routes", str(world.routes_file),
        "--cluster", "http://example.net", "--output", str(tmp_path / "v"),
    )  # fmt: skip

    assert done.returncode == 2
    assert "tcp://host:port" in done.stderr


def test_without_a_cluster_dask_is_never_imported(world: World, tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from routesieve.cli import main\n"
        f"result = CliRunner().invoke(main, ['evaluate', '--config', {str(world.config)!r},"
        f" '--routes', {str(world.routes_file)!r}, '--format', 'parquet',"
        f" '--output', {str(tmp_path / 'v.parquet')!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "v.parquet").stat().st_size > 0
