"""The verdict table's schema and its batches, built from an evaluation's decided columns
a batch at a time: text per distinct value (prefixes, paths, session lists:
``verdict_context``), each rule's reason and evidence from one wording filled per group
of rows with Arrow's string kernels (``verdict_fill``). Batches are cut by rows and by
their estimated text. :mod:`routesieve.outputs.verdict_arrow` writes and reads the table."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa

from routesieve.columnar.heap import give_back_free_memory
from routesieve.engine.decisions import Decisions
from routesieve.engine.rules import ALL_RULES, is_acceptance
from routesieve.engine.templates import RuleWording, Template, wordings
from routesieve.outputs.arrow_text import numbers
from routesieve.outputs.verdict_context import BatchRows, Context, join
from routesieve.outputs.verdict_fill import Filled, Piece, Vocabulary, assemble, fill, spans

I64 = npt.NDArray[np.int64]

FORMAT = "verdicts/1"
BATCH_ROWS = 1 << 15  # verdicts per record batch (and Parquet row group): bounds memory
# text per batch, estimated: a transit peer's reasons name its whole as-set (10 kB a line);
# on the bench set with the system allocator `evaluate` sets: 8 MB, 48 MB less high-water
# than 16 MB for no measurable CPU (4 MB: 23 MB less again, +0.1 s; bench/README.md 12q)
BATCH_BYTES = 8 << 20
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


def dictionary_array(
    codes: npt.NDArray[Any], names: Sequence[str], null: int | None = None
) -> pa.Array:
    """Codes into ``names`` as a dictionary array; ``null`` is the code of a null."""
    codes = np.asarray(codes, np.int8)
    mask = None if null is None else codes == null
    indices = pa.array(codes if mask is None else np.where(mask, 0, codes), pa.int8(), mask=mask)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), pa.string()))


_MIDDLES = [  # per rule: the JSON of a line from the action's value to the reason's
    f'{ACTIONS[int(_ACTION_OF_RULE[r])]}","rule":"{code}","reason":"'
    for r, code in enumerate(RULE_CODES)
]


class _Batch:
    """The columns of the verdicts of some rows (table rows, in verdict order)."""

    def __init__(self, cx: Context, rows: I64, wording: list[RuleWording]) -> None:
        self.cx, self.rows, self.wording = cx, rows, wording
        self.texts = BatchRows(cx, rows)

    def _filled(self, vocab: Vocabulary, json: bool) -> list[Filled]:
        parts: list[Filled] = []
        for w in self.wording:
            parts += fill(self.texts, w, vocab, json)
        return parts

    def _reasons_and_evidence(self) -> tuple[pa.Array, pa.Array]:
        """Both columns from one gather (they share its data)."""
        vocab = Vocabulary()
        parts = self._filled(vocab, json=False)
        n = len(self.rows)
        reason, reason_bounds = assemble(n, [(p.at, p.reason) for p in parts])
        evidence, evidence_bounds = assemble(n, [(p.at, p.evidence) for p in parts])
        texts = vocab.gather(np.concatenate([reason, evidence]))
        return spans(texts, reason_bounds), spans(texts, evidence_bounds + len(reason))

    def record_batch(self) -> pa.RecordBatch:
        cx, rows = self.cx, self.rows
        d, table = cx.d, cx.table
        path_id = table.path_id[rows]
        origin = cx.origins[path_id]
        codes, _ = cx.sessions
        return pa.RecordBatch.from_arrays(
            [
                pa.array(table.peer[rows], pa.int64()),
                self.texts.prefix_texts(json=False),
                cx.paths.take(pa.array(path_id)),
                pa.array(origin, pa.int64(), mask=origin < 0),
                dictionary_array(_ACTION_OF_RULE[d.rule[rows]], ACTIONS),
                dictionary_array(d.rule[rows], RULE_CODES),
                dictionary_array(d.rpki_state[rows], RPKI_STATES, null=-1),
                cx.session_lists.take(pa.array(codes[rows])),
                *self._reasons_and_evidence(),
            ],
            schema=VERDICT_SCHEMA,
        )

    def json_lines(self) -> pa.Array:
        """One JSON line (with its newline) per verdict, all in one buffer."""
        cx, rows = self.cx, self.rows
        d, table = cx.d, cx.table
        vocab = Vocabulary()
        codes, distinct = cx.sessions
        state = d.rpki_state[rows].astype(np.int64) + 1  # -1 (none) .. 3
        tail_key, tail_of = np.unique(state * len(distinct) + codes[rows], return_inverse=True)
        rpki = ["null", *(f'"{s}"' for s in RPKI_STATES)]
        tails = [
            f'","rpki":{rpki[k // len(distinct)]},"sessions":'
            f'{orjson.dumps(list(distinct[k % len(distinct)])).decode()},"evidence":'
            for k in tail_key.tolist()
        ]
        head = vocab.add(
            join(
                [
                    '{"peer_asn":',
                    numbers(table.peer[rows]),
                    ',"prefix":"',
                    self.texts.prefix_texts(json=True),
                    '","as_path":"',
                    cx.path_json_middle.take(pa.array(table.path_id[rows])),
                ]
            )
        )
        tail = vocab.add(pa.array(tails, pa.string())) + tail_of.reshape(len(rows))
        groups: list[tuple[I64, list[Piece]]] = []
        for w in self.wording:
            frame = (_MIDDLES[ALL_RULES.index(w.rule)], "}\n")
            for p in fill(self.texts, w, vocab, json=True, frame=frame):
                groups.append((p.at, [head + p.at, *p.reason, tail[p.at], *p.evidence]))
        tokens, bounds = assemble(len(rows), groups)
        return spans(vocab.gather(tokens), bounds)


def _literal_bytes(t: Template | None) -> int:
    if t is None:
        return _ROW_BYTES
    return sum(len(p) for p in (*t.reason, *t.evidence) if isinstance(p, str))


def row_bytes(worded: list[RuleWording], n: int) -> I64:
    """An estimate of the text of each of ``n`` rows: its wording's literals and a fixed
    part."""
    weight = np.full(n, _ROW_BYTES, np.int64)
    for w in worded:
        literal = np.array([_literal_bytes(t) for t in w.templates], np.int64)
        weight[w.at] += literal[w.which]
    return weight


def column_batches(
    d: Decisions, batch_rows: int, batch_bytes: int | None = None
) -> Iterator[_Batch]:
    """The rows in verdict order, in batches of at most ``batch_rows`` rows and, where the
    wordings are long, of about ``batch_bytes`` (``BATCH_BYTES``) of text, at least a row.
    The templates are made once per ``batch_rows`` rows and cut to each batch."""
    batch_bytes = batch_bytes or BATCH_BYTES
    cx = Context(d)
    appearance = d.table.appearance
    everything = wordings(d, appearance)  # the templates of all rows, made once
    for start in range(0, len(appearance), batch_rows):
        if start == batch_rows:  # the texts every batch shares are made: their temporaries
            give_back_free_memory()  # go back to the system (columnar/heap.py)
        rows = appearance[start : start + batch_rows]
        stop = start + len(rows)
        worded = [w for w in (w.window(start, stop) for w in everything) if w is not None]
        total = np.cumsum(row_bytes(worded, len(rows)))
        cuts = np.unique(np.searchsorted(total, np.arange(batch_bytes, total[-1], batch_bytes)))
        cuts = cuts[(cuts > 0) & (cuts < len(rows))].tolist()
        if not cuts:
            yield _Batch(cx, rows, worded)
            continue
        for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True):
            part = [w for w in (w.window(a, b) for w in worded) if w is not None]
            yield _Batch(cx, rows[a:b], part)
