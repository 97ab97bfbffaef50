"""Property tests: the cover look-ups of ``engine.cover`` against a brute-force scan.

Entries and routes are drawn from a few nearby addresses with every length, so that
prefixes nest, repeat and sit side by side, in both families, with IPv6 entries longer
than /64 (matched apart) among them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from routesieve.engine.cover import CoverIndex, PrefixColumns, find_in_order
from routesieve.engine.pairs import PairSet
from routesieve.prefix import BITS, Prefix

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
World = tuple[list[Prefix], list[Prefix], int]
V4_BASES = (0xC0000200, 0xC0000280, 0x0A000000, 0xC0A80000, 0x00000000)
V6_BASES = (
    0x20010DB8 << 96,
    (0x20010DB8 << 96) | (1 << 64),
    (0x20010DB8 << 96) | (1 << 63) | 5,
    0x2A000000 << 96,
)


@st.composite
def prefixes(draw: st.DrawFn) -> Prefix:
    version = draw(st.sampled_from((4, 6)))
    bases = V4_BASES if version == 4 else V6_BASES
    base = draw(st.sampled_from(bases))
    bits = BITS[version]
    length = draw(st.integers(0, bits))
    return Prefix.from_address(version, base, length)


def covers(entry: Prefix, route: Prefix) -> bool:
    if entry.version != route.version or entry.length > route.length:
        return False
    shift = entry.bits - entry.length
    return entry.value >> shift == route.value >> shift


def brute_pairs(entries: list[Prefix], routes: list[Prefix], exact: bool) -> set[tuple[int, int]]:
    return {
        (r, e)
        for r, route in enumerate(routes)
        for e, entry in enumerate(entries)
        if (entry == route if exact else covers(entry, route))
    }


def brute_find(
    entries: list[Prefix],
    routes: list[Prefix],
    passes: set[tuple[int, int]],
    exact: bool,
    deepest_only: bool,
) -> list[int]:
    """Per route: of the passing covering entries, the deepest, then the last listed."""
    out = []
    for r in range(len(routes)):
        found = [e for (rr, e) in brute_pairs(entries, routes[r : r + 1], exact) if rr == 0]
        if deepest_only and found:
            deepest = max(entries[e].length for e in found)
            found = [e for e in found if entries[e].length == deepest]
        ok = [e for e in found if (r, e) in passes]
        out.append(max(ok, key=lambda e: (entries[e].length, e)) if ok else -1)
    return out


worlds = st.tuples(
    st.lists(prefixes(), max_size=40),
    st.lists(prefixes(), min_size=1, max_size=25),
    st.integers(0, 2**32),
)


def _passes(seed: int, n_routes: int, n_entries: int) -> set[tuple[int, int]]:
    rng = np.random.default_rng(seed)
    return {(r, e) for r in range(n_routes) for e in range(n_entries) if rng.random() < 0.5}


def _test(passes: set[tuple[int, int]]) -> Callable[[I64, I64], Bools]:
    def test(rid: I64, eid: I64) -> Bools:
        pairs = zip(rid.tolist(), eid.tolist(), strict=True)
        return np.array([pair in passes for pair in pairs], np.bool_)

    return test


@settings(max_examples=300, deadline=None)
@given(worlds, st.booleans())
def test_pairs_are_every_covering_or_equal_entry(world: World, exact: bool) -> None:
    entries, routes, _ = world
    rid, eid = CoverIndex.of(entries).pairs(PrefixColumns.of(routes), exact=exact)
    got = list(zip(rid.tolist(), eid.tolist(), strict=True))
    assert len(got) == len(set(got))
    assert set(got) == brute_pairs(entries, routes, exact)


@settings(max_examples=300, deadline=None)
@given(worlds, st.booleans(), st.booleans())
def test_find_cites_the_deepest_passing_entry_listed_last(
    world: World, exact: bool, deepest_only: bool
) -> None:
    entries, routes, seed = world
    everything = {(r, e) for r in range(len(routes)) for e in range(len(entries))}
    some = _passes(seed, len(routes), len(entries))
    index = CoverIndex.of(entries)
    cols = PrefixColumns.of(routes)
    tests = (None, _test(some), _test(set()))
    got = index.find(cols, tests, exact=exact, deepest_only=deepest_only)
    assert got[0].tolist() == brute_find(entries, routes, everything, exact, deepest_only)
    assert got[1].tolist() == brute_find(entries, routes, some, exact, deepest_only)
    assert got[2].tolist() == [-1] * len(routes)
    # one test at a time gives the same as several in one walk
    alone = index.find(cols, (_test(some),), exact=exact, deepest_only=deepest_only)
    assert alone[0].tolist() == got[1].tolist()


def test_nested_entries_cite_the_most_specific_and_equal_prefixes_the_last() -> None:
    entries = [Prefix.parse(p) for p in ("10.0.0.0/8", "10.1.0.0/16", "10.1.0.0/16", "10.2.0.0/16")]
    routes = [Prefix.parse(p) for p in ("10.1.2.0/24", "10.3.0.0/24", "11.0.0.0/8", "10.2.0.0/16")]
    (found,) = CoverIndex.of(entries).find(PrefixColumns.of(routes))
    assert found.tolist() == [2, 0, -1, 3]


def _in_address_order(routes: list[Prefix]) -> PrefixColumns:
    """The routes as a route table lays them out: sorted by the top 64 bits."""
    cols = PrefixColumns.of(routes)
    return cols.take(np.argsort(cols.hi, kind="stable"))


@settings(max_examples=300, deadline=None)
@given(worlds)
def test_runs_of_address_sorted_routes_cite_what_find_cites(world: World) -> None:
    entries, routes, seed = world
    cols = _in_address_order(routes)
    index = CoverIndex.of(entries)
    rows = np.flatnonzero(np.random.default_rng(seed).random(len(routes)) < 0.7)
    got = index.find_in_order(cols, rows)
    if any(e.version == 6 and e.length > 64 for e in entries):
        assert got is None
    else:
        assert got is not None
        assert got.tolist() == index.find(cols.take(rows))[0].tolist()


@settings(max_examples=300, deadline=None)
@given(worlds)
def test_few_entries_over_sorted_routes_cite_what_an_index_of_them_cites(world: World) -> None:
    entries, routes, seed = world
    cols = _in_address_order(routes)
    some = _passes(seed, len(routes), len(entries))
    got = find_in_order(cols, PrefixColumns.of(entries), _test(some))
    if any(e.version == 6 and e.length > 64 for e in entries):
        assert got is None
    else:
        assert got is not None
        (want,) = CoverIndex.of(entries).find(cols, (_test(some),))
        assert got.tolist() == want.tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(prefixes(), min_size=100, max_size=300),
    st.lists(prefixes(), min_size=1, max_size=3),
)
def test_a_few_routes_in_a_large_index_find_their_covering_chain(
    entries: list[Prefix], routes: list[Prefix]
) -> None:
    # few routes against many entries: parents are looked up, not computed for all
    index = CoverIndex.of(entries)
    everything = {(r, e) for r in range(len(routes)) for e in range(len(entries))}
    got = index.find(PrefixColumns.of(routes), (None, _test(set())))
    assert got[0].tolist() == brute_find(entries, routes, everything, False, False)
    rid, eid = index.pairs(PrefixColumns.of(routes))
    assert set(zip(rid.tolist(), eid.tolist(), strict=True)) == brute_pairs(entries, routes, False)


@settings(max_examples=300, deadline=None)
@given(worlds, st.booleans())
def test_entries_left_out_are_never_cited_and_the_rest_keep_their_numbers(
    world: World, exact: bool
) -> None:
    """``keep`` (the expired VRPs of a stored table): an index of the kept entries of a
    list cites what an index of the kept list alone cites, by their place in the list."""
    entries, routes, seed = world
    keep = np.random.default_rng(seed).random(len(entries)) < 0.6
    kept = np.flatnonzero(keep)
    cols = PrefixColumns.of(routes)
    (got,) = CoverIndex(PrefixColumns.of(entries), keep).find(cols, exact=exact)
    (alone,) = CoverIndex.of([entries[i] for i in kept.tolist()]).find(cols, exact=exact)
    assert got.tolist() == [int(kept[a]) if a >= 0 else -1 for a in alone.tolist()]
    _, eid = CoverIndex(PrefixColumns.of(entries), keep).pairs(cols, exact=exact)
    assert set(eid.tolist()) <= set(kept.tolist())


@settings(max_examples=200, deadline=None)
@given(worlds, st.booleans(), st.booleans())
def test_routes_repeated_in_runs_cite_what_each_route_cites_alone(
    world: World, exact: bool, deepest_only: bool
) -> None:
    # a route table holds a prefix's rows from several peers next to each other: the
    # look-up searches once per run, and every row of the run still gets its own test
    entries, routes, seed = world
    repeated = [route for route in sorted(routes, key=lambda p: (p.version, p.value)) for _ in "ab"]
    some = _passes(seed, len(repeated), len(entries))
    got = CoverIndex.of(entries).find(
        PrefixColumns.of(repeated), (None, _test(some)), exact=exact, deepest_only=deepest_only
    )
    everything = {(r, e) for r in range(len(repeated)) for e in range(len(entries))}
    assert got[0].tolist() == brute_find(entries, repeated, everything, exact, deepest_only)
    assert got[1].tolist() == brute_find(entries, repeated, some, exact, deepest_only)


#: small numbers (handle codes), and AS numbers up to the largest 32-bit one
NUMBERS = st.one_of(st.integers(0, 6), st.sampled_from([65_000, 2**32 - 2, 2**32 - 1]))
QUERIED = st.one_of(st.just(-1), NUMBERS, st.just(7))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(NUMBERS, NUMBERS), max_size=30),
    st.lists(QUERIED, max_size=5),
    st.lists(st.tuples(QUERIED, QUERIED), max_size=30),
)
def test_pairs_of_some_first_numbers_answer_as_the_whole_set_for_those_numbers(
    pairs: list[tuple[int, int]], firsts: list[int], queries: list[tuple[int, int]]
) -> None:
    whole = PairSet([a for a, _ in pairs], [b for _, b in pairs])
    among = np.unique(np.array(firsts, np.int64))
    subset = whole.only(among)
    a = np.array([q for q, _ in queries], np.int64)
    b = np.array([q for _, q in queries], np.int64)
    wanted = [(x, y) in set(pairs) and x in firsts for x, y in queries]
    assert subset.contains(a, b).tolist() == wanted


def test_the_pairs_of_the_largest_as_number_are_found() -> None:
    """AS 4294967295 as a peer: its pairs end at the top of the 64-bit keys."""
    top = 2**32 - 1
    whole = PairSet([top, top, 5], [3, top, 3])
    subset = whole.only(np.array([5, top], np.int64))
    a = np.array([top, top, top, 5, 5], np.int64)
    b = np.array([3, top, 4, 3, top], np.int64)
    assert subset.contains(a, b).tolist() == [True, True, False, True, False]
