"""What the web server answers from: one evaluation, decided once at startup, or its
verdicts read back (``serve --verdicts``), indexed per peer.

``ServeData`` holds the engine's ``Decisions`` (or the verdicts read back) and, per peer
AS, a ``PeerIndex``: the peer's rows (engine rows, ascending; a row number is the route
id of the API, stable for the run), their rule codes, an accept mask and the lower-case
text (prefix and path) of every row, also joined for one ``str.find`` scan. Filters are
numpy masks over one peer's rows, so a page of a 250,000-route peer costs a mask, a slice
and the verdicts of that page only. Both constructors build the indexes with ``_index``.
Nothing here changes after it is built: the arrays are made read-only, the mappings are
read-only views.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from routesieve.engine.decisions import Decisions
from routesieve.engine.evaluate import decide
from routesieve.engine.rpki import STATES
from routesieve.engine.rules import ALL_RULES, TITLES, Rule, is_acceptance
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.model import Route, Verdict
from routesieve.policy import Policy
from routesieve.prefix import ParseError, Prefix
from routesieve.snapshot import Provenance, Snapshot

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

RULE_CODE: Mapping[Rule, int] = MappingProxyType({rule: i for i, rule in enumerate(ALL_RULES)})
_ACCEPTING = np.array([is_acceptance(r) for r in ALL_RULES], np.bool_)
NOT_COMPUTED = "not computed"


def _frozen(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.flags.writeable = False
    return a


def _counts(codes: npt.NDArray[Any], names: Sequence[str], offset: int = 0) -> dict[str, int]:
    """How many rows carry each code (``names[code + offset]``), leaving out zeros."""
    found = np.bincount(codes.astype(np.int64) + offset, minlength=len(names)).tolist()
    return {names[i]: n for i, n in enumerate(found) if n}


_RULE_NAMES = [r.value for r in ALL_RULES]
# rpki_state codes run from -1 (not computed) to 3; shifted by one they index this list
_STATE_CODE = {state: code for code, state in STATES.items()}
_STATE_NAMES = [(s.value if s is not None else NOT_COMPUTED) for _, s in sorted(STATES.items())]


@dataclass(frozen=True)
class PeerIndex:
    """One peer AS: its configuration, its rows and the columns the filters look at."""

    asn: int
    name: str
    as_sets: tuple[str, ...]
    sessions: tuple[str, ...]
    configured: bool
    rows: I64
    rule: npt.NDArray[np.int8]
    accept: Bools
    row_text: tuple[str, ...]
    text: str
    starts: list[int]
    by_rule: Mapping[str, int]
    by_rpki: Mapping[str, int]

    @property
    def received(self) -> int:
        return len(self.rows)

    @property
    def accepted(self) -> int:
        return int(np.count_nonzero(self.accept))

    def select(self, verdict: str | None, rule: Rule | None, q: str | None) -> I64:
        """The rows (ascending) that pass every filter given: ``verdict`` accept/reject,
        ``rule`` a rule code, ``q`` a case-insensitive substring of prefix or AS path."""
        mask = np.ones(len(self.rows), np.bool_)
        if verdict is not None:
            mask &= self.accept if verdict == "accept" else ~self.accept
        if rule is not None:
            mask &= self.rule == RULE_CODE[rule]
        picked = np.flatnonzero(mask)
        if q:
            picked = self.search(q.lower(), picked)
        out: I64 = self.rows[picked]
        return out

    def search(self, needle: str, among: I64) -> I64:
        """The positions of ``among`` (positions in ``rows``) whose text holds ``needle``.

        Few hits: ``str.find`` scans the joined ``text`` in C and jumps to the next row
        after each hit, so Python runs once per hit. Many hits, or a narrow ``among``:
        one ``in`` per row is cheaper.
        """
        if "\n" in needle or not len(among):
            return np.zeros(0, np.int64)
        if len(among) == len(self.rows) and self.text.count(needle) * 8 < len(among):
            text, starts = self.text, self.starts
            hits: list[int] = []
            pos = text.find(needle)
            while pos >= 0:
                i = bisect_right(starts, pos) - 1
                hits.append(i)
                if i + 1 >= len(starts):
                    break
                pos = text.find(needle, starts[i + 1])
        else:
            row_text = self.row_text
            hits = [i for i in among.tolist() if needle in row_text[i]]
        return np.array(hits, np.int64)

    def owns(self, row: int) -> bool:
        i = int(np.searchsorted(self.rows, row))
        return i < len(self.rows) and int(self.rows[i]) == row


@dataclass(frozen=True)
class ServeData:
    """One evaluation and its indexes, built once by :func:`serve_data` (from the engine's
    decisions) or :func:`verdict_serve_data` (from verdicts read back), and only read.

    A row is a route id: an engine row, or for verdicts read back the place the engine
    would give the route among them (ordered by prefix the same way, see
    :func:`route_order`). ``rule`` and ``rpki_state`` are the codes of every row;
    ``decisions`` is None when no engine is behind the rows (no explanations then), and
    ``communities`` gives None for a row whose communities are not known."""

    decisions: Decisions | None
    builder: Callable[[int], Verdict]
    communities: Callable[[int], list[str] | None]
    rule: npt.NDArray[np.int8]
    rpki_state: npt.NDArray[np.int8]
    as_of: int
    warnings: tuple[str, ...]
    policy: Policy
    peers: Mapping[int, PeerIndex]
    provenance: tuple[Provenance, ...]
    evaluated_at: datetime
    received: int
    route_files: tuple[str, ...]
    config_path: str

    def route_json(self, row: int) -> dict[str, Any]:
        """The verdict of one row as the API shows it (with its route id)."""
        verdict = self.builder(row)
        out = verdict.to_json()
        out["route_id"] = row
        out["rule_title"] = TITLES[Rule(verdict.rule)]
        out["communities"] = self.communities(row)
        return out


def evaluate_for_serving(
    routes: Sequence[Route],
    snapshot: Snapshot,
    policy: Policy,
    evaluated_at: datetime,
    route_files: Sequence[str] = (),
    config_path: str = "",
) -> ServeData:
    """Decide every route once and index the result for the server."""
    decisions = decide(routes, snapshot, policy)
    return serve_data(
        decisions, snapshot.provenance, evaluated_at, len(routes), route_files, config_path
    )


def serve_data(
    decisions: Decisions,
    provenance: Sequence[Provenance],
    evaluated_at: datetime,
    received: int,
    route_files: Sequence[str] = (),
    config_path: str = "",
) -> ServeData:
    """Index ``decisions`` per peer: every peer that sent routes, and every configured
    peer (with no rows when it sent none)."""
    table = decisions.table
    path_text = [str(p).lower() for p in table.paths]
    path_id = table.path_id.tolist()
    first = table.first

    def texts(rows: list[int]) -> list[str]:
        return [f"{first[r].prefix_text.lower()} {path_text[path_id[r]]}" for r in rows]

    def sessions(rows: list[int]) -> tuple[str, ...]:
        return tuple(sorted({s for r in rows for s in table.sessions(r)}))

    return ServeData(
        decisions=decisions,
        builder=VerdictBuilder(decisions),
        communities=lambda row: list(first[row].communities),
        rule=_frozen(decisions.rule.view()),
        rpki_state=_frozen(decisions.rpki_state.view()),
        as_of=decisions.index.as_of,
        warnings=tuple(decisions.warnings),
        policy=decisions.policy,
        peers=_index(
            decisions.policy, table.peer, decisions.rule, decisions.rpki_state, texts, sessions
        ),
        provenance=tuple(provenance),
        evaluated_at=evaluated_at,
        received=received,
        route_files=tuple(route_files),
        config_path=config_path,
    )


def verdict_serve_data(
    verdicts: Sequence[Verdict],
    policy: Policy,
    provenance: Sequence[Provenance],
    evaluated_at: datetime,
    *,
    as_of: int,
    warnings: Sequence[str],
    received: int,
    route_files: Sequence[str] = (),
    config_path: str = "",
) -> ServeData:
    """Index verdicts read back (``outputs.verdict_dataset``) as :func:`serve_data`
    indexes decisions; the verdicts' own communities are not known (the verdict table
    does not hold them) and there is no engine to explain a route."""
    rows = [verdicts[i] for i in route_order(verdicts).tolist()]
    peer = np.array([v.peer_asn for v in rows], np.int64)
    rule = np.array([RULE_CODE[Rule(v.rule)] for v in rows], np.int8)
    rpki_state = np.array([_STATE_CODE[v.rpki] for v in rows], np.int8)

    def texts(picked: list[int]) -> list[str]:
        return [f"{rows[r].prefix.lower()} {rows[r].as_path.lower()}" for r in picked]

    def sessions(picked: list[int]) -> tuple[str, ...]:
        return tuple(sorted({s for r in picked for s in rows[r].sessions}))

    return ServeData(
        decisions=None,
        builder=rows.__getitem__,
        communities=lambda row: None,
        rule=_frozen(rule),
        rpki_state=_frozen(rpki_state),
        as_of=as_of,
        warnings=tuple(warnings),
        policy=policy,
        peers=_index(policy, peer, rule, rpki_state, texts, sessions),
        provenance=tuple(provenance),
        evaluated_at=evaluated_at,
        received=received,
        route_files=tuple(route_files),
        config_path=config_path,
    )


def route_order(verdicts: Sequence[Verdict]) -> I64:
    """The verdicts (given in the order received) in the engine's row order: stably by
    the top 64 bits of the prefix, as ``engine.table`` sorts its rows (a prefix that does
    not parse counts as ``::/0``, as it does there). Within one peer this is the engine's
    order whatever order the peers came in."""
    hi = np.zeros(len(verdicts), np.uint64)
    for i, v in enumerate(verdicts):
        try:
            p = Prefix.parse(v.prefix)
        except ParseError:
            continue
        hi[i] = p.value << 32 if p.version == 4 else p.value >> 64
    order: I64 = np.argsort(hi, kind="stable").astype(np.int64)
    return order


def _index(
    policy: Policy,
    peer: I64,
    rule: npt.NDArray[np.int8],
    rpki_state: npt.NDArray[np.int8],
    texts: Callable[[list[int]], list[str]],
    sessions: Callable[[list[int]], tuple[str, ...]],
) -> Mapping[int, PeerIndex]:
    """Every peer that has rows, and every configured peer (with no rows when it sent
    none); ``texts`` and ``sessions`` give the search texts and session names of rows."""
    order = np.argsort(peer, kind="stable")  # rows of each peer stay ascending
    sorted_peers = peer[order]
    asns = np.unique(sorted_peers).tolist()
    bounds = [*np.searchsorted(sorted_peers, np.array(asns, np.int64)).tolist(), len(order)]
    accepting = _ACCEPTING[rule.astype(np.int64)]
    peers: dict[int, PeerIndex] = {}
    for k, asn in enumerate(asns):
        rows = _frozen(order[bounds[k] : bounds[k + 1]].astype(np.int64))
        row_list = rows.tolist()
        peers[asn] = _peer(
            policy, asn, rows, sessions(row_list), rule, rpki_state, accepting, texts(row_list)
        )
    empty = _frozen(np.zeros(0, np.int64))
    for asn in policy.peers:
        if asn not in peers:
            peers[asn] = _peer(policy, asn, empty, (), rule, rpki_state, accepting, [])
    return MappingProxyType(dict(sorted(peers.items())))


def _peer(
    policy: Policy,
    asn: int,
    rows: I64,
    sessions: tuple[str, ...],
    all_rules: npt.NDArray[np.int8],
    rpki_state: npt.NDArray[np.int8],
    accepting: Bools,
    texts: list[str],
) -> PeerIndex:
    conf = policy.peers.get(asn)
    rule = _frozen(all_rules[rows])
    return PeerIndex(
        asn=asn,
        name=conf.name if conf else "",
        as_sets=conf.as_sets if conf else (),
        sessions=sessions,
        configured=conf is not None,
        rows=rows,
        rule=rule,
        accept=_frozen(accepting[rows]),
        row_text=tuple(texts),
        text="\n".join(texts),
        starts=list(accumulate((len(t) + 1 for t in texts), initial=0))[: len(texts)],
        by_rule=MappingProxyType(_counts(rule, _RULE_NAMES)),
        by_rpki=MappingProxyType(_counts(rpki_state[rows], _STATE_NAMES, 1)),
    )


def totals(data: ServeData) -> dict[str, Any]:
    """Counts over every peer: merged routes, accepted, rejected, by rule, by RPKI state."""
    merged = len(data.rule)
    accepted = int(np.count_nonzero(_ACCEPTING[data.rule.astype(np.int64)]))
    return {
        "merged": merged,
        "accepted": accepted,
        "rejected": merged - accepted,
        "by_rule": _counts(data.rule, _RULE_NAMES),
        "by_rpki": _counts(data.rpki_state, _STATE_NAMES, 1),
    }
