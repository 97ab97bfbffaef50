"""The reasons and evidence of one rule's rows as tokens: indexes into the batch's
``Vocabulary`` (every distinct text it needs: literals of the templates, prefixes, paths,
VRPs, ...). A row's text is its tokens' texts one after another, so a whole batch of
JSON lines, or of reasons, is one gather (``Vocabulary.gather``) cut into rows
(``spans``): each byte of the output is copied once, however long a wording's literals
(a transit peer's reasons name its whole as-set)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa

from routesieve.engine.slots import Slot
from routesieve.engine.templates import Part, RuleWording
from routesieve.outputs.verdict_context import BatchRows, Column, Slots, json_body

I64 = npt.NDArray[np.int64]

#: The tokens of one place of a row: the same for every row, or one per row.
Piece = int | I64


class Vocabulary:
    """The texts a batch is written from, gathered into one string array; a token is an
    index into it. Literals are numbered apart (``-1 - k``) until the array is made."""

    def __init__(self) -> None:
        self._parts: list[pa.Array] = []
        self._size = 0
        self._bases: dict[int, int] = {}
        self._literals: dict[str, int] = {}

    def literal(self, text: str) -> int:
        return -1 - self._literals.setdefault(text, len(self._literals))

    def literals(self, texts: list[str]) -> I64:
        return np.array([self.literal(t) for t in texts], np.int64)

    def add(self, values: pa.Array) -> int:
        """The token of the first text of ``values`` (added once, however often asked)."""
        base = self._bases.get(id(values))
        if base is None:
            base = self._bases[id(values)] = self._size
            self._parts.append(values)
            self._size += len(values)
        return base

    def column(self, c: Column) -> I64:
        """The tokens of a column's rows; of a table much longer than the rows (the texts
        of every VRP of the write, say) only the texts the rows use are added."""
        if len(c.values) <= 4 * len(c.index) + 4096:
            return self.add(c.values) + c.index
        used, inverse = _used(c.index, len(c.values))
        return self.add(c.values.take(pa.array(used))) + inverse

    def gather(self, tokens: I64) -> pa.Array:
        """The text of each token, in order (``tokens`` is changed: literals resolved)."""
        literal = tokens < 0
        tokens[literal] = self._size - 1 - tokens[literal]
        values = pa.concat_arrays([*self._parts, pa.array(list(self._literals), pa.string())])
        return values.take(pa.array(tokens))


def _used(index: I64, size: int) -> tuple[I64, I64]:
    """The distinct values of ``index`` (each in ``0 .. size - 1``), in order, and the place
    of each row's value among them: ``np.unique``'s answer, marked off in a table of
    ``size`` flags where that is cheaper than sorting."""
    if size > 16 * len(index) + (1 << 16):
        used, inverse = np.unique(index, return_inverse=True)
        return used, inverse.reshape(len(index)).astype(np.int64, copy=False)
    seen = np.zeros(size, np.bool_)
    seen[index] = True
    used = np.flatnonzero(seen)
    place = np.empty(size, np.int64)
    place[used] = np.arange(len(used), dtype=np.int64)
    return used, place[index]


def assemble(n: int, groups: list[tuple[I64, list[Piece]]]) -> tuple[I64, I64]:
    """The tokens of ``n`` rows, the rows ``at`` of each group made of its pieces in
    order: every token, and the bounds of each row's tokens (``n + 1`` of them)."""
    width = np.zeros(n, np.int64)
    for at, pieces in groups:
        width[at] = len(pieces)
    bounds = np.zeros(n + 1, np.int64)
    np.cumsum(width, out=bounds[1:])
    tokens = np.empty(int(bounds[-1]), np.int64)
    for at, pieces in groups:
        first = bounds[at]
        for j, piece in enumerate(pieces):
            tokens[first + j] = piece
    return tokens, bounds


def spans(texts: pa.Array, bounds: I64) -> pa.Array:
    """One string per run of consecutive ``texts`` (run ``k``: ``bounds[k]`` to
    ``bounds[k + 1] - 1``), sharing their data: no copy."""
    n = len(bounds) - 1
    if not len(texts):
        return pa.array([""] * n, pa.string())
    _, offset_buffer, data = texts.buffers()
    offsets = np.frombuffer(offset_buffer, np.int32)[texts.offset : texts.offset + len(texts) + 1]
    runs = np.ascontiguousarray(offsets[bounds])
    return pa.StringArray.from_buffers(n, pa.py_buffer(runs), data or pa.py_buffer(b""))


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


