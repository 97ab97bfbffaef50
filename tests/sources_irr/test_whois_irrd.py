"""The whois client against a real IRRd 4 loaded with real RIPE as-sets and route objects."""

from __future__ import annotations

import pytest
from irrd_excerpt import LOOP_SET
from irrd_lab import IrrdLab

from routesieve.engine.as_sets import AsSetCatalog
from routesieve.sources.irr.whois import PIPELINE, QueryRefused, WhoisConnection
from routesieve.sources.rpsl import read_rpsl

SET = "AS-DOIX-RS"


def connect(irrd: IrrdLab) -> WhoisConnection:
    return WhoisConnection(irrd.host, irrd.port, timeout=20)


def test_plain_members_are_the_set_as_written(irrd: IrrdLab) -> None:
    with connect(irrd) as conn:
        members = conn.members(SET)
    assert members is not None
    assert sorted(members) == sorted(irrd.excerpt.as_sets[SET])
    assert any(m.startswith("AS-") for m in members), "the test set should nest other sets"


def test_recursive_members_are_the_asns_the_engine_expands(irrd: IrrdLab) -> None:
    catalog = AsSetCatalog(read_rpsl(irrd.excerpt.as_set_file).as_sets)
    with connect(irrd) as conn:
        for name in (SET, LOOP_SET):
            members = conn.members(name, recursive=True)
            assert members is not None
            expected = catalog.expand([name], 100, 1_000_000).asns
            assert {int(m[2:]) for m in members} == expected


def test_origin_prefixes_are_those_of_the_route_objects(irrd: IrrdLab) -> None:
    routes = irrd.excerpt.routes
    sample = sorted(routes, key=lambda a: -len(routes[a]))[:10]
    with connect(irrd) as conn:
        for asn in sample:
            got = set(conn.origin_prefixes(asn, 4)) | set(conn.origin_prefixes(asn, 6))
            assert got == routes[asn], f"AS{asn}"
    assert any(":" in p for a in sample for p in routes[a]), "the sample should hold IPv6"


def test_unknown_keys_answer_not_found(irrd: IrrdLab) -> None:
    with connect(irrd) as conn:
        assert conn.members("AS-NO-SUCH-SET-ANYWHERE") is None
        assert conn.query("!gAS4200000000") is None
        assert conn.origin_prefixes(4200000000, 6) == []


def test_bad_query_is_refused_and_the_connection_goes_on(irrd: IrrdLab) -> None:
    with connect(irrd) as conn:
        with pytest.raises(QueryRefused) as refused:
            conn.query("!xyz")
        assert "!xyz" in str(refused.value) and irrd.url in str(refused.value)
        with pytest.raises(QueryRefused, match="sources"):
            conn.set_sources(["NO-SUCH-SOURCE"])
        assert conn.members(LOOP_SET) == ["AS-RSLOOP-B", "AS8587"]


def test_pipelined_queries_answer_in_order(irrd: IrrdLab) -> None:
    asns = sorted(irrd.excerpt.routes)
    base = [f"!gAS{a}" for a in asns] + [f"!6AS{a}" for a in asns]
    base += [f"!i{name}" for name in sorted(irrd.excerpt.as_sets)]
    queries = base * (2 * PIPELINE // len(base) + 1)
    assert len(queries) > 2 * PIPELINE  # several batches
    with connect(irrd) as conn:
        pipelined = conn.query_many(queries)
        one_by_one = [conn.query(q) for q in base]
    assert pipelined == one_by_one * (len(queries) // len(base))


def test_set_prefixes_query_equals_the_union_of_origin_queries(irrd: IrrdLab) -> None:
    with connect(irrd) as conn:
        asns = {int(m[2:]) for m in conn.members(SET, recursive=True) or []}
        for version in (4, 6):
            union = {p for a in asns for p in conn.origin_prefixes(a, version)}
            assert set(conn.set_prefixes(SET, version)) == union
