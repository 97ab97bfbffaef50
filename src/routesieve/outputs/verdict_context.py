"""What every batch of a verdict table shares (``Context``: the decisions, the text of
each distinct path and session list, entry texts of VRPs and route objects) and the slot
columns of one batch's rows (``Slots``), made per distinct value with Arrow's kernels."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cached_property

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar.coded import Coded
from routesieve.columnar.tables import RouteObjectTable, VrpTable
from routesieve.engine.cover import PrefixColumns
from routesieve.engine.decisions import Decisions
from routesieve.engine.slots import Slot, row_prefix_text
from routesieve.engine.table import RouteTable
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.outputs.arrow_text import numbers, path_texts, prefix_texts, replace_at

I64 = npt.NDArray[np.int64]


def merged_session_lists(table: RouteTable) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(row, its sessions) for every row merged from several sessions, read from the
    merged-session arrays in one pass (``table.sessions(row)`` looks each row up)."""
    merged = table.merged_sessions
    names = merged.names
    codes = merged.codes.tolist()
    start = merged.start.tolist()
    for k, row in enumerate(merged.rows.tolist()):
        found = (names[c] for c in codes[start[k] : start[k + 1]])
        yield row, tuple(name for name in found if name is not None)


def json_body(text: str) -> str:
    """``text`` as it appears between the quotes of a JSON string (orjson's escapes)."""
    return orjson.dumps(text).decode()[1:-1]


def text(value: str) -> pa.Scalar:
    """A string scalar. Python strings given to Arrow's kernels, or to ``pa.array`` /
    ``pa.scalar`` without a type, are converted by type inference, which tries to import
    ``dateutil`` on every call: without it installed, each failed import scans sys.path."""
    return pa.scalar(value, pa.string())


EMPTY = text("")


def join(parts: Sequence[pa.Array | str]) -> pa.Array:
    return pc.binary_join_element_wise(
        *(text(p) if isinstance(p, str) else p for p in parts), EMPTY
    )


class Context:
    """What every batch of one evaluation shares: the decisions and per-path texts."""

    def __init__(self, d: Decisions) -> None:
        self.d = d
        self.table = d.table

    @cached_property
    def builder(self) -> VerdictBuilder:
        return VerdictBuilder(self.d)

    @cached_property
    def origins(self) -> I64:
        """The origin AS of each distinct path, -1 for none (the path facts' column)."""
        return self.d.facts.origin.astype(np.int64, copy=False)

    @cached_property
    def paths(self) -> pa.Array:
        return path_texts(self.table.paths)

    @cached_property
    def path_json_middle(self) -> pa.Array:
        """Per path: the path, then the JSON up to the action's value."""
        origin = numbers(self.origins)
        origin = pc.if_else(pa.array(self.origins < 0), text("null"), origin)
        return join([self.paths, '","origin_asn":', origin, ',"action":"'])

    @cached_property
    def sessions(self) -> tuple[I64, list[tuple[str, ...]]]:
        """A code per row and the distinct session lists the codes stand for."""
        table = self.table
        column = table.session
        distinct: list[tuple[str, ...]]
        if isinstance(column, Coded):  # the columnar routes: codes already
            codes = column.codes.astype(np.int64)
            distinct = [() if v is None else (v,) for v in column.values]
        else:
            encoded = pa.array(list(column), pa.string()).dictionary_encode()
            names: list[str] = encoded.dictionary.to_pylist()
            codes = encoded.indices.fill_null(len(names)).to_numpy().astype(np.int64)
            distinct = [(name,) for name in names] + [()]
        known: dict[tuple[str, ...], int] = {}
        for i, t in enumerate(distinct):
            known.setdefault(t, i)
        for row, merged in merged_session_lists(table):
            codes[row] = known.setdefault(merged, len(distinct))
            if codes[row] == len(distinct):
                distinct.append(merged)
        return codes, distinct

    @cached_property
    def session_lists(self) -> pa.Array:
        return pa.array([list(t) for t in self.sessions[1]], pa.list_(pa.string()))

    def prefixes(self, rows: I64, json: bool) -> pa.Array:
        """The prefix text of each row (JSON-escaped when ``json``)."""
        table = self.table
        texts = prefix_texts(table.prefixes.take(rows))
        odd = np.flatnonzero(~table.has_prefix[rows])  # malformed: the text as read
        values = [row_prefix_text(table, r) for r in rows[odd].tolist()]
        return replace_at(texts, odd, [json_body(v) for v in values] if json else values)

    def vrps(self, ids: I64) -> dict[Slot, pa.Array]:
        """The texts of the VRP slots for each VRP id."""
        uniq, inverse = np.unique(ids, return_inverse=True)
        vrps = self.d.index.vrps
        if isinstance(vrps, VrpTable):
            cols = PrefixColumns.of_array(vrps.prefix).take(uniq)
            asn, max_length = vrps.asn[uniq], vrps.max_length[uniq]
            names = [orjson.dumps(n).decode() for n in vrps.ta.names]
            ta = pa.array(names, pa.string()).take(pa.array(vrps.ta.codes[uniq]))
        else:
            items = [vrps[j] for j in uniq.tolist()]
            cols = PrefixColumns.of([v.prefix for v in items])
            asn = np.array([v.asn for v in items], np.int64)
            max_length = np.array([v.max_length for v in items], np.int64)
            ta = pa.array([orjson.dumps(v.ta).decode() for v in items], pa.string())
        prefix, asn_text, max_text = prefix_texts(cols), numbers(asn), numbers(max_length)
        json = join(
            [
                '{"prefix":"',
                prefix,
                '","max_length":',
                max_text,
                ',"asn":',
                asn_text,
                ',"ta":',
                ta,
                "}",
            ]
        )
        back = pa.array(inverse.reshape(len(ids)))
        return {
            Slot.VRP_PREFIX: prefix.take(back),
            Slot.VRP_ASN: asn_text.take(back),
            Slot.VRP_MAX: max_text.take(back),
            Slot.VRP_JSON: json.take(back),
        }

    def route_objects(self, ids: I64) -> dict[Slot, pa.Array]:
        """The texts of the route object slots for each route object id."""
        uniq, inverse = np.unique(ids, return_inverse=True)
        objects = self.d.index.route_objects
        if isinstance(objects, RouteObjectTable):
            cols = PrefixColumns.of_array(objects.prefix).take(uniq)
            origin = objects.origin[uniq]
        else:
            items = [objects[j] for j in uniq.tolist()]
            cols = PrefixColumns.of([o.prefix for o in items])
            origin = np.array([o.origin for o in items], np.int64)
        back = pa.array(inverse.reshape(len(ids)))
        origin_text = numbers(origin).take(back)
        return {
            Slot.RO_PREFIX: prefix_texts(cols).take(back),
            Slot.RO_ORIGIN: origin_text,
            Slot.RO_ORIGIN_JSON: origin_text,
        }


