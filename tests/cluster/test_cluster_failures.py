"""Nothing silently missing: bad partitions fail the run by name, a killed worker does not."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from cluster_world import World, dataset_rows
from distributed import Client

from routesieve.cluster.connect import ClusterSpec, open_client
from routesieve.cluster.driver import ClusterRun, PartitionFailed, evaluate_on_cluster
from routesieve.cluster.worker_cache import SnapshotRef


def test_a_route_file_a_worker_cannot_read_fails_the_run_naming_it(
    client: Client, world: World, tmp_path: Path
) -> None:
    good = tmp_path / "a.jsonl"
    good.write_text(world.routes_file.read_text())
    gone = tmp_path / "b.jsonl"  # as when the shared storage is not mounted on a worker
    out = tmp_path / "verdicts"

    with pytest.raises(PartitionFailed, match=r"partition 1 \(.*b\.jsonl\): .*b\.jsonl"):
        evaluate_on_cluster(client, world.policy, world.ref, out, files=[good, gone])

    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["a.jsonl"]  # no staging left


def test_a_peer_spread_over_two_partition_files_fails_the_run_naming_the_peer(
    client: Client, world: World, tmp_path: Path
) -> None:
    lines = [x for x in world.routes_file.read_text().splitlines(True) if x.startswith("{")]
    (tmp_path / "first.jsonl").write_text("".join(lines[: len(lines) // 2]))
    (tmp_path / "second.jsonl").write_text("".join(lines[len(lines) // 2 :]))

    with pytest.raises(PartitionFailed, match=r"AS\d+ has routes in partition 0 .* partition 1"):
        evaluate_on_cluster(
            client,
            world.policy,
            world.ref,
            tmp_path / "verdicts",
            files=[tmp_path / "first.jsonl", tmp_path / "second.jsonl"],
        )


def test_a_snapshot_the_workers_see_differently_fails_the_run(
    client: Client, world: World, tmp_path: Path
) -> None:
    wrong = SnapshotRef(world.ref.path, "0" * 64, world.ref.as_of)

    with pytest.raises(PartitionFailed, match="another file than the driver"):
        evaluate_on_cluster(client, world.policy, wrong, tmp_path / "v", routes=world.routes)


def test_an_existing_folder_that_is_not_a_dataset_is_not_replaced(
    client: Client, world: World, tmp_path: Path
) -> None:
    (tmp_path / "mine.txt").write_text("keep me")

    with pytest.raises(ValueError, match="not a verdict dataset"):
        evaluate_on_cluster(client, world.policy, world.ref, tmp_path, routes=world.routes)

    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_a_worker_killed_during_the_run_is_replaced_and_the_output_is_complete(
    world: World, single_process: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "verdicts"
    finished: list[ClusterRun] = []
    failed: list[BaseException] = []
    with open_client(ClusterSpec(local_workers=2)) as client:
        pids: dict[str, int] = client.run(os.getpid)

        def drive() -> None:
            try:
                finished.append(
                    evaluate_on_cluster(
                        client, world.policy, world.ref, out, routes=world.routes, parts=8
                    )
                )
            except BaseException as exc:
                failed.append(exc)

        driver = threading.Thread(target=drive)
        driver.start()
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline and driver.is_alive():
            busy = [w for w, keys in client.processing().items() if keys]
            if busy:
                victim = pids[busy[0]]
            else:
                time.sleep(0.005)
        assert victim is not None, "no partition was seen running"
        os.kill(victim, signal.SIGKILL)
        driver.join(timeout=300)

    assert not failed
    assert finished and dataset_rows(out) == single_process
    assert finished[0].verdicts == len(single_process)
    with pytest.raises(ProcessLookupError):
        os.kill(victim, 0)
