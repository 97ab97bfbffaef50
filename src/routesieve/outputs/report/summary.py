"""The figures of the report: per peer counts, and how fresh each data source is. Pure.

Staleness: a source whose own date (``Provenance.generated``) is older than its limit is
marked stale. The limits are those of ``[sync.max_age_hours]`` (defaults there), per kind
of source as ``sync`` applies them. An undated source is shown as undated, never as fresh.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from routesieve.config import Config
from routesieve.config.sections import AGE_GROUP
from routesieve.engine.rules import ALL_RULES
from routesieve.model import Action, Verdict
from routesieve.outputs.deploy_plan import _age_hours
from routesieve.snapshot import Provenance

DEFAULT_LIMITS = {"rpki": 24.0}
DEFAULT_LIMIT = 7 * 24.0
RULE_ORDER = {r.value: i for i, r in enumerate(ALL_RULES)}
RPKI_ORDER = ("VALID", "INVALID_ASN", "INVALID_LENGTH", "UNKNOWN", "none")


@dataclass(frozen=True, slots=True)
class SourceStatus:
    kind: str
    location: str
    generated: str | None
    count: int
    note: str
    age_hours: float | None
    limit_hours: float
    stale: bool


@dataclass(frozen=True, slots=True)
class PeerSummary:
    asn: int
    name: str
    configured: bool
    received: int
    accepted: int
    by_rule: tuple[tuple[str, int], ...]
    by_rpki: tuple[tuple[str, int], ...]
    sessions: tuple[str, ...]

    @property
    def filtered(self) -> int:
        return self.received - self.accepted


def stale_limits(config: Config) -> dict[str, float]:
    """Hours after which each kind of source is stale: ``[sync.max_age_hours]``, through
    the same kind-to-limit table ``sync`` uses."""
    limits = config.sync.max_age_hours
    return {kind: float(getattr(limits, group)) for kind, group in AGE_GROUP.items()}


def source_status(
    provenance: Iterable[Provenance], now: datetime, limits: Mapping[str, float]
) -> list[SourceStatus]:
    out = []
    for p in provenance:
        limit = limits.get(p.kind, limits.get("*", DEFAULT_LIMIT))
        age = _age_hours(p.generated, now) if p.generated else None
        out.append(
            SourceStatus(
                p.kind,
                p.location,
                p.generated,
                p.count,
                p.note,
                age,
                limit,
                stale=age is not None and age > limit,
            )
        )
    return out


def summarise(
    verdicts: Sequence[Verdict], names: Mapping[int, str], configured: Iterable[int]
) -> list[PeerSummary]:
    """One summary per peer that sent routes or is configured, by AS number."""
    by_peer: dict[int, list[Verdict]] = {asn: [] for asn in configured}
    for v in verdicts:
        by_peer.setdefault(v.peer_asn, []).append(v)
    conf = set(configured)
    out = []
    for asn in sorted(by_peer):
        vs = by_peer[asn]
        rules = Counter(v.rule for v in vs)
        states = Counter(v.rpki.value if v.rpki else "none" for v in vs)
        out.append(
            PeerSummary(
                asn=asn,
                name=names.get(asn, ""),
                configured=asn in conf,
                received=len(vs),
                accepted=sum(1 for v in vs if v.action is Action.ACCEPT),
                by_rule=tuple(sorted(rules.items(), key=lambda kv: RULE_ORDER.get(kv[0], 99))),
                by_rpki=tuple((s, states[s]) for s in RPKI_ORDER if states[s]),
                sessions=tuple(sorted({s for v in vs for s in v.sessions})),
            )
        )
    return out
