"""Received routes as columns: the routes they hold, step 2 on them, and the path facts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routesieve.columnar.coded import Coded, CodedText
from routesieve.columnar.paths import PathTable
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.engine.paths import path_facts
from routesieve.engine.table import build_table
from routesieve.model import AsnBlock, AsPath, Prefix, Route, Segment, SegmentType

ASN = st.sampled_from([0, 1, 2, 3, 23456, 64512, 65001, 65002, 4200000000])
SEGMENTS = st.builds(
    Segment,
    st.sampled_from(list(SegmentType)),
    st.lists(ASN, max_size=4).map(tuple),
)
PATHS = st.one_of(
    st.lists(ASN, max_size=6).map(AsPath.sequence),
    st.lists(SEGMENTS, max_size=4).map(lambda s: AsPath(tuple(s))),
)
PREFIXES = st.sampled_from(
    [Prefix.parse(t) for t in ("10.0.0.0/8", "10.0.0.0/9", "2001:db8::/32", "::/0")] + [None]
)
ROUTES = st.builds(
    Route,
    peer_asn=ASN,
    prefix=PREFIXES,
    as_path=PATHS,
    session=st.sampled_from([None, "a", "b", "rs"]),
    problem=st.sampled_from([None, None, None, "unparseable prefix 'x'"]),
    raw_prefix=st.sampled_from(["", "10.0.0.0/8", "x"]),
    communities=st.sampled_from([(), ("65001:1",), ("1:2:3", "65001:1")]),
)


def reference_facts(path: AsPath) -> tuple[int, int, int, bool, bool, int]:
    """origin, first, hops, has_set, empty and two-hop origin, read off the path itself."""
    folded = path.folded
    two = folded[1] if folded is not None and len(folded) == 2 else -1
    origin = first = -1
    if path.segments and path.segments[-1].type == SegmentType.AS_SEQUENCE:
        origin = next(iter(path.segments[-1].asns[-1:]), -1)
    if path.segments and path.segments[0].type == SegmentType.AS_SEQUENCE:
        first = next(iter(path.segments[0].asns), -1)
    return origin, first, path.hop_count, path.has_set, not list(path.asns()), two


@settings(max_examples=200, deadline=None)
@given(st.lists(PATHS, max_size=12))
def test_path_facts_on_flattened_paths_match_each_path(paths: list[AsPath]) -> None:
    blocks = [
        AsnBlock(0, 64511, "Assigned by ARIN"),
        AsnBlock(65536, 4199999999, "Assigned by RIPE NCC"),
    ]
    facts = path_facts(paths, blocks, 1, 4294967294)
    for i, path in enumerate(paths):
        origin, first, hops, has_set, empty, two = reference_facts(path)
        assert facts.origin[i] == origin and facts.first[i] == first
        assert facts.hops[i] == hops and facts.has_set[i] == has_set
        assert facts.empty[i] == empty and facts.two_hop_origin[i] == two
        asns = list(path.asns())
        assert facts.as_zero[i] == (0 in asns) and facts.as_trans[i] == (23456 in asns)
        bogon = next((a for a in asns if 64496 <= a <= 131071 or a >= 4200000000), -1)
        assert facts.bogon_asn[i] == bogon


@settings(max_examples=200, deadline=None)
@given(st.lists(ROUTES, max_size=20), st.integers(0, 20))
def test_columns_hold_the_routes_they_were_made_of(routes: list[Route], cut: int) -> None:
    columns = ReceivedRoutes.of(routes)
    assert list(columns) == routes
    assert [columns[i] for i in range(len(routes))] == routes
    assert list(columns[cut:]) == routes[cut:]
    joined = ReceivedRoutes.concat([columns[:cut], ReceivedRoutes.of(routes[cut:])])
    assert list(joined) == routes
    assert len(joined.paths) == len({r.as_path for r in routes})  # equal paths made one


@settings(max_examples=100, deadline=None)
@given(st.lists(PATHS, max_size=30))
def test_unique_paths_are_the_distinct_paths_in_first_seen_order(paths: list[AsPath]) -> None:
    ids, distinct = PathTable.of(paths).unique()
    assert list(distinct) == list(dict.fromkeys(paths))
    assert [distinct[i] for i in ids.tolist()] == paths


def test_repeated_route_on_two_sessions_is_one_row_with_both_sessions() -> None:
    path = AsPath.sequence([65001, 65002])
    prefix = Prefix.parse("2001:db8::/32")
    routes = [
        Route(65001, prefix, path, "a"),
        Route(65001, Prefix.parse("10.0.0.0/8"), path, "a"),
        Route(65001, prefix, AsPath.sequence([65001, 65002]), "b"),
    ]
    table = build_table(ReceivedRoutes.of(routes), frozenset())
    assert len(table) == 2
    row = int(table.appearance[0])
    assert table.sessions(row) == ("a", "b") and table.first[row] == routes[0]
    assert np.array_equal(table.appearance, build_table(routes, frozenset()).appearance)


def test_route_server_route_is_merged_under_its_first_as() -> None:
    prefix = Prefix.parse("2001:db8::/32")
    routes = [
        Route(65000, prefix, AsPath.sequence([65001, 65002]), "rs"),
        Route(65001, prefix, AsPath.sequence([65001, 65002]), "bilateral"),
    ]
    table = build_table(ReceivedRoutes.of(routes), frozenset({"rs"}))
    assert len(table) == 1 and table.sessions(0) == ("rs", "bilateral")
    assert table.peer.tolist() == [65001] and table.received_from.tolist() == [65000]


@settings(max_examples=60, deadline=None)
@given(st.lists(ROUTES, max_size=25))
def test_merging_and_path_numbering_stay_exact_when_hashes_collide(routes: list[Route]) -> None:
    """With every hash made equal, the exact checks notice and the slow ways decide."""
    from routesieve.columnar import paths as columns_module
    from routesieve.engine import table as table_module

    expected = build_table(routes, frozenset({"rs"}))
    zeros = tuple(np.uint64(0) for _ in range(64))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(table_module, "_MULTIPLIERS", zeros[:5])
        patch.setattr(columns_module, "_MULTIPLIERS", np.zeros(64, np.uint64))
        ids, distinct = PathTable.of([r.as_path for r in routes]).unique()
        collided = build_table(routes, frozenset({"rs"}))
    assert list(distinct) == list(dict.fromkeys(r.as_path for r in routes))
    assert [distinct[i] for i in ids.tolist()] == [r.as_path for r in routes]
    assert np.array_equal(collided.appearance, expected.appearance)
    assert list(collided.first) == list(expected.first)
    assert [collided.sessions(r) for r in range(len(collided))] == [
        expected.sessions(r) for r in range(len(expected))
    ]


TEXTS = st.lists(
    st.sampled_from(["", "10.0.0.0/8", "x", "Düsseldorf", "\ud800lone", "2001:db8::/32"]),
    max_size=12,
)


@given(st.lists(TEXTS, max_size=4), st.data())
def test_coded_texts_hold_the_texts_they_were_made_of(
    parts: list[list[str]], data: st.DataObject
) -> None:
    """One buffer for the distinct texts gives back every text, across concat and take."""
    coded = [
        CodedText.of(p, len(p)) if data.draw(st.booleans()) else Coded.of(p, len(p)) for p in parts
    ]
    joined = CodedText.concat(coded) if coded else CodedText.of([], 0)
    every = [t for p in parts for t in p]
    assert list(joined) == every
    assert joined.items(0, len(joined)) == every
    order = data.draw(st.permutations(range(len(every))))
    assert joined.take(np.array(order, np.int64)).items(0, len(every)) == [every[i] for i in order]


def test_path_hash_multipliers_are_the_seeded_draw_they_were_written_from() -> None:
    from routesieve.columnar.paths import _MULTIPLIERS

    draw = np.random.default_rng(20261203).integers(1, 1 << 63, 64, dtype=np.uint64)
    assert _MULTIPLIERS.dtype == np.uint64
    assert _MULTIPLIERS.tolist() == (draw * np.uint64(2) + np.uint64(1)).tolist()


def test_the_first_routes_of_a_table_are_read_from_the_received_columns() -> None:
    """``RouteTable.first`` shares the received routes' columns (no copy in row order)
    and gives, per row, the first received route of that merged route."""

    def route(peer: int, prefix: str, path: str, session: str) -> Route:
        return Route(peer, Prefix.parse(prefix), AsPath.parse(path), session)

    given = [
        route(65001, "192.0.2.0/24", "65001 65010", "a"),
        route(65002, "10.0.0.0/8", "65002", "b"),
        route(65001, "192.0.2.0/24", "65001 65010", "c"),  # merged into the first
        route(65003, "2001:db8::/32", "65003 65020", "d"),
    ]
    received = ReceivedRoutes.of(given)
    table = build_table(received, frozenset())
    assert table.first.received is received
    assert len(table.first) == 3
    firsts = [given[0], given[1], given[3]]
    by_row = [firsts[k] for k in np.argsort(table.appearance).tolist()]
    assert [(r.peer_asn, r.prefix, r.session) for r in table.first] == [
        (r.peer_asn, r.prefix, r.session) for r in by_row
    ]
    assert [r.session for r in table.first[1:]] == [r.session for r in by_row[1:]]
    assert table.first[-1].session == by_row[-1].session
