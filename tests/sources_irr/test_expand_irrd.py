"""Walking real nested as-sets of the RIPE database on a real IRRd: the same ASNs as the
engine's own expansion of the same objects, loops cut, depth and member limits kept."""

from __future__ import annotations

from irrd_excerpt import EXCERPT_SETS, LOOP_SET
from irrd_lab import IrrdLab

from routesieve.engine.as_sets import AsSetCatalog
from routesieve.sources.irr.expand import fetch_as_sets, fetch_routes
from routesieve.sources.irr.whois import WhoisConnection
from routesieve.sources.rpsl import read_rpsl

SOURCES = ("RIPE", "RIPE-NONAUTH")


def catalog_of(irrd: IrrdLab) -> AsSetCatalog:
    return AsSetCatalog(read_rpsl(irrd.excerpt.as_set_file).as_sets)


def test_nested_real_sets_expand_as_the_engine_expands_the_dump(irrd: IrrdLab) -> None:
    catalog = catalog_of(irrd)
    with WhoisConnection(irrd.host, irrd.port, timeout=20) as conn:
        for name in EXCERPT_SETS:
            walk = fetch_as_sets(conn, [name], SOURCES, max_depth=10, max_members=100_000)
            expected = catalog.expand([name], 10, 100_000)
            assert walk.asns == expected.asns, name
            assert {s.name for s in walk.as_sets} == set(expected.sets), name
            assert all(s.source == "RIPE" for s in walk.as_sets)
            assert len(walk.as_sets) > 3, f"{name} should nest several sets"


def test_loop_is_cut_with_a_note(irrd: IrrdLab) -> None:
    with WhoisConnection(irrd.host, irrd.port, timeout=20) as conn:
        walk = fetch_as_sets(conn, [LOOP_SET], SOURCES, max_depth=10, max_members=100)
    assert walk.asns == {8587, 8447}
    assert {s.name for s in walk.as_sets} == {"AS-RSLOOP-A", "AS-RSLOOP-B"}
    assert any("loops back" in n for n in walk.notes)


def test_depth_limit_keeps_only_the_upper_levels(irrd: IrrdLab) -> None:
    direct = {int(m[2:]) for m in irrd.excerpt.as_sets["AS-DOIX-RS"] if m[2:].isdigit()}
    with WhoisConnection(irrd.host, irrd.port, timeout=20) as conn:
        walk = fetch_as_sets(conn, ["AS-DOIX-RS"], SOURCES, max_depth=1, max_members=100_000)
    assert walk.asns == direct
    assert [s.name for s in walk.as_sets] == ["AS-DOIX-RS"]
    assert any("deeper than 1" in n for n in walk.notes)


def test_member_limit_stops_the_expansion_with_a_note(irrd: IrrdLab) -> None:
    with WhoisConnection(irrd.host, irrd.port, timeout=20) as conn:
        walk = fetch_as_sets(conn, ["AS-DOIX-RS"], SOURCES, max_depth=10, max_members=5)
    assert len(walk.asns) == 5
    assert any("stopped at 5 members" in n for n in walk.notes)


def test_source_prefix_looks_in_that_source_only(irrd: IrrdLab) -> None:
    with WhoisConnection(irrd.host, irrd.port, timeout=20) as conn:
        pinned = fetch_as_sets(conn, ["RIPE::AS-DOIX-RS"], (), max_depth=10, max_members=1000)
        elsewhere = fetch_as_sets(
            conn, ["RIPE-NONAUTH::AS-DOIX-RS"], SOURCES, max_depth=10, max_members=1000
        )
        plain = fetch_as_sets(conn, ["AS-DOIX-RS"], SOURCES, max_depth=10, max_members=1000)
    assert pinned.asns == plain.asns and pinned.asns
    assert not elsewhere.asns and not elsewhere.as_sets
    assert any("not found" in n for n in elsewhere.notes)


def test_unknown_source_is_a_note_not_a_failure(irrd: IrrdLab) -> None:
    with WhoisConnection(irrd.host, irrd.port, timeout=20) as conn:
        walk = fetch_as_sets(conn, ["NOSUCH::AS-X", LOOP_SET], SOURCES, max_depth=5, max_members=9)
    assert walk.asns == {8587, 8447}
    assert any("NOSUCH refused" in n for n in walk.notes)


def test_routes_of_every_as_keep_their_source(irrd: IrrdLab) -> None:
    asns = sorted(irrd.excerpt.routes)
    with WhoisConnection(irrd.host, irrd.port, timeout=20) as conn:
        routes = fetch_routes(conn, asns, SOURCES)
    assert {r.source for r in routes} == {"RIPE-NONAUTH"}
    got: dict[int, set[str]] = {}
    for r in routes:
        got.setdefault(r.origin, set()).add(str(r.prefix))
    assert got == irrd.excerpt.routes
