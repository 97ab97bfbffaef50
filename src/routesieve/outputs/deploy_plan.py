"""Deciding whether a new rendering may replace the deployed one (pure: no I/O).

A deployment writes a manifest beside the router files: per peer, the accept list; and
the data the rendering came from. The next deployment compares manifests, so the check
never has to parse router syntax. It refuses, unless forced, when a peer's accept list
would drop to empty or shrink by more than the allowed share, or when a data source is
older than the allowed age (a source that failed to load never gets this far: the run
stops with the file named).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from routesieve.outputs.filterspec import RouterPolicy
from routesieve.snapshot import Provenance

MANIFEST = "routesieve-manifest.json"


@dataclass(frozen=True, slots=True)
class PeerChange:
    asn: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    before: int
    after: int

    @property
    def shrink(self) -> float:
        return 0.0 if self.before == 0 else max(0, self.before - self.after) / self.before


@dataclass(frozen=True, slots=True)
class Plan:
    changes: tuple[PeerChange, ...]
    refusals: tuple[str, ...]

    @property
    def changed(self) -> tuple[PeerChange, ...]:
        return tuple(c for c in self.changes if c.added or c.removed)


def manifest_of(rp: RouterPolicy, target: str) -> dict[str, Any]:
    """The machine-readable summary written beside the router files."""
    peers: dict[str, list[str]] = {}
    for peer in rp.peers:
        prefixes = {str(p) for p in peer.accept}
        for _, member_prefixes in peer.members:
            prefixes.update(str(p) for p in member_prefixes)
        peers[str(peer.asn)] = sorted(prefixes)
    return {
        "target": target,
        "local_asn": rp.local_asn,
        "peers": peers,
        "sources": [
            {"kind": p.kind, "location": p.location, "generated": p.generated, "count": p.count}
            for p in rp.provenance
        ],
    }


def _age_hours(generated: str, now: datetime) -> float | None:
    try:
        when = datetime.fromisoformat(generated.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (now - when).total_seconds() / 3600


def plan(
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any],
    provenance: tuple[Provenance, ...],
    now: datetime,
    max_shrink: float,
    max_age_hours: float,
) -> Plan:
    """What changes per peer, and every reason to refuse the change."""
    refusals: list[str] = []
    for p in provenance:
        if p.generated is None:
            continue
        age = _age_hours(p.generated, now)
        if age is not None and age > max_age_hours:
            refusals.append(
                f"data source {p.kind} {p.location} is {age:.0f} hours old "
                f"(limit {max_age_hours:g} hours)"
            )
    before: Mapping[str, list[str]] = (old or {}).get("peers", {})
    after: Mapping[str, list[str]] = new["peers"]
    changes: list[PeerChange] = []
    for asn in sorted({*before, *after}, key=int):
        was, now_set = set(before.get(asn, ())), set(after.get(asn, ()))
        change = PeerChange(
            int(asn),
            tuple(sorted(now_set - was)),
            tuple(sorted(was - now_set)),
            len(was),
            len(now_set),
        )
        changes.append(change)
        if was and not now_set:
            refusals.append(f"AS{asn}: the accept list would drop from {len(was)} prefixes to none")
        elif change.shrink > max_shrink:
            refusals.append(
                f"AS{asn}: the accept list would shrink by {change.shrink:.0%} "
                f"({len(was)} -> {len(now_set)} prefixes; limit {max_shrink:.0%})"
            )
    return Plan(tuple(changes), tuple(refusals))


def describe(p: Plan, shown: int = 5) -> list[str]:
    """Lines for the operator: what changes for each peer whose list changes."""
    lines: list[str] = []
    for c in p.changed:
        lines.append(
            f"AS{c.asn}: {c.before} -> {c.after} prefixes (+{len(c.added)} -{len(c.removed)})"
        )
        lines.extend(f"  + {x}" for x in c.added[:shown])
        if len(c.added) > shown:
            lines.append(f"  + … {len(c.added) - shown} more")
        lines.extend(f"  - {x}" for x in c.removed[:shown])
        if len(c.removed) > shown:
            lines.append(f"  - … {len(c.removed) - shown} more")
    if not lines:
        lines.append("no accept list changes")
    return lines
