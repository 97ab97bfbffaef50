"""Templates: one wording per group of rows whose wording differs only in slots.

``wordings`` groups the rows of each rule by the column values its wording reads
(``_key_columns``), words one row per group with markers (``engine.slots.markers``), and
splits the result at them, so that a writer fills the slots column-wise
(``outputs/verdict_columns.py``) and no Python runs per row. A group whose wording holds
a marker character itself (text from outside data, in theory) gets no template: its rows
are worded one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from routesieve.engine.decisions import Decisions
from routesieve.engine.rpki import NOT_COMPUTED, VALID
from routesieve.engine.rules import ALL_RULES, Rule
from routesieve.engine.slots import CLOSE, OPEN, Slot, markers
from routesieve.engine.wording import word_row

I64 = npt.NDArray[np.int64]
_BY_NAME = {s.value: s for s in Slot}
_MARKER = re.compile(f"{OPEN}(\\w+){CLOSE}")  # a slot's marker, within quotes or not


# ---- templates: one wording per group of rows with equal keys --------------------------

Part = str | Slot  # literal text, or a slot


@dataclass(frozen=True)
class Template:
    """A reason as literal text and slots, and the evidence as JSON text and slots (a
    plain slot inside a JSON string, a raw slot as a whole value)."""

    reason: tuple[Part, ...]
    evidence: tuple[Part, ...]


@dataclass(frozen=True)
class RuleWording:
    """The rows one rule decided among those asked for (``at``: their places in the rows
    asked for, ascending), and per row its template, by index into ``templates``.

    A template is None for a group whose wording holds a marker character itself (text
    from outside data, in theory): those rows are worded one by one."""

    rule: Rule
    at: I64
    which: I64
    templates: list[Template | None]

    def window(self, start: int, stop: int) -> RuleWording | None:
        """The wording of rows ``start`` to ``stop - 1`` of those asked for, counted from
        ``start``, with the templates they use; None when the rule decided none of them."""
        a, b = np.searchsorted(self.at, [start, stop]).tolist()  # ``at`` is ascending
        if a == b:
            return None
        used, which = np.unique(self.which[a:b], return_inverse=True)
        templates = [self.templates[u] for u in used.tolist()]
        return RuleWording(self.rule, self.at[a:b] - start, which.astype(np.int64), templates)


def _key_columns(d: Decisions, rule: Rule, rows: I64) -> list[npt.NDArray[Any]]:
    """What the wording of ``rule`` reads at a row, beyond its slots and the peer's as-sets."""
    t = d.table
    if rule is Rule.X_AFI:
        return [t.prefixes.version[rows]]
    if rule is Rule.PREFIX_LENGTH:
        return [t.prefixes.version[rows], t.prefixes.length[rows]]
    if rule in (Rule.BOGON, Rule.EXCHANGE_PREFIX, Rule.UNALLOCATED_ASN, Rule.X_BOGON_ASN):
        return [d.detail[rows]]
    if rule is Rule.PATH_TOO_LONG:
        return [t.path_id[rows]]
    if rule is Rule.RPKI_INVALID:
        return [d.rpki_state[rows]]
    if rule is Rule.X_FIRST_AS:
        return [t.path_id[rows], t.received_from[rows]]
    if rule is Rule.X_ASPA:
        return [rows]
    if rule is Rule.DOWNSTREAM_OF_ACCEPTED:
        return [d.rule[d.detail[rows]]]
    if rule is Rule.RIR_HANDLE:
        return [d.rir_peer[rows], d.org_peer[rows]]
    if rule is Rule.IRR_EXACT:
        return [t.peer[rows], _route_object_sources(d, d.detail[rows])]
    if rule is Rule.AS_SET_TWO_HOPS:
        return [t.peer[rows], d.rpki_state[rows], d.rir_origin[rows], d.org_origin[rows]]
    if rule is Rule.NOT_ACCEPTED:
        origin = d.facts.origin[t.path_id[rows]]
        state = d.rpki_state[rows]
        return [t.peer[rows], state, (state == VALID) & (origin != t.peer[rows])]
    return []  # X-MALFORMED, 3.1, 3.2, 3.8, 3.9, 4.1: slots only


