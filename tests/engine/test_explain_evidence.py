"""``explain_row`` names the evidence of 4.2 and 4.3: the accepted prefixes of the peer
that cover a downstream route, and the RIR holders of the prefix and of the peer AS; the
same with the snapshot's data as tuples and as stored columns."""

from __future__ import annotations

import pytest
from engine_builders import DOWN, PEER, asn_deleg, ip_deleg, policy, route, snapshot, vrp

from routesieve.columnar import AsnDelegationTable, IpDelegationTable, RouteObjectTable
from routesieve.engine.evaluate import decide
from routesieve.engine.explain import explain_row
from routesieve.model import Prefix, RouteObject, set_prefix_source
from routesieve.snapshot import Snapshot

OWN = "2a0a:1000::/32"
SUB = "2a0a:1000:5::/48"
ELSEWHERE = "2a0b:2000::/32"


def _steps(snap: Snapshot, routes: list) -> dict[str, dict[str, str]]:  # type: ignore[type-arg]
    d = decide(routes, snap, policy())
    out = {}
    for row in d.table.appearance.tolist():
        e = explain_row(d, row)
        out[e.verdict.prefix] = {s.rule: s.detail for s in e.steps}
    return out


def _snapshots() -> list[Snapshot]:
    ips = [ip_deleg("2a0a:1000::/29", "h1"), ip_deleg(ELSEWHERE, "h2", registry="arin")]
    asns = [asn_deleg(PEER - 5, "h1", count=10), asn_deleg(DOWN, "h3")]
    plain = snapshot(vrps=[vrp(OWN, PEER)], ip_delegations=ips, asn_delegations=asns)
    columns = Snapshot(
        as_of=plain.as_of,
        vrps=plain.vrps,
        ip_delegations=IpDelegationTable.of(ips),
        asn_delegations=AsnDelegationTable.of(asns),
    )
    return [plain, columns]


@pytest.mark.parametrize("snap", _snapshots(), ids=["tuples", "columns"])
def test_downstream_route_names_the_accepted_prefix_that_covers_it(snap: Snapshot) -> None:
    routes = [
        route(PEER, OWN, [PEER]),
        route(PEER, SUB, [PEER, DOWN]),
        route(PEER, ELSEWHERE, [PEER, DOWN]),
        route(DOWN, "2a0a:1000:6::/48", [DOWN]),
    ]
    steps = _steps(snap, routes)
    assert steps[SUB]["4.2"].endswith("cover it: 2a0a:1000::/32 (4.1)")
    # a prefix the accepted one does not cover, or a route of another peer, gets none
    assert steps[ELSEWHERE]["4.2"].endswith("cover it: none")
    assert steps["2a0a:1000:6::/48"]["4.2"].endswith("cover it: none")


@pytest.mark.parametrize("snap", _snapshots(), ids=["tuples", "columns"])
def test_rir_step_names_the_holders_of_the_prefix_and_of_the_peer_as(snap: Snapshot) -> None:
    steps = _steps(snap, [route(PEER, SUB, [PEER, DOWN])])
    detail = steps[SUB]["4.3"]
    assert "prefix held by ripencc:h1 (2a0a:1000::/29, allocated)" in detail
    assert f"AS{PEER} held by ripencc:h1 (allocated)" in detail
    assert "h2" not in detail and "h3" not in detail


@pytest.mark.parametrize("columns", [False, True], ids=["tuples", "columns"])
def test_prefix_list_row_is_named_with_its_set_and_sources(columns: bool) -> None:
    rows = [
        RouteObject(Prefix.parse(OWN), 0, set_prefix_source("AS-PEER", ["RIPE", "RADB"])),
        RouteObject(Prefix.parse(OWN), 0, set_prefix_source("AS-OTHER", ["RIPE"])),
    ]
    snap = snapshot(route_objects=RouteObjectTable.of(rows) if columns else rows)
    d = decide([route(PEER, OWN, [PEER, DOWN])], snap, policy({PEER: ["AS-PEER"]}))
    e = explain_row(d, int(d.table.appearance[0]))
    detail = {s.rule: s.detail for s in e.steps}["4.4"]
    assert "in the prefix list of AS-PEER (RIPE,RADB) in policy" in detail
    assert "prefix list of AS-OTHER (RIPE)" in detail
    assert "AS-OTHER (RIPE) in policy" not in detail
    assert e.verdict.evidence["set_prefix_list"] == {
        "prefix": OWN,
        "as_set": "AS-PEER",
        "sources": ["RIPE", "RADB"],
    }