class Slots:
    """The slot columns of some rows: raw text, or as it goes inside a JSON string."""

    def __init__(self, cx: Context, rows: I64) -> None:
        self.cx, self.rows = cx, rows
        self._found: dict[tuple[Slot, bool], pa.Array] = {}

    def differs(self, slot: Slot) -> bool:
        """Whether the slot's JSON text may differ from its text (escapes)."""
        table = self.cx.table
        if slot is Slot.PREFIX:
            return not table.has_prefix[self.rows].all()
        if slot is Slot.SEED_PREFIX:
            return not table.has_prefix[self.cx.d.detail[self.rows]].all()
        return slot is Slot.PROBLEM

    def __call__(self, slot: Slot, json: bool) -> pa.Array:
        key = (slot, json and self.differs(slot))
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._make(*key)
        return found

    def _make(self, slot: Slot, json: bool) -> pa.Array:
        cx, rows = self.cx, self.rows
        d, table = cx.d, cx.table
        if slot is Slot.PREFIX:
            return cx.prefixes(rows, json)
        if slot is Slot.SEED_PREFIX:
            return cx.prefixes(d.detail[rows], json)
        if slot is Slot.LENGTH:
            return numbers(table.prefixes.length[rows])
        if slot is Slot.PATH:
            return cx.paths.take(pa.array(table.path_id[rows]))
        if slot is Slot.PEER:
            return numbers(table.peer[rows])
        if slot is Slot.ORIGIN:
            origin = cx.origins[table.path_id[rows]]
            return pc.if_else(pa.array(origin < 0), text("None"), numbers(origin))
        if slot is Slot.PROBLEM:
            texts = [table.first[r].problem or "empty AS path" for r in rows.tolist()]
            return pa.array([json_body(t) for t in texts] if json else texts, pa.string())
        if slot in (Slot.RO_PREFIX, Slot.RO_ORIGIN, Slot.RO_ORIGIN_JSON):
            for s, column in cx.route_objects(d.detail[rows]).items():
                self._found[(s, False)] = column
        else:
            for s, column in cx.vrps(d.rpki_vrp[rows]).items():
                self._found[(s, False)] = column
        return self._found[(slot, False)]
