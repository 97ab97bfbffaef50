"""The JSON API over real HTTP, on the bundled example: every endpoint, paging, filters,
and clear 4xx answers for bad parameters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from routesieve.engine.explain import explain_row
from routesieve.engine.rules import ALL_RULES
from routesieve.web import ServeData
from routesieve.web.schemas import (
    ErrorOut,
    ExplanationOut,
    PeersOut,
    RouteOut,
    RoutePage,
    RunOut,
    SourcesOut,
)

NORDWIND = 209001


def all_routes(client: httpx.Client, asn: int, **params: Any) -> list[dict[str, Any]]:
    """Every route of ``asn`` by following the next links (bounded)."""
    got: list[dict[str, Any]] = []
    url: str | None = f"/api/v1/peers/{asn}/routes"
    first = True
    for _ in range(1000):
        if url is None:
            return got
        r = client.get(url, params=params if first else None)
        first = False
        assert r.status_code == 200, r.text
        page = RoutePage.model_validate(r.json())
        got.extend(x.model_dump() for x in page.routes)
        url = page.next
    raise AssertionError("the next links never ended")


def test_peers_lists_every_peer_with_counts_matching_the_engine(
    client: httpx.Client, example_data: ServeData
) -> None:
    r = client.get("/api/v1/peers")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = PeersOut.model_validate(r.json())
    by_asn = {p.asn: p for p in body.peers}
    # the peers that sent routes, plus the configured route-server AS with none of its own
    assert set(by_asn) == {209001, 209002, 209003, 209004, 209100, 209200}
    nordwind = by_asn[NORDWIND]
    assert nordwind.name == "Nordwind Transit"
    assert nordwind.as_sets == ["RIPE::AS-NORDWIND"]
    assert nordwind.sessions == ["bgpx-1", "locix-1"]
    d = example_data.decisions
    rows = [i for i in range(len(d.table)) if int(d.table.peer[i]) == NORDWIND]
    verdicts = [example_data.builder(i) for i in rows]
    assert nordwind.received == len(rows)
    assert nordwind.accepted == sum(v.action.value == "accept" for v in verdicts)
    assert nordwind.filtered == nordwind.received - nordwind.accepted
    assert sum(nordwind.by_rule.values()) == nordwind.received
    assert nordwind.by_rule["3.1"] == 1
    assert sum(nordwind.by_rpki.values()) == nordwind.received
    assert by_asn[209100].received == 0 and by_asn[209100].configured
    assert not by_asn[209200].configured


def test_routes_pages_cover_every_route_once_in_route_id_order(
    client: httpx.Client, example_data: ServeData
) -> None:
    routes = all_routes(client, NORDWIND, limit=3)
    ids = [r["route_id"] for r in routes]
    assert ids == sorted(set(ids))
    assert len(ids) == example_data.peers[NORDWIND].received
    assert {r["peer_asn"] for r in routes} == {NORDWIND}


def test_paging_reports_total_and_ends_with_no_next_link(client: httpx.Client) -> None:
    total = client.get(f"/api/v1/peers/{NORDWIND}/routes").json()["total"]
    first = client.get(f"/api/v1/peers/{NORDWIND}/routes", params={"limit": 5}).json()
    assert first["total"] == total and len(first["routes"]) == 5
    assert first["next"] == f"/api/v1/peers/{NORDWIND}/routes?limit=5&offset=5"
    last_offset = (total - 1) // 5 * 5
    last = client.get(
        f"/api/v1/peers/{NORDWIND}/routes", params={"limit": 5, "offset": last_offset}
    ).json()
    assert len(last["routes"]) == total - last_offset
    assert last["next"] is None
    beyond = client.get(f"/api/v1/peers/{NORDWIND}/routes", params={"offset": total + 10})
    assert beyond.status_code == 200
    assert beyond.json()["routes"] == [] and beyond.json()["total"] == total


def test_verdict_filter_splits_the_routes(client: httpx.Client) -> None:
    everything = all_routes(client, NORDWIND)
    accepted = all_routes(client, NORDWIND, verdict="accept")
    rejected = all_routes(client, NORDWIND, verdict="reject")
    assert {r["action"] for r in accepted} == {"accept"}
    assert {r["action"] for r in rejected} == {"reject"}
    assert sorted(r["route_id"] for r in accepted + rejected) == [r["route_id"] for r in everything]


def test_rule_filter_keeps_the_routes_of_that_rule(client: httpx.Client) -> None:
    page = client.get(f"/api/v1/peers/{NORDWIND}/routes", params={"rule": "3.3"}).json()
    assert page["total"] == 2
    assert {r["rule"] for r in page["routes"]} == {"3.3"}
    assert {r["prefix"] for r in page["routes"]} == {"2a0e:8a01:100::/56", "2001:db8:1::/64"}
    none = client.get(f"/api/v1/peers/{NORDWIND}/routes", params={"rule": "3.4"}).json()
    assert none["total"] == 0


def test_text_search_matches_prefix_and_path_case_insensitively(client: httpx.Client) -> None:
    by_prefix = client.get(f"/api/v1/peers/{NORDWIND}/routes", params={"q": "2A0E:8A0D"}).json()
    assert [r["prefix"] for r in by_prefix["routes"]] == ["2a0e:8a0d::/32"]
    by_path = client.get(f"/api/v1/peers/{NORDWIND}/routes", params={"q": "209001 23456"}).json()
    assert [r["rule"] for r in by_path["routes"]] == ["3.8"]
    both = client.get(
        f"/api/v1/peers/{NORDWIND}/routes", params={"q": "209015", "verdict": "reject"}
    ).json()
    assert [r["prefix"] for r in both["routes"]] == ["2a0e:8a09::/32", "2a0e:8a0a::/32"]
    accepted = client.get(
        f"/api/v1/peers/{NORDWIND}/routes", params={"q": "209015", "verdict": "accept"}
    ).json()
    assert accepted["total"] == 0 and accepted["routes"] == []


def test_one_route_is_its_verdict(client: httpx.Client, example_data: ServeData) -> None:
    listed = client.get(f"/api/v1/peers/{NORDWIND}/routes", params={"rule": "3.10"}).json()
    route_id = listed["routes"][0]["route_id"]
    r = client.get(f"/api/v1/peers/{NORDWIND}/routes/{route_id}")
    assert r.status_code == 200
    got = RouteOut.model_validate(r.json())
    want = example_data.builder(route_id).to_json()
    assert got.model_dump(exclude={"route_id", "rule_title", "communities"}) == want
    assert got.rule_title == "RPKI invalid"
    assert got.evidence["vrp"]["asn"] > 0


def test_explanation_lists_every_step_as_explain_row_does(
    client: httpx.Client, example_data: ServeData
) -> None:
    listed = client.get(f"/api/v1/peers/{NORDWIND}/routes", params={"rule": "4.4"}).json()
    route_id = listed["routes"][0]["route_id"]
    r = client.get(f"/api/v1/peers/{NORDWIND}/routes/{route_id}/explanation")
    assert r.status_code == 200
    got = ExplanationOut.model_validate(r.json())
    want = explain_row(example_data.decisions, route_id, example_data.builder)
    assert [(s.rule, s.title, s.outcome, s.detail, s.evidence) for s in got.steps] == [
        (s.rule, s.title, s.outcome, s.detail, s.evidence) for s in want.steps
    ]
    assert got.route.rule == "4.4"
    irr = next(s for s in got.steps if s.rule == "4.4")
    assert irr.outcome == "match"
    assert irr.evidence["route_objects"], "the matching route object is in the evidence"
    assert [s.rule for s in got.steps][:2] == ["X-AFI", "X-MALFORMED"]


def test_sources_give_provenance_and_the_stale_flag(
    client: httpx.Client, example_data: ServeData
) -> None:
    body = SourcesOut.model_validate(client.get("/api/v1/sources").json())
    assert body.max_age_hours == 48
    kinds = [s.kind for s in body.sources]
    assert kinds == [p.kind for p in example_data.provenance]
    rpki = next(s for s in body.sources if s.kind == "rpki")
    assert rpki.location.endswith("vrps.json") and rpki.count == 7
    assert rpki.generated == "2026-11-20T06:00:00Z"
    assert rpki.age_hours is not None and rpki.age_hours > 48 and rpki.stale
    irr = next(s for s in body.sources if s.kind == "irr")
    assert irr.generated is None and irr.age_hours is None and not irr.stale


def test_run_gives_time_files_and_counts(client: httpx.Client) -> None:
    run = RunOut.model_validate(client.get("/api/v1/run").json())
    assert run.local_asn == 214312
    assert run.received == 32 and run.merged == 31
    assert run.accepted + run.rejected == run.merged
    assert sum(run.by_rule.values()) == run.merged
    assert run.route_files[0].endswith("routes.jsonl")
    assert any("AS-GONE" in w for w in run.warnings)
    assert set(run.by_rule) <= {r.value for r in ALL_RULES}


@pytest.mark.parametrize(
    ("url", "params", "status", "parameter"),
    [
        (f"/api/v1/peers/{NORDWIND}/routes", {"offset": -1}, 422, "offset"),
        (f"/api/v1/peers/{NORDWIND}/routes", {"limit": 1001}, 422, "limit"),
        (f"/api/v1/peers/{NORDWIND}/routes", {"limit": 0}, 422, "limit"),
        (f"/api/v1/peers/{NORDWIND}/routes", {"limit": "ten"}, 422, "limit"),
        (f"/api/v1/peers/{NORDWIND}/routes", {"rule": "3.99"}, 422, "rule"),
        (f"/api/v1/peers/{NORDWIND}/routes", {"verdict": "maybe"}, 422, "verdict"),
        (f"/api/v1/peers/{NORDWIND}/routes", {"q": "x" * 201}, 422, "q"),
        ("/api/v1/peers/AS209001/routes", {}, 422, "asn"),
        ("/api/v1/peers/-5/routes", {}, 422, "asn"),
        ("/api/v1/peers/64999/routes", {}, 404, "asn"),
        (f"/api/v1/peers/{NORDWIND}/routes/abc", {}, 422, "route_id"),
        (f"/api/v1/peers/{NORDWIND}/routes/999999", {}, 404, "route_id"),
        (f"/api/v1/peers/{NORDWIND}/routes/999999/explanation", {}, 404, "route_id"),
        ("/api/v1/peers/64999/routes/0/explanation", {}, 404, "asn"),
    ],
)
def test_bad_parameters_get_a_json_answer_naming_them(
    client: httpx.Client, url: str, params: dict[str, Any], status: int, parameter: str
) -> None:
    r = client.get(url, params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = ErrorOut.model_validate(r.json())
    assert body.parameter == parameter
    assert body.error.startswith(f"{parameter}: ") or parameter in body.error
    assert "Traceback" not in r.text


def test_a_route_of_another_peer_is_not_found_under_this_one(client: httpx.Client) -> None:
    other = client.get("/api/v1/peers/209002/routes", params={"limit": 1}).json()["routes"][0]
    r = client.get(f"/api/v1/peers/{NORDWIND}/routes/{other['route_id']}")
    assert r.status_code == 404
    assert r.json()["parameter"] == "route_id"


def test_unknown_paths_and_methods_answer_json(client: httpx.Client) -> None:
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"] == "no such page: /api/v1/nothing"
    post = client.post("/api/v1/peers")
    assert post.status_code == 405
    assert "error" in post.json()
