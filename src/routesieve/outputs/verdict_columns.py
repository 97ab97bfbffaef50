"""The verdict table's columns built from an evaluation's decided columns, a batch at a
time: text per distinct value (prefixes, paths, session lists), each rule's reason and
evidence from one wording filled per group of rows with Arrow's string kernels.
:mod:`routesieve.outputs.verdict_arrow` writes and reads the table; this module holds the
schema and the builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar.routes import Coded
from routesieve.columnar.tables import RouteObjectTable, VrpTable
from routesieve.engine.cover import PrefixColumns
from routesieve.engine.decisions import Decisions
from routesieve.engine.rules import ALL_RULES, is_acceptance
from routesieve.engine.slots import Slot, row_prefix_text
from routesieve.engine.table import RouteTable
from routesieve.engine.templates import Part, RuleWording, Template, wordings
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.outputs.arrow_text import numbers, path_texts, prefix_texts, replace_at

I64 = npt.NDArray[np.int64]

FORMAT = "verdicts/1"
BATCH_ROWS = 1 << 15  # verdicts per record batch (and Parquet row group): bounds memory
# text per batch, estimated: a transit peer's reasons name its whole as-set (10 kB a line),
# and a batch's text is held three times over while it is built
BATCH_BYTES = 16 << 20
_ROW_BYTES = 256  # a line's text beside its wording's literals (prefix, path, sessions)

ACTIONS = ("accept", "reject")
RULE_CODES = tuple(r.value for r in ALL_RULES)
RPKI_STATES = ("UNKNOWN", "VALID", "INVALID_LENGTH", "INVALID_ASN")  # engine.rpki's codes

_CODES = pa.dictionary(pa.int8(), pa.string())
VERDICT_SCHEMA = pa.schema(
    [
        ("peer_asn", pa.int64()),
        ("prefix", pa.string()),
        ("as_path", pa.string()),
        ("origin_asn", pa.int64()),
        ("action", _CODES),
        ("rule", _CODES),
        ("rpki", _CODES),
        ("sessions", pa.list_(pa.string())),
        ("reason", pa.string()),
        ("evidence", pa.string()),
    ]
)

_ACTION_OF_RULE = np.array([0 if is_acceptance(r) else 1 for r in ALL_RULES], np.int8)
_UNSAFE = frozenset({Slot.PREFIX, Slot.SEED_PREFIX, Slot.PROBLEM})  # may need JSON escapes


def _merged_session_lists(table: RouteTable) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(row, its sessions) for every row merged from several sessions, read from the
    merged-session arrays in one pass (``table.sessions(row)`` looks each row up)."""
    merged = table.merged_sessions
    names = merged.names
    codes = merged.codes.tolist()
    start = merged.start.tolist()
    for k, row in enumerate(merged.rows.tolist()):
        found = (names[c] for c in codes[start[k] : start[k + 1]])
        yield row, tuple(name for name in found if name is not None)


def _json_body(text: str) -> str:
    """``text`` as it appears between the quotes of a JSON string (orjson's escapes)."""
    return orjson.dumps(text).decode()[1:-1]


def dictionary_array(
    codes: npt.NDArray[Any], names: Sequence[str], null: int | None = None
) -> pa.Array:
    """Codes into ``names`` as a dictionary array; ``null`` is the code of a null."""
    codes = np.asarray(codes, np.int8)
    mask = None if null is None else codes == null
    indices = pa.array(codes if mask is None else np.where(mask, 0, codes), pa.int8(), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), pa.string()))


def _join(parts: Sequence[pa.Array | str]) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _alternate(parts: tuple[Part, ...]) -> tuple[list[str], tuple[Slot, ...]]:
    """Literals and slots of a template, as literal, slot, literal, ..., literal."""
    literals = [""]
    slots: list[Slot] = []
    for p in parts:
        if isinstance(p, Slot):
            slots.append(p)
            literals.append("")
        else:
            literals[-1] += p
    return literals, tuple(slots)