@dataclass(frozen=True)
class Filled:
    """The tokens of the reasons and of the evidence of some rows (``at``)."""

    at: I64
    reason: list[Piece]
    evidence: list[Piece]


def fill(
    batch: BatchRows,
    w: RuleWording,
    vocab: Vocabulary,
    json: bool,
    frame: tuple[str, str] = ("", ""),
) -> list[Filled]:
    """The reasons and evidence of the rows of one rule, one group of rows per template
    shape (the slots a template has, in order); literals differ between the templates of
    a shape. ``json``: the reasons as inside a JSON string (the evidence is JSON text).
    ``frame``: text before every reason and after every evidence (fewer tokens than
    tokens of their own)."""
    before, after = frame
    cx, rows = batch.cx, batch.rows
    shape_ids: dict[tuple[tuple[Slot, ...], tuple[Slot, ...]], int] = {}
    members: list[list[int]] = []
    split: list[tuple[list[str], list[str]]] = []
    shape_of_template: list[int] = []
    for u, t in enumerate(w.templates):
        if t is None:
            split.append(([], []))
            shape_of_template.append(-1)
            continue
        found = cx.template_parts.get(t)  # a template is used by many batches
        if found is None:
            found = cx.template_parts[t] = (*_alternate(t.reason), *_alternate(t.evidence))
        reason, reason_slots, evidence, evidence_slots = found
        split.append((reason, evidence))
        s = shape_ids.setdefault((reason_slots, evidence_slots), len(shape_ids))
        if s == len(members):
            members.append([])
        members[s].append(u)
        shape_of_template.append(s)
    shape_of = np.array(shape_of_template, np.int64)[w.which]
    out: list[Filled] = []
    for (reason_slots, evidence_slots), s in shape_ids.items():
        sel = np.flatnonzero(shape_of == s)
        local = np.zeros(len(w.templates), np.int64)
        local[members[s]] = np.arange(len(members[s]))
        shape = _Shape([split[u] for u in members[s]], local[w.which[sel]], Slots(batch, w.at[sel]))
        out.append(
            Filled(
                w.at[sel],
                shape.pieces(vocab, 0, reason_slots, json=json, escape=json, frame=(before, "")),
                shape.pieces(vocab, 1, evidence_slots, json=True, escape=False, frame=("", after)),
            )
        )
    alone = np.flatnonzero(shape_of < 0)
    if len(alone):
        worded = [cx.builder.explain(int(r)) for r in rows[w.at[alone]].tolist()]
        reasons = [before + (json_body(r) if json else r) for r, _ in worded]
        evidence_texts = [orjson.dumps(e).decode() + after for _, e in worded]
        each = np.arange(len(alone), dtype=np.int64)
        reason_token = vocab.add(pa.array(reasons, pa.string())) + each
        evidence_token = vocab.add(pa.array(evidence_texts, pa.string())) + each
        out.append(Filled(w.at[alone], [reason_token], [evidence_token]))
    return out


@dataclass(frozen=True)
class _Shape:
    """The templates of one shape: their literals (reason, evidence), each row's template
    (``pick``), and the slot columns of the rows."""

    literals: list[tuple[list[str], list[str]]]
    pick: I64
    slots: Slots

    def pieces(
        self,
        vocab: Vocabulary,
        part: int,
        names: tuple[Slot, ...],
        json: bool,
        escape: bool,
        frame: tuple[str, str],
    ) -> list[Piece]:
        """The tokens of the reason (part 0) or evidence (part 1) of every row: literals
        and slots in order, empty literals left out. ``json``: slots as inside JSON text,
        ``escape``: literals JSON-escaped too; ``frame``: text before and after."""
        out: list[Piece] = []
        for j in range(len(names) + 1):
            texts = [lits[part][j] for lits in self.literals]
            if escape:
                texts = [json_body(x) for x in texts]
            if j == 0 and frame[0]:
                texts = [frame[0] + x for x in texts]
            if j == len(names) and frame[1]:
                texts = [x + frame[1] for x in texts]
            if any(x != texts[0] for x in texts):
                out.append(vocab.literals(texts)[self.pick])
            elif texts[0]:
                out.append(vocab.literal(texts[0]))
            if j < len(names):
                out.append(vocab.column(self.slots(names[j], json)))
        return out
