"""Reasons and evidence of one row: ``VerdictBuilder`` makes the ``Verdict`` of a row (for
``explain``, the report, the API and writers of ready verdicts), its texts read from the
decided columns when the wording (``engine.wording``) asks for them. Writers of many rows
use the templates of ``engine.templates`` instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from routesieve.engine.decisions import Decisions
from routesieve.engine.rpki import STATES
from routesieve.engine.rules import ALL_RULES, is_acceptance
from routesieve.engine.slots import Slot, row_prefix_text, vrp_json
from routesieve.engine.wording import word_row
from routesieve.model import Action, Verdict

I64 = npt.NDArray[np.int64]


class _RowTexts:
    """The real texts of one row, each computed when the wording asks for it."""

    def __init__(self, b: VerdictBuilder, i: int) -> None:
        self.b, self.i = b, i

    def __call__(self, slot: Slot) -> Any:
        b, i = self.b, self.i
        d = b.d
        if slot is Slot.PREFIX:
            return row_prefix_text(d.table, i)
        if slot is Slot.LENGTH:
            return str(d.table.prefixes.length[i])
        if slot is Slot.PATH:
            return b.path_text(b.path_id[i])
        if slot is Slot.PEER:
            return str(b.peer[i])
        if slot is Slot.ORIGIN:
            return str(d.table.paths[b.path_id[i]].origin)
        if slot is Slot.PROBLEM:
            return d.table.first[i].problem or "empty AS path"
        if slot is Slot.SEED_PREFIX:
            return row_prefix_text(d.table, b.detail[i])
        if slot in (Slot.RO_PREFIX, Slot.RO_ORIGIN, Slot.RO_ORIGIN_JSON):
            ro = d.index.route_objects[b.detail[i]]
            if slot is Slot.RO_PREFIX:
                return str(ro.prefix)
            return ro.origin if slot.raw else str(ro.origin)
        v = d.index.vrps[b.vrp[i]]
        if slot is Slot.VRP_PREFIX:
            return str(v.prefix)
        if slot is Slot.VRP_ASN:
            return str(v.asn)
        if slot is Slot.VRP_MAX:
            return str(v.max_length)
        return vrp_json(v)


class VerdictBuilder:
    """Builds the verdict of one row; the columns are turned into Python lists once."""

    def __init__(self, d: Decisions) -> None:
        self.d = d
        self.rule = [ALL_RULES[r] for r in d.rule.tolist()]
        self.state = [STATES[s] for s in d.rpki_state.tolist()]
        self.vrp = d.rpki_vrp.tolist()
        self.peer = d.table.peer.tolist()
        self.path_id = d.table.path_id.tolist()
        self.detail = d.detail.tolist()
        self._path_text: dict[int, str] = {}

    def path_text(self, pid: int) -> str:
        text = self._path_text.get(pid)
        if text is None:
            text = self._path_text[pid] = str(self.d.table.paths[pid])
        return text

    def explain(self, i: int) -> tuple[str, dict[str, Any]]:
        """The reason and the evidence of row ``i``."""
        return word_row(self.d, i, _RowTexts(self, i))

    def __call__(self, i: int) -> Verdict:
        d = self.d
        rule = self.rule[i]
        path = d.table.paths[self.path_id[i]]
        reason, evidence = self.explain(i)
        return Verdict(
            peer_asn=self.peer[i],
            prefix=row_prefix_text(d.table, i),
            as_path=self.path_text(self.path_id[i]),
            origin_asn=path.origin,
            action=_ACTION[rule],
            rule=_CODE[rule],
            reason=reason,
            rpki=self.state[i],
            sessions=d.table.sessions(i),
            evidence=evidence,
        )


def verdict_of(d: Decisions, i: int) -> Verdict:
    """The verdict of row ``i`` (for one-off use; ``VerdictBuilder`` for many rows)."""
    return VerdictBuilder(d)(i)


_CODE = {r: r.value for r in ALL_RULES}
_ACTION = {r: Action.ACCEPT if is_acceptance(r) else Action.REJECT for r in ALL_RULES}
