"""What changed between two runs: per peer, the routes whose verdict changed. Pure.

A route is keyed by **(peer AS, prefix, AS path)**, the key the engine merges received
routes by (step 2): the same announcement on two sessions of one peer is one route, and a
route-server route belongs to its effective peer (the first AS of its path). Sessions are
not part of the key, so a route that moves from one exchange to another is not a change;
a new path for a prefix is a route that appeared (and the old path one that disappeared).

Kinds of change, from the old run to the new one:

- ``accepted``: rejected before, accepted now;
- ``rejected``: accepted before, rejected now;
- ``rule``: the same action, decided by another rule (e.g. rejected by 3.10, then by 5);
- ``appeared`` / ``disappeared``: the route is only in the new / the old run.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from routesieve.model import Verdict


class Seen(NamedTuple):
    """What a run says of one route: the part of a verdict a comparison needs."""

    peer_asn: int
    prefix: str
    as_path: str
    action: str  # "accept" or "reject"
    rule: str
    rpki: str | None

    @property
    def key(self) -> tuple[int, str, str]:
        return (self.peer_asn, self.prefix, self.as_path)

    @staticmethod
    def of(v: Verdict) -> Seen:
        return Seen(
            v.peer_asn,
            v.prefix,
            v.as_path,
            v.action.value,
            v.rule,
            v.rpki.value if v.rpki else None,
        )

    @staticmethod
    def from_json(d: Mapping[str, Any]) -> Seen:
        """From a verdict as ``Verdict.to_json`` writes it (KeyError/TypeError if not)."""
        return Seen(
            int(d["peer_asn"]),
            str(d["prefix"]),
            str(d["as_path"]),
            str(d["action"]),
            str(d["rule"]),
            None if d.get("rpki") is None else str(d["rpki"]),
        )


class ChangeKind(enum.Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RULE = "rule"
    APPEARED = "appeared"
    DISAPPEARED = "disappeared"


TITLES = {
    ChangeKind.ACCEPTED: "became accepted",
    ChangeKind.REJECTED: "became rejected",
    ChangeKind.RULE: "decided by another rule",
    ChangeKind.APPEARED: "appeared",
    ChangeKind.DISAPPEARED: "disappeared",
}


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    peer_asn: int
    prefix: str
    as_path: str
    before: Seen | None
    after: Seen | None

    def to_json(self) -> dict[str, Any]:
        def side(s: Seen | None) -> dict[str, Any] | None:
            return None if s is None else {"action": s.action, "rule": s.rule, "rpki": s.rpki}

        return {
            "kind": self.kind.value,
            "peer_asn": self.peer_asn,
            "prefix": self.prefix,
            "as_path": self.as_path,
            "before": side(self.before),
            "after": side(self.after),
        }


@dataclass(frozen=True, slots=True)
class RunDiff:
    """Every change, sorted by peer, kind, prefix and path; and the sizes of both runs."""

    changes: tuple[Change, ...]
    old_routes: int
    new_routes: int

    def by_peer(self) -> dict[int, list[Change]]:
        out: dict[int, list[Change]] = {}
        for c in self.changes:
            out.setdefault(c.peer_asn, []).append(c)
        return out

    def counts(self) -> dict[ChangeKind, int]:
        return count_changes(self.changes)


def count_changes(changes: Iterable[Change]) -> dict[ChangeKind, int]:
    """How many changes of each kind (every kind present, zero or not)."""
    out = dict.fromkeys(ChangeKind, 0)
    for c in changes:
        out[c.kind] += 1
    return out


_ORDER = {k: i for i, k in enumerate(ChangeKind)}


def diff_runs(old: Iterable[Seen], new: Iterable[Seen]) -> RunDiff:
    """Compare two runs route by route (a key seen twice in one run: the last one counts)."""
    before = {s.key: s for s in old}
    after = {s.key: s for s in new}
    changes: list[Change] = []
    for key, a in after.items():
        b = before.get(key)
        kind: ChangeKind | None
        if b is None:
            kind = ChangeKind.APPEARED
        elif b.action != a.action:
            kind = ChangeKind.ACCEPTED if a.action == "accept" else ChangeKind.REJECTED
        elif b.rule != a.rule:
            kind = ChangeKind.RULE
        else:
            kind = None
        if kind is not None:
            changes.append(Change(kind, a.peer_asn, a.prefix, a.as_path, b, a))
    for key, b in before.items():
        if key not in after:
            changes.append(Change(ChangeKind.DISAPPEARED, b.peer_asn, b.prefix, b.as_path, b, None))
    changes.sort(key=lambda c: (c.peer_asn, _ORDER[c.kind], c.prefix, c.as_path))
    return RunDiff(tuple(changes), len(before), len(after))


def _side_text(s: Seen | None) -> str:
    return "-" if s is None else f"{s.action} {s.rule}"


def diff_text(d: RunDiff, old_name: str, new_name: str) -> str:
    """The comparison for people: a summary line, then per peer every change."""
    counts = d.counts()
    lines = [
        f"routesieve diff: {old_name} ({d.old_routes} routes) -> {new_name} "
        f"({d.new_routes} routes)",
        "  " + ", ".join(f"{TITLES[k]} {n}" for k, n in counts.items()),
    ]
    for peer, changes in d.by_peer().items():
        lines.append("")
        per = count_changes(changes)
        lines.append(f"AS{peer}: " + ", ".join(f"{TITLES[k]} {n}" for k, n in per.items() if n))
        for c in changes:
            lines.append(
                f"  {c.kind.value:<11} {c.prefix}  path {c.as_path or '(empty)'}  "
                f"{_side_text(c.before)} -> {_side_text(c.after)}"
            )
    return "\n".join(lines) + "\n"


def diff_json(d: RunDiff, old_name: str, new_name: str) -> dict[str, Any]:
    """The comparison for programs (``--format json``)."""
    return {
        "old": {"name": old_name, "routes": d.old_routes},
        "new": {"name": new_name, "routes": d.new_routes},
        "counts": {k.value: n for k, n in d.counts().items()},
        "peers": {
            str(peer): {
                "counts": {k.value: n for k, n in count_changes(changes).items()},
                "changes": [c.to_json() for c in changes],
            }
            for peer, changes in d.by_peer().items()
        },
    }