def _route_object_sources(d: Decisions, ids: npt.NDArray[np.integer]) -> I64:
    """A code for the IRR source of each route object (a column read when there is one)."""
    objects = d.index.route_objects
    column = getattr(getattr(objects, "source", None), "codes", None)
    if isinstance(column, np.ndarray):
        found: I64 = column[ids].astype(np.int64)
        return found
    codes: dict[str, int] = {}
    return np.array(
        [codes.setdefault(objects[j].source, len(codes)) for j in ids.tolist()], np.int64
    ).reshape(len(ids))


def _group(keys: list[npt.NDArray[Any]], n: int) -> tuple[I64, I64]:
    """The first row of each group of equal keys, and each row's group."""
    combined = np.zeros(n, np.int64)
    for col in keys:
        values = col.astype(np.int64)
        if n and values.max() - values.min() < 1 << 16:
            codes, size = values - values.min(), int(values.max() - values.min()) + 1
        else:
            uniq, inverse = np.unique(values, return_inverse=True)
            codes, size = inverse.reshape(n).astype(np.int64), len(uniq)
        if size > 1:
            combined = combined * size + codes
            if n and int(combined.max()) >= 1 << 40:  # keep the next product in range
                _, inverse = np.unique(combined, return_inverse=True)
                combined = inverse.reshape(n).astype(np.int64)
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    return first.astype(np.int64), inverse.reshape(n).astype(np.int64)


def _parts(text: str, json: bool) -> tuple[Part, ...] | None:
    """``text`` split at its markers; None when it holds a marker character otherwise."""
    out: list[Part] = []
    pos = 0
    m = _MARKER.search(text)  # a search for the marker's first character: no scan per '"'
    while m is not None:
        start, end = m.span()
        quoted = start > pos and text[start - 1] == '"' and text[end : end + 1] == '"'
        slot = _BY_NAME.get(m.group(1))
        if slot is None:
            return None
        whole_value = quoted and json and slot.raw
        if slot.raw and not whole_value:
            return None
        quote = '"' if quoted and not whole_value else ""
        if quoted:
            start, end = start - 1, end + 1
        out += [text[pos:start] + quote, slot, quote]
        pos = end
        m = _MARKER.search(text, pos)
    out.append(text[pos:])
    if any(isinstance(p, str) and (OPEN in p or CLOSE in p) for p in out):
        return None
    merged: list[Part] = []
    for p in out:  # adjacent literals joined, empty ones dropped
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    return tuple(merged)


def _template(d: Decisions, row: int) -> Template | None:
    reason, evidence = word_row(d, row, markers)
    text = _parts(reason, json=False)
    found = _parts(orjson.dumps(evidence).decode(), json=True)
    if text is None or found is None:
        return None
    return Template(text, found)


def wordings(d: Decisions, rows: I64) -> list[RuleWording]:
    """The templates of the rules that decided ``rows`` (table rows), rule by rule."""
    rule_col = d.rule[rows]
    by_rule = np.argsort(rule_col, kind="stable").astype(np.int64)
    counts = np.bincount(rule_col.astype(np.int64), minlength=len(ALL_RULES))
    out: list[RuleWording] = []
    start = 0
    for code, count in enumerate(counts.tolist()):
        if not count:
            continue
        at = by_rule[start : start + count]
        start += count
        picked = rows[at]
        rule = ALL_RULES[code]
        has_vrp = (d.rpki_state[picked] != NOT_COMPUTED) & (d.rpki_vrp[picked] >= 0)
        first, which = _group([*_key_columns(d, rule, picked), has_vrp], count)
        templates = [_template(d, int(r)) for r in picked[first].tolist()]
        out.append(RuleWording(rule, at, which, templates))
    return out
