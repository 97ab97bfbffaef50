"""What every batch of a verdict table shares (``Context``: the decisions, the text of
each distinct path and session list, entry texts of VRPs and route objects) and the slot
columns of one batch's rows (``Slots``), made per distinct value with Arrow's kernels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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
from routesieve.engine.rules import ALL_RULES, Rule
from routesieve.engine.slots import Slot, row_prefix_text
from routesieve.engine.table import MergedSessions
from routesieve.engine.templates import Template
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.outputs.arrow_text import numbers, path_texts, prefix_texts, replace_at

I64 = npt.NDArray[np.int64]


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


@dataclass(frozen=True)
class Column:
    """Texts of some rows: the text of row ``k`` is ``values[index[k]]`` (each distinct
    text made once; a writer gathers them by index)."""

    values: pa.Array
    index: I64


class Context:
    """What every batch of one evaluation shares: the decisions, and the texts of every
    table row's prefix, every distinct path and every distinct session list."""

    def __init__(self, d: Decisions) -> None:
        self.d = d
        self.table = d.table
        # each template's literals and slots (``verdict_fill``), split once for all batches
        self.template_parts: dict[
            Template, tuple[list[str], tuple[Slot, ...], list[str], tuple[Slot, ...]]
        ] = {}

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
    def origin_texts(self) -> pa.Array:
        """The origin AS of each distinct path as reasons write it (``None`` for none)."""
        return pc.if_else(pa.array(self.origins < 0), text("None"), numbers(self.origins))

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
        merged = table.merged_sessions
        if len(merged):
            runs, lists = _merged_runs(merged)
            code_of = np.empty(len(lists), np.int64)
            for k, t in enumerate(lists):
                code = known.setdefault(t, len(distinct))
                if code == len(distinct):
                    distinct.append(t)
                code_of[k] = code
            codes[merged.rows] = code_of[runs]
        return codes, distinct

    @cached_property
    def session_lists(self) -> pa.Array:
        return pa.array([list(t) for t in self.sessions[1]], pa.list_(pa.string()))

    @cached_property
    def _prefix_runs(self) -> tuple[I64, pa.Array]:
        """The run of equal prefixes each table row is in (the table is sorted by prefix:
        a prefix received from several peers is one run), and the text of each run's
        prefix, made once for the whole write."""
        p = self.table.prefixes
        new = np.zeros(len(p), np.bool_)
        new[:1] = True
        for a in (p.version, p.hi, p.lo, p.length):
            new[1:] |= a[1:] != a[:-1]
        run = np.cumsum(new, dtype=np.int64) - 1
        return run, prefix_texts(p.take(np.flatnonzero(new)))

    def prefixes(self, rows: I64, json: bool) -> pa.Array:
        """The prefix text of each row (JSON-escaped when ``json``)."""
        table = self.table
        run, run_texts = self._prefix_runs
        texts = run_texts.take(pa.array(run[rows]))
        odd = np.flatnonzero(~table.has_prefix[rows])  # malformed: the text as read
        values = [row_prefix_text(table, r) for r in rows[odd].tolist()]
        return replace_at(texts, odd, [json_body(v) for v in values] if json else values)

    def vrps(self, ids: I64) -> dict[Slot, Column]:
        """The texts of the VRP slots for each VRP id (of the VRPs of every row, made
        once)."""
        return _look_up(self._vrp_texts, ids, self._vrps)

    def route_objects(self, ids: I64) -> dict[Slot, Column]:
        """The texts of the route object slots for each route object id (of the route
        objects of every row decided by an exact match, made once)."""
        return _look_up(self._route_object_texts, ids, self._route_objects)

    @cached_property
    def _vrp_texts(self) -> tuple[I64, dict[Slot, Column]]:
        vrp = self.d.rpki_vrp
        uniq = np.unique(vrp[vrp >= 0]).astype(np.int64)
        return uniq, self._vrps(uniq)

    @cached_property
    def _route_object_texts(self) -> tuple[I64, dict[Slot, Column]]:
        d = self.d
        exact = d.rule == ALL_RULES.index(Rule.IRR_EXACT)
        uniq = np.unique(d.detail[exact]).astype(np.int64)
        return uniq, self._route_objects(uniq)

    def _vrps(self, ids: I64) -> dict[Slot, Column]:
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
        back = inverse.reshape(len(ids)).astype(np.int64)
        return {
            Slot.VRP_PREFIX: Column(prefix, back),
            Slot.VRP_ASN: Column(asn_text, back),
            Slot.VRP_MAX: Column(max_text, back),
            Slot.VRP_JSON: Column(json, back),
        }

    def _route_objects(self, ids: I64) -> dict[Slot, Column]:
        uniq, inverse = np.unique(ids, return_inverse=True)
        objects = self.d.index.route_objects
        if isinstance(objects, RouteObjectTable):
            cols = PrefixColumns.of_array(objects.prefix).take(uniq)
            origin = objects.origin[uniq]
        else:
            items = [objects[j] for j in uniq.tolist()]
            cols = PrefixColumns.of([o.prefix for o in items])
            origin = np.array([o.origin for o in items], np.int64)
        back = inverse.reshape(len(ids)).astype(np.int64)
        origin_text = numbers(origin)
        return {
            Slot.RO_PREFIX: Column(prefix_texts(cols), back),
            Slot.RO_ORIGIN: Column(origin_text, back),
            Slot.RO_ORIGIN_JSON: Column(origin_text, back),
        }