class _Context:
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
        origin = pc.if_else(pa.array(self.origins < 0), "null", origin)
        return _join([self.paths, '","origin_asn":', origin, ',"action":"'])

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
        for row, merged in _merged_session_lists(table):
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
        return replace_at(texts, odd, [_json_body(v) for v in values] if json else values)

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
        json = _join(
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


class _Slots:
    """The slot columns of some rows: raw text, or as it goes inside a JSON string."""

    def __init__(self, cx: _Context, rows: I64) -> None:
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
            return pc.if_else(pa.array(origin < 0), "None", numbers(origin))
        if slot is Slot.PROBLEM:
            texts = [table.first[r].problem or "empty AS path" for r in rows.tolist()]
            return pa.array([_json_body(t) for t in texts] if json else texts, pa.string())
        if slot in (Slot.RO_PREFIX, Slot.RO_ORIGIN, Slot.RO_ORIGIN_JSON):
            for s, column in cx.route_objects(d.detail[rows]).items():
                self._found[(s, False)] = column
        else:
            for s, column in cx.vrps(d.rpki_vrp[rows]).items():
                self._found[(s, False)] = column
        return self._found[(slot, False)]


@dataclass(frozen=True, kw_only=True)
class _Worded:
    """Reasons and evidence JSON of some rows, or their JSON lines, with their places."""

    at: I64
    reason: pa.Array | None = None
    evidence: pa.Array | None = None
    line: pa.Array | None = None  # the JSON lines, when asked for instead of the columns


#: The JSON of a line before the reason, and between reason and evidence, of some rows.
Frame = Callable[[I64], tuple[pa.Array, pa.Array]]


def _fill(cx: _Context, rows: I64, w: RuleWording, frame: Frame | None = None) -> list[_Worded]:
    """The reasons and evidence of the rows of one rule, one fill per template shape (the
    slots a template has, in order); literals differ between the templates of a shape.
    With a ``frame``, whole JSON lines instead (one string join per shape)."""
    shape_ids: dict[tuple[tuple[Slot, ...], tuple[Slot, ...]], int] = {}
    members: list[list[int]] = []
    split: list[tuple[list[str], list[str]]] = []
    shape_of_template: list[int] = []
    for u, t in enumerate(w.templates):
        if t is None:
            split.append(([], []))
            shape_of_template.append(-1)
            continue
        reason, reason_slots = _alternate(t.reason)
        evidence, evidence_slots = _alternate(t.evidence)
        split.append((reason, evidence))
        s = shape_ids.setdefault((reason_slots, evidence_slots), len(shape_ids))
        if s == len(members):
            members.append([])
        members[s].append(u)
        shape_of_template.append(s)
    shape_of = np.array(shape_of_template, np.int64)[w.which]
    out: list[_Worded] = []
    for (reason_slots, evidence_slots), s in shape_ids.items():
        sel = np.flatnonzero(shape_of == s)
        local = np.zeros(len(w.templates), np.int64)
        local[members[s]] = np.arange(len(members[s]))
        shape = _Shape(
            [split[u] for u in members[s]],
            pa.array(local[w.which[sel]]),
            _Slots(cx, rows[w.at[sel]]),
        )
        n = len(sel)
        if frame is not None:
            head, middle = frame(w.at[sel])
            line = _join(
                [
                    head,
                    *shape.pieces(0, reason_slots, json=True),
                    middle,
                    *shape.pieces(1, evidence_slots, json=True, escape=False),
                    "}\n",
                ]
            )
            out.append(_Worded(at=w.at[sel], line=line))
            continue
        text = shape.fill(0, reason_slots, json=False)
        found = shape.fill(1, evidence_slots, json=True, escape=False)
        out.append(_Worded(at=w.at[sel], reason=_repeat(text, n), evidence=_repeat(found, n)))
    alone = np.flatnonzero(shape_of < 0)
    if len(alone):
        worded = [cx.builder.explain(int(r)) for r in rows[w.at[alone]].tolist()]
        reason_json = pa.array([_json_body(r) for r, _ in worded], pa.string())
        evidence = pa.array([orjson.dumps(e).decode() for _, e in worded], pa.string())
        if frame is not None:
            head, middle = frame(w.at[alone])
            line = _join([head, reason_json, middle, evidence, "}\n"])
            out.append(_Worded(at=w.at[alone], line=line))
        else:
            reason = pa.array([r for r, _ in worded], pa.string())
            out.append(_Worded(at=w.at[alone], reason=reason, evidence=evidence))
    return out


@dataclass(frozen=True)
class _Shape:
    """The templates of one shape: their literals (reason, evidence), each row's template
    (``pick``), and the slot columns of the rows."""

    literals: list[tuple[list[str], list[str]]]
    pick: pa.Array
    slots: _Slots

    def literal(self, part: int, j: int, escape: bool) -> pa.Array | str:
        texts = [lits[part][j] for lits in self.literals]
        if escape:
            texts = [_json_body(x) for x in texts]
        if all(x == texts[0] for x in texts):
            return texts[0]
        return pa.array(texts, pa.string()).take(self.pick)

    def pieces(
        self, part: int, names: tuple[Slot, ...], json: bool, escape: bool | None = None
    ) -> list[pa.Array | str]:
        """Literals and slot columns in order, empty literals left out."""
        escape = json if escape is None else escape
        pieces: list[pa.Array | str] = [self.literal(part, 0, escape)]
        for j, slot in enumerate(names, 1):
            pieces += [self.slots(slot, json), self.literal(part, j, escape)]
        return [p for p in pieces if not isinstance(p, str) or p]

    def fill(
        self, part: int, names: tuple[Slot, ...], json: bool, escape: bool | None = None
    ) -> pa.Array | str:
        """The reason (part 0) or evidence (part 1) of every row, or one text for all;
        ``json``: slots as inside JSON text, ``escape``: literals JSON-escaped too."""
        kept = self.pieces(part, names, json, escape)
        if all(isinstance(p, str) for p in kept):
            return "".join(p for p in kept if isinstance(p, str))
        if len(kept) == 1:
            return kept[0]
        return _join(kept)


def _repeat(value: pa.Array | str, n: int) -> pa.Array:
    if isinstance(value, str):
        return pa.array([value], pa.string()).take(pa.array(np.zeros(n, np.int64)))
    return value


class _Batch:
    """The columns of the verdicts of some rows (table rows, in verdict order)."""

    def __init__(self, cx: _Context, rows: I64) -> None:
        self.cx, self.rows = cx, rows

    def _worded(self, frame: Frame | None) -> tuple[list[_Worded], pa.Array]:
        """Every rule's rows worded, and the order that puts them back in verdict order."""
        parts: list[_Worded] = []
        for w in wordings(self.cx.d, self.rows):
            parts += _fill(self.cx, self.rows, w, frame)
        at = np.concatenate([p.at for p in parts]) if parts else np.empty(0, np.int64)
        return parts, pa.array(np.argsort(at, kind="stable"))

    @cached_property
    def _columns(self) -> tuple[pa.Array, pa.Array]:
        parts, order = self._worded(None)

        def column(found: list[pa.Array | None]) -> pa.Array:
            arrays = [a for a in found if a is not None]
            return pa.concat_arrays(arrays).take(order) if arrays else pa.array([], pa.string())

        return column([p.reason for p in parts]), column([p.evidence for p in parts])

    def record_batch(self) -> pa.RecordBatch:
        cx, rows = self.cx, self.rows
        d, table = cx.d, cx.table
        origin = cx.origins[table.path_id[rows]]
        codes, _ = cx.sessions
        return pa.RecordBatch.from_arrays(
            [
                pa.array(table.peer[rows], pa.int64()),
                cx.prefixes(rows, json=False),
                cx.paths.take(pa.array(table.path_id[rows])),
                pa.array(origin, pa.int64(), mask=origin < 0),
                dictionary_array(_ACTION_OF_RULE[d.rule[rows]], ACTIONS),
                dictionary_array(d.rule[rows], RULE_CODES),
                dictionary_array(d.rpki_state[rows], RPKI_STATES, null=-1),
                cx.session_lists.take(pa.array(codes[rows])),
                *self._columns,
            ],
            schema=VERDICT_SCHEMA,
        )

    def json_lines(self) -> pa.Array:
        """One JSON line (with its newline) per verdict."""
        cx, rows = self.cx, self.rows
        d, table = cx.d, cx.table
        rule = d.rule[rows].astype(np.int64)
        middle = pa.array(
            [
                f'{ACTIONS[int(_ACTION_OF_RULE[r])]}","rule":"{code}","reason":"'
                for r, code in enumerate(RULE_CODES)
            ],
            pa.string(),
        )
        codes, distinct = cx.sessions
        session_code = codes[rows]
        state = d.rpki_state[rows].astype(np.int64) + 1  # -1 (none) .. 3
        tail_key, tail_of = np.unique(state * len(distinct) + session_code, return_inverse=True)
        rpki = ["null", *(f'"{s}"' for s in RPKI_STATES)]
        tails = [
            f'","rpki":{rpki[k // len(distinct)]},"sessions":'
            f'{orjson.dumps(list(distinct[k % len(distinct)])).decode()},"evidence":'
            for k in tail_key.tolist()
        ]
        head = _join(
            [
                '{"peer_asn":',
                numbers(table.peer[rows]),
                ',"prefix":"',
                cx.prefixes(rows, json=True),
                '","as_path":"',
                cx.path_json_middle.take(pa.array(table.path_id[rows])),
                middle.take(pa.array(rule)),
            ]
        )
        tail = pa.array(tails, pa.string()).take(pa.array(tail_of.reshape(len(rows))))

        def frame(at: I64) -> tuple[pa.Array, pa.Array]:
            index = pa.array(at)
            return head.take(index), tail.take(index)

        parts, order = self._worded(frame)
        lines = [p.line for p in parts if p.line is not None]
        return pa.concat_arrays(lines).take(order) if lines else pa.array([], pa.string())


def _literal_bytes(t: Template | None) -> int:
    if t is None:
        return _ROW_BYTES
    return sum(len(p) for p in (*t.reason, *t.evidence) if isinstance(p, str))


def row_bytes(d: Decisions, rows: I64) -> I64:
    """An estimate of each row's text: its wording's literals and a fixed part."""
    weight = np.full(len(rows), _ROW_BYTES, np.int64)
    for w in wordings(d, rows):
        literal = np.array([_literal_bytes(t) for t in w.templates], np.int64)
        weight[w.at] += literal[w.which]
    return weight


def column_batches(
    d: Decisions, batch_rows: int, batch_bytes: int | None = None
) -> Iterator[_Batch]:
    """The rows in verdict order, in batches of at most ``batch_rows`` rows and, where the
    wordings are long, of about ``batch_bytes`` (``BATCH_BYTES``) of text, at least a row."""
    batch_bytes = batch_bytes or BATCH_BYTES
    cx = _Context(d)
    appearance = d.table.appearance
    for start in range(0, len(appearance), batch_rows):
        rows = appearance[start : start + batch_rows]
        total = np.cumsum(row_bytes(d, rows))
        cuts = np.unique(np.searchsorted(total, np.arange(batch_bytes, total[-1], batch_bytes)))
        for part in np.split(rows, cuts[(cuts > 0) & (cuts < len(rows))]):
            yield _Batch(cx, part)
