"""Verdicts decided on a real two-process LocalCluster are those of the one-process run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cluster_world import World, dataset_rows
from distributed import Client

from routesieve.cluster.driver import MARKER, evaluate_on_cluster
from routesieve.cluster.partition import effective_peer, split_by_peer, split_columns
from routesieve.cluster.worker_cache import cached_keys
from routesieve.engine.table import build_table


def test_bench_world_on_two_workers_gives_the_single_process_verdicts(
    client: Client, world: World, single_process: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "verdicts"

    run = evaluate_on_cluster(client, world.policy, world.ref, out, routes=world.routes, parts=8)

    assert dataset_rows(out) == single_process
    assert run.routes_in == len(world.routes)
    assert run.verdicts == len(single_process)
    assert len({r.worker for r in run.results}) == 2  # both workers took partitions
    held = client.run(cached_keys)  # each worker built the index once, for this snapshot
    assert all(
        keys[0][:3] == (world.ref.path, world.ref.sha256, world.ref.as_of) for keys in held.values()
    )
    marker = json.loads((out / MARKER).read_text())
    assert marker["verdicts"] == len(single_process)
    assert sum(marker["rules"].values()) == len(single_process)


def test_a_partitioned_input_folder_is_read_by_the_workers(
    client: Client, world: World, single_process: list[dict[str, Any]], tmp_path: Path
) -> None:
    folder = tmp_path / "routes"
    folder.mkdir()
    text = world.routes_file.read_text().splitlines(keepends=True)
    lines = [line for line in text if not line.startswith("#")]
    routes = world.routes  # every other line of this file is a route, in order
    assert len(lines) == len(routes)
    rs = world.policy.route_server_sessions
    part_of = {peer: p.number for p in split_by_peer(routes, rs, 5) for peer in p.peers}
    for number in set(part_of.values()):
        chosen = [
            line
            for line, route in zip(lines, routes, strict=True)
            if part_of[effective_peer(route, rs)] == number
        ]
        (folder / f"routes-{number}.jsonl").write_text("".join(chosen))
    out = tmp_path / "verdicts"

    run = evaluate_on_cluster(client, world.policy, world.ref, out, files=sorted(folder.iterdir()))

    assert dataset_rows(out) == single_process
    assert all(r.read and r.read_routes == r.routes_in for r in run.results)


def test_a_second_run_replaces_the_dataset_of_the_first(
    client: Client, world: World, single_process: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "verdicts"
    evaluate_on_cluster(client, world.policy, world.ref, out, routes=world.routes, parts=8)
    assert len(list(out.glob("part-*.parquet"))) > 1

    evaluate_on_cluster(client, world.policy, world.ref, out, routes=world.routes, parts=1)

    assert [p.name for p in out.glob("part-*.parquet")] == ["part-00000.parquet"]
    assert dataset_rows(out) == single_process
    assert [p.name for p in tmp_path.iterdir()] == ["verdicts"]  # no staging left behind


def test_the_partition_key_is_the_effective_peer_of_step_2(world: World) -> None:
    rs = world.policy.route_server_sessions
    table = build_table(world.routes, rs)
    keyed = [
        (effective_peer(route, rs), int(peer))
        for route, peer in zip(table.first, table.peer, strict=True)
    ]

    assert len(keyed) == len(table)
    assert all(mine == engine for mine, engine in keyed)
    mine_of_route = {effective_peer(route, rs) for route in world.routes}
    assert mine_of_route == {int(p) for p in table.peer}
    assert any(route.session in rs for route in world.routes)  # route servers are in it


def test_split_by_peer_keeps_each_route_once_in_order_and_never_splits_a_peer(
    world: World,
) -> None:
    rs = world.policy.route_server_sessions
    routes = list(world.routes)  # one object per route, so that identity can be followed
    parts = split_by_peer(routes, rs, 6)

    assert sorted(id(r) for p in parts for r in p.routes) == sorted(id(r) for r in routes)
    owners = [peer for p in parts for peer in p.peers]
    assert len(owners) == len(set(owners))
    position = {id(r): i for i, r in enumerate(routes)}
    for p in parts:
        assert [position[id(r)] for r in p.routes] == sorted(position[id(r)] for r in p.routes)
        assert {effective_peer(r, rs) for r in p.routes} == set(p.peers)


def test_the_column_split_the_driver_ships_equals_the_object_split(world: World) -> None:
    """What the driver ships: the same partitions as ``split_by_peer``, the same routes in
    the same order, each holding only the paths its routes use."""
    rs = world.policy.route_server_sessions
    routes = list(world.routes)
    for parts in (1, 3, 6, 40):
        objects = split_by_peer(routes, rs, parts)
        columns = split_columns(world.routes, rs, parts)
        assert [(p.number, p.peers) for p in columns] == [(p.number, p.peers) for p in objects]
        for mine, theirs in zip(columns, objects, strict=True):
            assert list(mine.routes) == list(theirs.routes)
            used = {r.as_path for r in theirs.routes}
            assert len(mine.routes.paths) == len(used)  # type: ignore[attr-defined]
