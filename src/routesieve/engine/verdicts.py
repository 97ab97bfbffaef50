"""Reasons and evidence: the wording of each rule, for one row or for many at once.

Reasons are written for the peer's NOC: they say what was found, what the limit is, and
for rule 5 what was looked for and not found.

The wording of a row is ``_explain(d, row, texts)``. Given the real texts of one row
(``_RowTexts``) it gives that row's reason and evidence (``VerdictBuilder``, for
``explain``, the report and the API). Given slot markers instead (``markers``) it gives a
template: ``wordings`` groups the rows of each rule by the column values the wording
reads (``_KEYS``), words one row per group with markers, and splits the result at them,
so that a writer fills the slots column-wise (``outputs/verdict_arrow.py``) and no Python
runs per row. A rule's wording may read, at its row, only the columns its key names;
everything else that varies per row goes through a ``Slot``.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from routesieve.engine.decisions import Decisions
from routesieve.engine.index import HandleIndex
from routesieve.engine.paths import bogon_asn_reason
from routesieve.engine.rpki import NOT_COMPUTED, STATES, VALID
from routesieve.engine.rules import ALL_RULES, Rule, is_acceptance
from routesieve.engine.table import RouteTable
from routesieve.model import Action, RpkiState, Verdict, Vrp, set_prefix_ref

FAMILY = {4: "IPv4", 6: "IPv6"}
I64 = npt.NDArray[np.int64]


def vrp_json(v: Vrp) -> dict[str, Any]:
    return {"prefix": str(v.prefix), "max_length": v.max_length, "asn": v.asn, "ta": v.ta}


def handle_json(h: HandleIndex, entry: int) -> dict[str, Any]:
    handle = h.handles[int(h.code[entry])]
    return {"source": handle.source, "id": handle.handle, "prefix": str(h.entries[entry])}


def row_prefix_text(table: RouteTable, row: int) -> str:
    """The prefix of a row as written in verdicts (the text as read when it had none)."""
    return table.first[row].prefix_text


class Slot(enum.Enum):
    """A per-row value of a reason or of the evidence, filled in after grouping.

    ``raw`` slots stand for a whole JSON value in the evidence (a number, an object);
    the others for text inside a JSON string."""

    PREFIX = "prefix"  # the route's prefix text
    LENGTH = "length"  # the route's prefix length
    PATH = "path"  # the route's AS path text
    PEER = "peer"  # the effective peer AS
    ORIGIN = "origin"  # the origin AS of the path
    PROBLEM = "problem"  # why a malformed route could not be read
    VRP_PREFIX = "vrp_prefix"  # the deciding VRP (``Decisions.rpki_vrp``)
    VRP_ASN = "vrp_asn"
    VRP_MAX = "vrp_max"
    VRP_JSON = "vrp_json"
    SEED_PREFIX = "seed_prefix"  # the prefix of the row in ``detail`` (rule 4.2)
    RO_PREFIX = "ro_prefix"  # the route object in ``detail`` (rule 4.4)
    RO_ORIGIN = "ro_origin"
    RO_ORIGIN_JSON = "ro_origin_json"

    @property
    def raw(self) -> bool:
        return self in (Slot.VRP_JSON, Slot.RO_ORIGIN_JSON)

    @property
    def marker(self) -> str:
        return f"{_OPEN}{self.value}{_CLOSE}"


_OPEN, _CLOSE = "\ue000", "\ue001"
_BY_NAME = {s.value: s for s in Slot}
_SPLIT = re.compile(f'"{_OPEN}(\\w+){_CLOSE}"|{_OPEN}(\\w+){_CLOSE}')

Texts = Callable[[Slot], Any]


def markers(slot: Slot) -> Any:
    """The texts of a template: each slot's marker."""
    return slot.marker


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
        return _explain(self.d, i, _RowTexts(self, i))

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
    asked for), and per row its template, by index into ``templates``.

    A template is None for a group whose wording holds a marker character itself (text
    from outside data, in theory): those rows are worded one by one."""

    rule: Rule
    at: I64
    which: I64
    templates: list[Template | None]


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


def _route_object_sources(d: Decisions, ids: I64) -> I64:
    """A code for the IRR source of each route object (a column read when there is one)."""
    objects = d.index.route_objects
    column = getattr(getattr(objects, "source", None), "codes", None)
    if isinstance(column, np.ndarray):
        return column[ids].astype(np.int64)
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
    for m in _SPLIT.finditer(text):
        quoted = m.group(1) is not None
        slot = _BY_NAME.get(m.group(1) if quoted else m.group(2))
        if slot is None:
            return None
        whole_value = quoted and json and slot.raw
        if slot.raw and not whole_value:
            return None
        quote = '"' if quoted and not whole_value else ""
        out += [text[pos : m.start()] + quote, slot, quote]
        pos = m.end()
    out.append(text[pos:])
    if any(isinstance(p, str) and (_OPEN in p or _CLOSE in p) for p in out):
        return None
    merged: list[Part] = []
    for p in out:  # adjacent literals joined, empty ones dropped
        if isinstance(p, str) and merged and isinstance(merged[-1], str):
            merged[-1] += p
        elif p != "":
            merged.append(p)
    return tuple(merged)


def _template(d: Decisions, row: int) -> Template | None:
    reason, evidence = _explain(d, row, markers)
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


# ---- the wording -----------------------------------------------------------------------


def _explain(d: Decisions, i: int, t: Texts) -> tuple[str, dict[str, Any]]:
    """The reason and evidence of row ``i``; per-row values come from ``t``."""
    rule = ALL_RULES[int(d.rule[i])]
    state = STATES[int(d.rpki_state[i])]
    reason, evidence = _wording(d, i, rule, state, t)
    if state is not None and d.rpki_vrp[i] >= 0 and "vrp" not in evidence:
        evidence["rpki_vrp"] = t(Slot.VRP_JSON)
    return reason, evidence


def _wording(
    d: Decisions, i: int, rule: Rule, state: RpkiState | None, t: Texts
) -> tuple[str, dict[str, Any]]:
    policy = d.policy
    peer = int(d.table.peer[i])
    detail = int(d.detail[i])
    if rule is Rule.X_AFI:
        version = int(d.table.prefixes.version[i])
        fams = " and ".join(FAMILY[f] for f in sorted(policy.families))
        return (
            f"{FAMILY[version]} route, but AS{policy.local_asn} takes {fams} routes only",
            {"family": FAMILY[version]},
        )
    if rule is Rule.X_MALFORMED:
        return (t(Slot.PROBLEM), {})
    prefix = t(Slot.PREFIX)
    if rule is Rule.DEFAULT_ROUTE:
        return (f"{prefix} is a default route, never accepted from a peer", {})
    if rule is Rule.AS_SET:
        return (
            f"AS path {t(Slot.PATH)} uses AS_SET or confederation segments "
            "(deprecated, draft-ietf-idr-deprecate-as-set-confed-set)",
            {},
        )
    if rule is Rule.PREFIX_LENGTH:
        version = int(d.table.prefixes.version[i])
        length = int(d.table.prefixes.length[i])
        low, high = policy.length_limits(version)
        return (
            f"prefix length /{length} is outside /{low}–/{high} allowed for {FAMILY[version]}",
            {"length": length, "min": low, "max": high},
        )
    if rule is Rule.BOGON:
        b = d.index.bogons[detail]
        why = f" ({b.reason})" if b.reason else ""
        return (
            f"{prefix} lies inside bogon {b.prefix}{why}",
            {"bogon": {"prefix": str(b.prefix), "reason": b.reason}},
        )
    if rule is Rule.EXCHANGE_PREFIX:
        x = d.index.exchanges[detail]
        return (
            f"{prefix} lies inside {x.prefix}, the LAN of exchange {x.exchange}",
            {
                "exchange": {
                    "prefix": str(x.prefix),
                    "name": x.exchange,
                    "peeringdb_ix": x.peeringdb_ix,
                }
            },
        )
    path = d.table.paths[int(d.table.path_id[i])]  # read only where the key is the path
    if rule is Rule.PATH_TOO_LONG:
        return (
            f"AS path has {path.hop_count} hops, more than the limit of {policy.max_hops} "
            "(prepends count)",
            {"hops": path.hop_count, "limit": policy.max_hops},
        )
    if rule is Rule.UNALLOCATED_ASN:
        return (
            f"AS{detail} in the path is unallocated (inside {policy.unallocated_asn_first}–"
            f"{policy.unallocated_asn_last} and not in an IANA-allocated block)",
            {"asn": detail},
        )
    if rule is Rule.AS_TRANS:
        return ("AS 23456 (AS_TRANS) appears in the path", {"asn": 23456})
    if rule is Rule.AS_ZERO:
        return ("AS 0 appears in the path (RFC 7606)", {"asn": 0})
    if rule is Rule.RPKI_INVALID:
        if state is RpkiState.INVALID_LENGTH:
            text = (
                f"RPKI INVALID_LENGTH: the VRP {t(Slot.VRP_PREFIX)} for AS{t(Slot.VRP_ASN)} "
                f"allows lengths up to /{t(Slot.VRP_MAX)}, the route is /{t(Slot.LENGTH)}"
            )
        else:
            text = (
                f"RPKI INVALID_ASN: {prefix} is covered by a VRP for AS{t(Slot.VRP_ASN)} "
                f"({_vrp_text(t)}), and none for the origin AS{t(Slot.ORIGIN)}"
            )
        return text, {"vrp": t(Slot.VRP_JSON)}
    if rule is Rule.X_FIRST_AS:
        return (
            f"first AS of the path is AS{path.first}, "
            f"not the neighbour AS{int(d.table.received_from[i])}",
            {"first_asn": path.first},
        )
    if rule is Rule.X_BOGON_ASN:
        return (f"AS{detail} in the path is {bogon_asn_reason(detail)}", {"asn": detail})
    if rule is Rule.X_ASPA:
        result = d.aspa[i]
        return result.summary(), {"aspa": result.to_json(), "hops": result.lines()}
    if rule is Rule.RPKI_VALID_ORIGIN:
        return (
            f"originated by the peer AS{t(Slot.PEER)} and RPKI VALID (VRP {_vrp_text(t)})",
            {"vrp": t(Slot.VRP_JSON)},
        )
    if rule is Rule.DOWNSTREAM_OF_ACCEPTED:
        seed = t(Slot.SEED_PREFIX)
        seed_rule = ALL_RULES[int(d.rule[detail])].value
        return (
            f"inside {seed}, which the peer AS{t(Slot.PEER)} originates and which was "
            f"accepted by rule {seed_rule}",
            {"covering_prefix": seed, "covering_rule": seed_rule},
        )
    if rule is Rule.RIR_HANDLE:
        ev = _handle(d, i, peer_side=True)
        return (
            f"the RIR handle {ev['id']} ({ev['source']}) holds both {ev['prefix']} and "
            f"AS{t(Slot.PEER)}",
            {"handle": ev},
        )
    if rule is Rule.IRR_EXACT:
        return _irr_exact(d, detail, peer, t)
    if rule is Rule.AS_SET_TWO_HOPS:
        origin = t(Slot.ORIGIN)
        members_of = list(d.expansions[peer].sets)
        found: dict[str, Any] = {"as_sets": members_of}
        if state is RpkiState.VALID:
            found["vrp"] = t(Slot.VRP_JSON)
            why = "RPKI VALID"
        else:
            found["handle"] = _handle(d, i, peer_side=False)
            why = f"RIR handle {found['handle']['id']} holds the prefix and AS{origin}"
        return (
            f"two-hop path from AS{origin}, a member of {', '.join(members_of)}, "
            f"through the peer; {why}",
            found,
        )
    valid_elsewhere = state is RpkiState.VALID and path.origin != peer
    origin = t(Slot.ORIGIN) if valid_elsewhere else ""
    return _not_accepted(d, peer, prefix, origin, state, valid_elsewhere)


def _vrp_text(t: Texts) -> str:
    return f"{t(Slot.VRP_PREFIX)} max /{t(Slot.VRP_MAX)}"


def _irr_exact(d: Decisions, detail: int, peer: int, t: Texts) -> tuple[str, dict[str, Any]]:
    source = d.index.route_objects[detail].source
    ro_prefix, ro_origin = t(Slot.RO_PREFIX), t(Slot.RO_ORIGIN)
    sets = d.expansions[peer].sets if peer in d.expansions else ()
    via = f"AS{peer}" + (f" and {', '.join(sets)}" if sets else "")
    listed_in = set_prefix_ref(source)
    if listed_in is not None:
        sources = source.rpartition("@")[2]
        return (
            f"{ro_prefix} is in the prefix list of {listed_in} from {sources} (the route "
            f"objects of its member ASNs, as the IRR server gives them); the peer opted in "
            f"{listed_in} ({via})",
            {
                "set_prefix_list": {
                    "prefix": ro_prefix,
                    "as_set": listed_in,
                    "sources": sources.split(","),
                },
                "irr_policy": [f"AS{peer}", *sets],
            },
        )
    src = f" in {source}" if source else ""
    return (
        f"route object {ro_prefix} with origin AS{ro_origin}{src} matches exactly; "
        f"AS{ro_origin} is in the IRR policy of the peer ({via})",
        {
            "route_object": {
                "prefix": ro_prefix,
                "origin": t(Slot.RO_ORIGIN_JSON),
                "source": source,
            },
            "irr_policy": [f"AS{peer}", *sets],
        },
    )


def _handle(d: Decisions, i: int, peer_side: bool) -> dict[str, Any]:
    rir, org = (d.rir_peer[i], d.org_peer[i]) if peer_side else (d.rir_origin[i], d.org_origin[i])
    if rir >= 0:
        return handle_json(d.index.rir, int(rir))
    return handle_json(d.index.org, int(org))


def _not_accepted(
    d: Decisions,
    peer: int,
    prefix: str,
    origin: str,
    state: RpkiState | None,
    valid_elsewhere: bool,
) -> tuple[str, dict[str, Any]]:
    rpki_text = state.value if state is not None else "not computed"
    if valid_elsewhere:
        rpki_text += f" (but the origin AS{origin} is not the peer)"
    sets = d.expansions[peer].sets if peer in d.expansions else ()
    policy_text = f"AS{peer}" + (f" or {', '.join(sets)}" if sets else "")
    return (
        f"not accepted: RPKI {rpki_text}; no accepted covering prefix originated by the peer; "
        f"no RIR handle shared by the prefix and AS{peer}; no route object for exactly "
        f"{prefix} with an origin in {policy_text}"
        + ("" if sets else "; no as-set in use (ask for one, rule 1.1)"),
        {"looked_for": {"rpki": rpki_text, "irr_policy": [f"AS{peer}", *sets]}},
    )
