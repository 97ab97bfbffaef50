"""What a change to a running evaluation did: the routes it re-decided and the verdicts
that changed (``Applied``, ``VerdictChange``), which verdicts can accept a peer's more
specifics (``is_seed``, rule 4.2), and the record the evaluation keeps per merged route
(``Merged``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from routesieve.model import Prefix, Route, Verdict

# A merged route: (effective peer, prefix, path) or, for a malformed route, its own id.
Key = tuple[object, ...]
SEED_RULES = frozenset(("4.1", "4.3"))


@dataclass(frozen=True)
class VerdictChange:
    """One merged route whose verdict changed: ``before`` or ``after`` is None when the
    route appeared or went away."""

    peer_asn: int
    key: Key
    before: Verdict | None
    after: Verdict | None


@dataclass(frozen=True)
class Applied:
    """What one change did: the routes re-decided and the verdicts that changed."""

    redecided: int
    changes: tuple[VerdictChange, ...]

    @property
    def peers(self) -> frozenset[int]:
        return frozenset(c.peer_asn for c in self.changes)

    def __add__(self, other: Applied) -> Applied:
        """Two changes applied one after the other, as one."""
        return Applied(self.redecided + other.redecided, self.changes + other.changes)


def is_seed(v: Verdict | None) -> bool:
    """A route that can accept the peer's more specifics by rule 4.2."""
    return v is not None and v.rule in SEED_RULES and v.origin_asn == v.peer_asn


@dataclass
class Merged:
    """A merged route of the live evaluation (its received routes, its verdict); the
    verdict is replaced as changes re-decide it."""

    key: Key
    peer: int
    prefix: Prefix | None
    origin: int | None
    routes: list[Route] = field(default_factory=list)
    verdict: Verdict | None = None

    def own(self) -> bool:
        return self.origin is not None and self.origin == self.peer
