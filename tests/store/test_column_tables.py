"""Column-backed tables behave as the tuples they stand for: items, order, equality, hash."""

from __future__ import annotations

import pickle
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from store_strategies import worlds

from routesieve.columnar import (
    NO_EXPIRY,
    AsnDelegationTable,
    BogonTable,
    ColumnTable,
    IpDelegationTable,
    PrefixArray,
    RouteObjectTable,
    StringColumn,
    VrpTable,
)
from routesieve.columnar.arrays import CHUNK
from routesieve.columnar.org_handles import OrgHandleTable
from routesieve.model import OrgHandle, Prefix, Route, RouteObject, Vrp
from routesieve.snapshot import Snapshot

TABLES: dict[str, Any] = {
    "vrps": VrpTable,
    "route_objects": RouteObjectTable,
    "bogons": BogonTable,
    "ip_delegations": IpDelegationTable,
    "asn_delegations": AsnDelegationTable,
    "org_handles": OrgHandleTable,
}


def columnar(snapshot: Snapshot) -> Snapshot:
    return replace(
        snapshot, **{name: cls.of(getattr(snapshot, name)) for name, cls in TABLES.items()}
    )


@settings(max_examples=100, deadline=None)
@given(world=worlds())
def test_tables_hold_the_same_items_as_the_tuples(world: tuple[list[Route], Snapshot]) -> None:
    snapshot = world[1]
    for name, cls in TABLES.items():
        items = getattr(snapshot, name)
        table: ColumnTable[Any] = cls.of(items)
        assert len(table) == len(items)
        assert list(table) == list(items)  # bulk build
        assert [table[i] for i in range(len(items))] == list(items)  # one by one
        assert [table[-i - 1] for i in range(len(items))] == list(reversed(items))
        assert tuple(table[1::2]) == items[1::2]
        assert table == items and items == table and (table != items) is False
        assert hash(table) == hash(items)
        assert pickle.loads(pickle.dumps(table)) == items
    as_tables = columnar(snapshot)
    assert as_tables == snapshot and hash(as_tables) == hash(snapshot)


def test_indexing_past_the_end_raises_index_error() -> None:
    table = VrpTable.of([Vrp(Prefix.parse("192.0.2.0/24"), 24, 1)])
    with pytest.raises(IndexError):
        table[1]
    with pytest.raises(IndexError):
        table[-2]
    assert list(VrpTable.of([])) == [] and VrpTable.of([]) == ()


def test_a_different_item_or_order_is_not_equal() -> None:
    a = RouteObject(Prefix.parse("2001:db8::/32"), 64500, "RIPE")
    b = RouteObject(Prefix.parse("2001:db8::/32"), 64501, "RIPE")
    table = RouteObjectTable.of([a, b])
    assert table != (b, a) and table != (a,) and table != (a, b, a)
    assert table != RouteObjectTable.of([a, a]) and table == RouteObjectTable.of([a, b])
    assert table != "ab" and table != 3


def test_iteration_over_many_chunks_keeps_order() -> None:
    n = CHUNK * 2 + 17
    vrps = [
        Vrp(Prefix(4, i << 8, 24), 24 + i % 9, i, f"ta{i % 3}", None if i % 5 else i)
        for i in range(n)
    ]
    table = VrpTable.of(vrps)
    assert list(table) == vrps
    assert table[CHUNK] == vrps[CHUNK]


def test_live_keeps_vrps_without_expiry_and_those_expiring_at_as_of() -> None:
    p = Prefix.parse("2001:db8::/32")
    vrps = [Vrp(p, 48, 1, "", None), Vrp(p, 48, 2, "", 99), Vrp(p, 48, 3, "", 100)]
    assert list(VrpTable.of(vrps).live(100)) == [vrps[0], vrps[2]]
    table = VrpTable.of(vrps)
    assert table.live(0) is table


def test_the_no_expiry_sentinel_is_not_a_storable_expiry() -> None:
    with pytest.raises(ValueError, match="never expire"):
        VrpTable.of([Vrp(Prefix.parse("192.0.2.0/24"), 24, 1, "", NO_EXPIRY)])


def test_strings_use_the_narrowest_codes() -> None:
    assert StringColumn.of(["a", "b"], 2).codes.dtype == np.uint8
    assert StringColumn.of(map(str, range(300)), 300).codes.dtype == np.uint16
    wide = StringColumn.of(map(str, range(70_000)), 70_000)
    assert wide.codes.dtype == np.uint32 and wide.values(69_998, 70_000) == ["69998", "69999"]


def test_columns_from_outside_are_checked() -> None:
    ok = PrefixArray.of([Prefix.parse("192.0.2.0/24")])
    with pytest.raises(ValueError, match="version"):
        replace(ok, version=np.array([5], np.uint8))
    with pytest.raises(ValueError, match="length over"):
        replace(ok, length=np.array([33], np.uint8))
    with pytest.raises(ValueError, match="not a column of u8"):
        replace(ok, hi=np.array([1], np.int64))
    with pytest.raises(ValueError, match="past the end"):
        StringColumn(np.array([2], np.uint8), ("a", "b"))
    with pytest.raises(ValueError, match="unknown delegation status"):
        IpDelegationTable(
            StringColumn.of(["ripencc"], 1),
            ok,
            StringColumn.of(["stolen"], 1),
            StringColumn.of([""], 1),
            StringColumn.of([""], 1),
        )


def test_org_handle_runs_past_the_prefixes_are_refused() -> None:
    handles = OrgHandleTable.of(
        [
            OrgHandle("ORG-A", "RIPE", (Prefix.parse("2001:db8::/32"),)),
            OrgHandle("ORG-B", "RIPE", asn=65001),
        ]
    )
    assert handles.take(np.array([1, 0])) == [handles[1], handles[0]]
    with pytest.raises(ValueError, match="past the end"):
        replace(handles, first=np.array([0, 1], np.int64), n_prefixes=np.array([1, 1], np.int64))
    with pytest.raises(ValueError, match="AS out of range"):
        replace(handles, asn=np.array([-1, 1 << 32], np.int64))