def _look_up(
    made: tuple[I64, dict[Slot, Column]], ids: I64, make: Callable[[I64], dict[Slot, Column]]
) -> dict[Slot, Column]:
    """The entry texts of ``ids`` from those made for the ids ``made[0]`` (sorted), or
    made now for ids that are not among them."""
    known, texts = made
    at = np.minimum(np.searchsorted(known, ids), max(len(known) - 1, 0))
    if not len(known) or (known[at] != ids).any():
        return make(ids)
    return {slot: Column(c.values, c.index[at]) for slot, c in texts.items()}


def _merged_runs(merged: MergedSessions) -> tuple[I64, list[tuple[str, ...]]]:
    """For the rows received on several sessions: a code per row, and per code its
    session names (names of no session left out), equal lists one code; column-wise:
    each row's run of session codes is a binary value that Arrow's hashing makes distinct."""
    names = merged.names
    first: dict[str | None, int] = {}
    canonical = np.array([first.setdefault(n, i) for i, n in enumerate(names)], np.int32)
    unnamed = np.array([n is None for n in names], np.bool_)
    codes = merged.codes.astype(np.int64)
    keep = ~unnamed[codes]
    owner = np.repeat(np.arange(len(merged), dtype=np.int64), np.diff(merged.start))
    sizes = np.bincount(owner[keep], minlength=len(merged))
    offsets = np.zeros(len(merged) + 1, np.int32)
    np.cumsum(sizes * 4, out=offsets[1:])
    data = np.ascontiguousarray(canonical[codes[keep]])
    runs = pa.BinaryArray.from_buffers(
        pa.binary(), len(merged), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    ).dictionary_encode()
    lists = [
        tuple(names[c] for c in np.frombuffer(run, np.int32).tolist())
        for run in runs.dictionary.to_pylist()
    ]
    return runs.indices.to_numpy().astype(np.int64), lists


class BatchRows:
    """The rows of one batch (table rows, in verdict order) and their prefix texts, made
    once for the batch."""

    def __init__(self, cx: Context, rows: I64) -> None:
        self.cx, self.rows = cx, rows
        self._prefixes: dict[bool, pa.Array] = {}

    def prefix_texts(self, json: bool) -> pa.Array:
        """The prefix text of each row (JSON-escaped when ``json``)."""
        json = json and not self.cx.table.has_prefix[self.rows].all()
        found = self._prefixes.get(json)
        if found is None:
            found = self._prefixes[json] = self.cx.prefixes(self.rows, json)
        return found


class Slots:
    """The slot columns of some rows of a batch (``at``: their places in it): raw text,
    or as it goes inside a JSON string."""

    def __init__(self, batch: BatchRows, at: I64) -> None:
        self.cx, self.batch, self.at, self.rows = batch.cx, batch, at, batch.rows[at]
        self._found: dict[tuple[Slot, bool], Column] = {}

    def differs(self, slot: Slot) -> bool:
        """Whether the slot's JSON text may differ from its text (escapes)."""
        table = self.cx.table
        if slot is Slot.PREFIX:
            return not table.has_prefix[self.rows].all()
        if slot is Slot.SEED_PREFIX:
            return not table.has_prefix[self.cx.d.detail[self.rows]].all()
        return slot is Slot.PROBLEM

    def __call__(self, slot: Slot, json: bool) -> Column:
        key = (slot, json and self.differs(slot))
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._make(*key)
        return found

    def _make(self, slot: Slot, json: bool) -> Column:
        cx, rows = self.cx, self.rows
        d, table = cx.d, cx.table
        if slot is Slot.PREFIX:
            return Column(self.batch.prefix_texts(json), self.at)
        if slot is Slot.SEED_PREFIX:
            return Column(cx.prefixes(d.detail[rows], json), np.arange(len(rows), dtype=np.int64))
        if slot is Slot.LENGTH:
            return distinct_numbers(table.prefixes.length[rows])
        if slot is Slot.PATH:
            return Column(cx.paths, table.path_id[rows])
        if slot is Slot.PEER:
            return distinct_numbers(table.peer[rows])
        if slot is Slot.ORIGIN:
            return Column(cx.origin_texts, table.path_id[rows])
        if slot is Slot.PROBLEM:
            texts = [table.first[r].problem or "empty AS path" for r in rows.tolist()]
            values = pa.array([json_body(t) for t in texts] if json else texts, pa.string())
            return Column(values, np.arange(len(rows), dtype=np.int64))
        if slot in (Slot.RO_PREFIX, Slot.RO_ORIGIN, Slot.RO_ORIGIN_JSON):
            for s, column in cx.route_objects(d.detail[rows]).items():
                self._found[(s, False)] = column
        else:
            for s, column in cx.vrps(d.rpki_vrp[rows].astype(np.int64)).items():
                self._found[(s, False)] = column
        return self._found[(slot, False)]


def distinct_numbers(values: npt.NDArray[np.integer]) -> Column:
    """Decimal texts of integers, each distinct value written once."""
    uniq, inverse = np.unique(values, return_inverse=True)
    return Column(numbers(uniq), inverse.reshape(len(values)).astype(np.int64))
