"""The reasons and evidence of one rule's rows, or their whole JSON lines: one string
join per template shape (the slots a template has, in order), literals taken per row
where the templates of a shape differ (``fill``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa

from routesieve.engine.slots import Slot
from routesieve.engine.templates import Part, RuleWording
from routesieve.outputs.verdict_context import Context, Slots, join, json_body

I64 = npt.NDArray[np.int64]


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


@dataclass(frozen=True, kw_only=True)
class Worded:
    """Reasons and evidence JSON of some rows, or their JSON lines, with their places."""

    at: I64
    reason: pa.Array | None = None
    evidence: pa.Array | None = None
    line: pa.Array | None = None  # the JSON lines, when asked for instead of the columns


#: The JSON of a line before the reason, and between reason and evidence, of some rows.
Frame = Callable[[I64], tuple[pa.Array, pa.Array]]


def fill(cx: Context, rows: I64, w: RuleWording, frame: Frame | None = None) -> list[Worded]:
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
    out: list[Worded] = []
    for (reason_slots, evidence_slots), s in shape_ids.items():
        sel = np.flatnonzero(shape_of == s)
        local = np.zeros(len(w.templates), np.int64)
        local[members[s]] = np.arange(len(members[s]))
        shape = _Shape(
            [split[u] for u in members[s]],
            pa.array(local[w.which[sel]]),
            Slots(cx, rows[w.at[sel]]),
        )
        n = len(sel)
        if frame is not None:
            head, middle = frame(w.at[sel])
            line = join(
                [
                    head,
                    *shape.pieces(0, reason_slots, json=True),
                    middle,
                    *shape.pieces(1, evidence_slots, json=True, escape=False),
                    "}\n",
                ]
            )
            out.append(Worded(at=w.at[sel], line=line))
            continue
        text = shape.fill(0, reason_slots, json=False)
        found = shape.fill(1, evidence_slots, json=True, escape=False)
        out.append(Worded(at=w.at[sel], reason=_repeat(text, n), evidence=_repeat(found, n)))
    alone = np.flatnonzero(shape_of < 0)
    if len(alone):
        worded = [cx.builder.explain(int(r)) for r in rows[w.at[alone]].tolist()]
        reason_json = pa.array([json_body(r) for r, _ in worded], pa.string())
        evidence = pa.array([orjson.dumps(e).decode() for _, e in worded], pa.string())
        if frame is not None:
            head, middle = frame(w.at[alone])
            line = join([head, reason_json, middle, evidence, "}\n"])
            out.append(Worded(at=w.at[alone], line=line))
        else:
            reason = pa.array([r for r, _ in worded], pa.string())
            out.append(Worded(at=w.at[alone], reason=reason, evidence=evidence))
    return out


@dataclass(frozen=True)
class _Shape:
    """The templates of one shape: their literals (reason, evidence), each row's template
    (``pick``), and the slot columns of the rows."""

    literals: list[tuple[list[str], list[str]]]
    pick: pa.Array
    slots: Slots

    def literal(self, part: int, j: int, escape: bool) -> pa.Array | str:
        texts = [lits[part][j] for lits in self.literals]
        if escape:
            texts = [json_body(x) for x in texts]
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
        return join(kept)


def _repeat(value: pa.Array | str, n: int) -> pa.Array:
    if isinstance(value, str):
        return pa.array([value], pa.string()).take(pa.array(np.zeros(n, np.int64)))
    return value
