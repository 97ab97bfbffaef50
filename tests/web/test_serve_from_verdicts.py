"""``serve --verdicts``: a server over verdicts already decided (a two-worker cluster
run's dataset) answers the API as a server that decides the same routes, except what
needs the engine or the routes (explanations, communities)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from verdict_runs import cluster_dataset
from web_lab import EXAMPLE, ServeProcess, example_config, serve_process

from routesieve.web import ServeData, verdict_serve_data
from routesieve.web.data import route_order

pytest.importorskip("distributed")

Key = tuple[int, str, str]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(URL of the server deciding the example's routes, URL of the server of the verdicts
    a two-worker LocalCluster decided from the same routes)."""
    base = tmp_path_factory.mktemp("served")
    (base / "decided").mkdir()
    (base / "read").mkdir()
    config = example_config(base, "")
    dataset = cluster_dataset(config, EXAMPLE / "routes.jsonl", base / "dataset")
    # every route of every peer is asked for, under each filter: past the default 120 a
    # minute, the servers would rightly answer 429
    serve = "api_requests_per_minute = 100000"
    with (
        serve_process(base / "decided", serve) as decided,
        serve_process(base / "read", serve, verdicts=dataset) as read,
    ):
        assert "note: the listing of every rule is not in this report" in _log(read)
        yield decided.url, read.url


def _log(served: ServeProcess) -> str:
    return served.log_text()


def get(url: str, path: str, **params: str) -> Any:
    answer = httpx.get(url + path, params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def key(route: dict[str, Any]) -> Key:
    return (route["peer_asn"], route["prefix"], route["as_path"])


def comparable(route: dict[str, Any]) -> dict[str, Any]:
    """A route's answer without its id (a row number, see below) and communities (not
    in a verdict table)."""
    return {k: v for k, v in route.items() if k not in ("route_id", "communities")}


FILTERS: list[dict[str, str]] = [
    {},
    {"verdict": "accept"},
    {"verdict": "reject"},
    {"rule": "4.1"},
    {"rule": "3.10"},
    {"q": "2a0e:8a0"},
    {"q": "209001"},
    {"verdict": "reject", "q": "::/"},
    {"limit": "2"},
    {"limit": "2", "offset": "2"},
]


def test_the_peers_are_the_same(servers: tuple[str, str]) -> None:
    decided, read = servers
    assert get(read, "/api/v1/peers") == get(decided, "/api/v1/peers")


@pytest.mark.parametrize(
    "params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "all"
)
def test_the_routes_of_every_peer_are_the_same_under_each_filter(
    servers: tuple[str, str], params: dict[str, str]
) -> None:
    decided, read = servers
    peers = [p["asn"] for p in get(decided, "/api/v1/peers")["peers"]]
    seen = 0
    for asn in peers:
        want = get(decided, f"/api/v1/peers/{asn}/routes", **params)
        got = get(read, f"/api/v1/peers/{asn}/routes", **params)
        assert [comparable(r) for r in got.pop("routes")] == [
            comparable(r) for r in want.pop("routes")
        ]
        assert got == want  # total, offset, limit and the next page's link
        seen += want["total"]
    assert seen > 0


def test_one_route_answers_the_same_for_every_route(servers: tuple[str, str]) -> None:
    decided, read = servers
    ids: dict[str, dict[Key, int]] = {}
    for url in (decided, read):
        found = ids[url] = {}
        for peer in get(url, "/api/v1/peers")["peers"]:
            for r in get(url, f"/api/v1/peers/{peer['asn']}/routes", limit="1000")["routes"]:
                found[key(r)] = r["route_id"]
    assert ids[decided].keys() == ids[read].keys() and len(ids[read]) == 31
    for k, row in ids[read].items():
        got = get(read, f"/api/v1/peers/{k[0]}/routes/{row}")
        want = get(decided, f"/api/v1/peers/{k[0]}/routes/{ids[decided][k]}")
        assert comparable(got) == comparable(want)
        assert got["communities"] is None and isinstance(want["communities"], list)


def test_the_run_counts_are_the_same(servers: tuple[str, str]) -> None:
    decided, read = servers
    want, got = get(decided, "/api/v1/run"), get(read, "/api/v1/run")
    for field in ("merged", "accepted", "rejected", "by_rule", "by_rpki", "peers", "received"):
        assert got[field] == want[field], field
    assert sorted(got["warnings"]) == sorted(want["warnings"])
    assert got["route_files"][0].endswith("dataset") and got["local_asn"] == want["local_asn"]
    assert get(read, "/api/v1/sources") == get(decided, "/api/v1/sources")


def test_explanations_are_refused_naming_why(servers: tuple[str, str]) -> None:
    _, read = servers
    route = get(read, "/api/v1/peers/209001/routes", limit="1")["routes"][0]
    answer = httpx.get(f"{read}/api/v1/peers/209001/routes/{route['route_id']}/explanation")
    assert answer.status_code == 501
    assert "serve --verdicts" in answer.json()["error"]


def test_the_report_pages_are_served_at_the_root(servers: tuple[str, str]) -> None:
    _, read = servers
    page = httpx.get(f"{read}/peers/as209001.html", timeout=10)
    assert page.status_code == 200 and 'id="explain-note"' in page.text


def test_route_ids_of_verdicts_in_any_peer_order_keep_each_peers_engine_order(
    example_data: ServeData,
) -> None:
    """Whatever order the partitions put the peers in, each peer's rows come out in the
    order of the engine's rows, so listings page the same way."""
    d = example_data.decisions
    assert d is not None
    engine_rows = d.table.appearance.tolist()
    verdicts = [example_data.builder(r) for r in engine_rows]
    rng = random.Random(16)
    for _ in range(20):
        peers = sorted({v.peer_asn for v in verdicts})
        rng.shuffle(peers)
        place = {p: i for i, p in enumerate(peers)}
        shuffled = sorted(verdicts, key=lambda v: place[v.peer_asn])  # stable: per-peer order kept
        data = verdict_serve_data(
            shuffled,
            example_data.policy,
            (),
            datetime.now(UTC),
            as_of=0,
            warnings=(),
            received=len(shuffled),
        )
        for asn, index in data.peers.items():
            want = [example_data.builder(int(r)) for r in example_data.peers[asn].rows]
            assert [data.builder(int(r)) for r in index.rows] == want
    assert route_order(verdicts).tolist() == sorted(
        range(len(verdicts)), key=lambda i: engine_rows[i]
    )
