"""What ``routesieve sessions`` reports: one :class:`SessionStatus` per configured session,
one :class:`PeerCheck` per peer (its PeeringDB record), one :class:`RouterRead` per router.

Plain frozen values, so that every output (table, JSON, Prometheus) shows the same facts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

STATE_MISSING = "missing"  # the router has no protocol for the session
STATE_UNREAD = "unknown"  # the router could not be read


class Flag(enum.StrEnum):
    """Something about a session or a peer that needs the operator's attention."""

    PROTOCOL_MISSING = "protocol-missing"  # configured, but no router has it
    NOT_ESTABLISHED = "not-established"  # the router has it, and it is not up now
    NEVER_ESTABLISHED = "never-established"  # and it was never seen up
    ROUTER_UNREAD = "router-unread"  # the router could not be asked
    FILTERED_NOT_KEPT = "filtered-not-kept"  # BIRD filters without keeping: counts too low
    CONTACT_MISSING = "contact-missing"  # PeeringDB lists no contact with email or phone
    PEERINGDB_MISSING = "peeringdb-missing"  # no PeeringDB record for the peer AS
    PEERINGDB_CHANGED = "peeringdb-changed"  # the record changed since the session was set up


@dataclass(frozen=True, slots=True)
class FamilyCounts:
    """Routes of one address family (BIRD channel, BMP has none: ``"all"``).

    ``received`` = ``accepted`` + ``filtered``; any is None when the router does not say.
    """

    family: str
    received: int | None
    accepted: int | None
    filtered: int | None


@dataclass(frozen=True, slots=True)
class SessionStatus:
    """A configured session and what its router says about it.

    ``router``/``protocol`` are empty when no router has the session; ``since`` is the
    router's own text, ``since_iso`` the same instant when it could be placed, and
    ``state_seconds`` how long the session has been in ``state`` (by the router's clock).
    """

    peer_asn: int
    peer_name: str
    exchange: str
    session: str
    neighbor: str
    router: str
    protocol: str
    state: str
    up: bool
    since: str
    since_iso: str | None
    state_seconds: float | None
    last_error: str
    families: tuple[FamilyCounts, ...]
    flags: tuple[Flag, ...]

    def total(self, kind: str) -> int | None:
        """The sum of ``received``/``accepted``/``filtered`` over the families, or None."""
        values = [getattr(f, kind) for f in self.families]
        known = [v for v in values if v is not None]
        return sum(known) if known else None


@dataclass(frozen=True, slots=True)
class PeerCheck:
    """The PeeringDB checks of one peer AS; ``None`` where they were not made.

    ``changed_fields`` names what differs from the fingerprint recorded at setup
    (``recorded_at``); ``error`` says why the record could not be read.
    """

    peer_asn: int
    peer_name: str
    in_peeringdb: bool | None
    contact_missing: bool | None
    changed: bool | None
    changed_fields: tuple[str, ...] = ()
    recorded_at: str | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class RouterRead:
    """One router asked: ``ok`` or ``error``; ``seconds`` it took."""

    name: str
    kind: str
    ok: bool
    error: str
    seconds: float


@dataclass(frozen=True, slots=True)
class SessionReport:
    """Everything one read found, taken at ``taken_at`` (ISO 8601, UTC)."""

    taken_at: str
    sessions: tuple[SessionStatus, ...]
    peers: tuple[PeerCheck, ...]
    routers: tuple[RouterRead, ...]
