"""The bgpq4-like fetch (``!i<set>,1``, ``!a6``/``!a4``) on a real IRRd loaded with the
real RIPE excerpt: for four real as-sets, one of them large and nested, the prefixes the
engine accepts by rule 4.4 are exactly the prefixes Debian's bgpq4 lists for the set."""

from __future__ import annotations

from pathlib import Path

import pytest
from irrd_excerpt import EXCERPT_SETS, LARGE_SET
from irrd_lab import IrrdLab
from test_fetch_irrd import bgpq4_prefixes

from routesieve.engine.evaluate import evaluate
from routesieve.engine.rules import Rule
from routesieve.model import AsPath, Prefix, Route, set_prefix_ref
from routesieve.policy import PeerPolicy, Policy
from routesieve.snapshot import Snapshot
from routesieve.sources.irr.fetch import fetch_whois
from routesieve.sources.irr.set_lists import fetch_set_lists
from routesieve.sources.irr.whois import WhoisConnection
from routesieve.sources.rpsl import read_rpsl

SETS = [*EXCERPT_SETS, LARGE_SET]
SOURCES = ("RIPE", "RIPE-NONAUTH")
PEER = 6939  # not a member of any of the sets, and without route objects in the excerpt


@pytest.fixture(scope="module")
def fetched(irrd: IrrdLab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("lists") / "irr.db"
    fetch_whois(f"{irrd.url}?sources=RIPE,RIPE-NONAUTH", dest, as_sets=SETS, asns=[], timeout=60)
    return dest


def decided_by_4_4(snapshot: Snapshot, as_set: str, candidates: set[str]) -> set[str]:
    """The candidate prefixes the engine accepts by 4.4 from a peer that opted in
    ``as_set`` (length limits opened up, so no earlier rule takes a route first)."""
    policy = Policy(
        local_asn=214312,
        ipv4_min_length=0,
        ipv4_max_length=32,
        ipv6_min_length=0,
        ipv6_max_length=128,
        peers={PEER: PeerPolicy(PEER, as_sets=(as_set,))},
    )
    routes = [Route(PEER, Prefix.parse(p), AsPath.parse(f"{PEER}")) for p in sorted(candidates)]
    verdicts = evaluate(routes, snapshot, policy)
    return {str(v.prefix) for v in verdicts if v.rule == Rule.IRR_EXACT.value}


def test_prefixes_decided_by_4_4_equal_bgpq4s_for_each_set(irrd: IrrdLab, fetched: Path) -> None:
    data = read_rpsl(fetched)
    assert not data.problems
    snapshot = Snapshot(as_of=0, route_objects=data.route_objects, as_sets=data.as_sets)
    every_prefix = {p for ps in irrd.excerpt.routes.values() for p in ps}
    for name in SETS:
        expected = bgpq4_prefixes(irrd, name, 6) | bgpq4_prefixes(irrd, name, 4)
        assert expected, f"{name}: the comparison must not be between two empty sets"
        got = decided_by_4_4(snapshot, name, every_prefix | expected)
        assert got == expected, name


def test_each_set_keeps_its_members_for_rule_4_5(irrd: IrrdLab, fetched: Path) -> None:
    data = read_rpsl(fetched)
    by_name = {s.name: s for s in data.as_sets}
    with WhoisConnection(irrd.host, irrd.port, timeout=60) as conn:
        conn.set_sources(SOURCES)
        for name in SETS:
            server = set(conn.members(name, recursive=True) or ())
            assert set(by_name[name].members) == server and server, name
            assert by_name[name].source == "RIPE,RIPE-NONAUTH"
    assert len(by_name[LARGE_SET].members) > 500, "the large set is large"


def test_prefix_rows_name_the_set_and_the_sources(fetched: Path) -> None:
    rows = read_rpsl(fetched).route_objects
    assert {set_prefix_ref(r.source) for r in rows} == set(SETS)
    assert {r.source.rpartition("@")[2] for r in rows} == {"RIPE,RIPE-NONAUTH"}
    assert {r.origin for r in rows} == {0}


def test_ipv6_only_network_asks_no_ipv4_prefix_list(irrd: IrrdLab) -> None:
    with WhoisConnection(irrd.host, irrd.port, timeout=60) as conn:
        got = fetch_set_lists(conn, ["AS-DOIX-RS"], SOURCES, versions=(6,))
    assert got.prefixes and all(r.prefix.version == 6 for r in got.prefixes)


def test_set_over_the_member_limit_loses_its_prefix_list(irrd: IrrdLab) -> None:
    with WhoisConnection(irrd.host, irrd.port, timeout=60) as conn:
        got = fetch_set_lists(conn, [LARGE_SET], SOURCES, max_members=5)
    assert not got.prefixes and len(got.asns) == 5
    assert any("over the limit of 5" in n for n in got.notes)


def test_pinned_source_and_missing_set_are_notes(irrd: IrrdLab) -> None:
    with WhoisConnection(irrd.host, irrd.port, timeout=60) as conn:
        pinned = fetch_set_lists(conn, ["RIPE::AS-DOIX-RS"], SOURCES)
        elsewhere = fetch_set_lists(conn, ["RIPE-NONAUTH::AS-DOIX-RS", "AS-NOSUCH-X"], SOURCES)
        unknown = fetch_set_lists(conn, ["NOSUCH::AS-DOIX-RS"], SOURCES)
    # the route objects of the excerpt are in RIPE-NONAUTH: none in RIPE's own prefix list
    assert pinned.asns and not pinned.prefixes
    assert [(s.name, s.source) for s in pinned.as_sets] == [("AS-DOIX-RS", "RIPE")]
    assert not elsewhere.asns and not elsewhere.prefixes
    assert sum("not found" in n for n in elsewhere.notes) == 2
    assert any("NOSUCH refused" in n for n in unknown.notes)


def test_strict_origin_fetches_route_objects_per_as(irrd: IrrdLab, tmp_path: Path) -> None:
    dest = tmp_path / "irr.db"
    url = f"{irrd.url}?sources=RIPE,RIPE-NONAUTH"
    fetch_whois(url, dest, as_sets=["AS-DOIX-RS"], asns=[], timeout=60, strict_origin=True)
    rows = read_rpsl(dest).route_objects
    assert rows and all(set_prefix_ref(r.source) is None and r.origin for r in rows)
