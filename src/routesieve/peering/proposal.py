"""The decision on a peering request, by AS214312's peering policy. Pure: no I/O.

The policy (spec/peering-policy.md) is open: any network may peer, over IPv6 only
(General Requirements 1), at a public exchange both are on or by direct peering
(Peering Request Process 2). :func:`propose` turns what PeeringDB says about the
network (:class:`~routesieve.peering.record.PeerRecord`, or None when PeeringDB does not
know the AS) and the local exchanges into a :class:`Proposal`: the sessions to set up,
each with both addresses and a max-prefix limit, or the policy's reason for refusing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from routesieve.peering.record import PeerRecord

POLICY_IPV6 = "AS{local} is an IPv6-only network: all peering sessions must run over IPv6"


@dataclass(frozen=True, slots=True)
class LocalExchange:
    """An exchange the local network is on, with its IPv6 address there (if known) and
    where that address came from (``config`` or ``PeeringDB``)."""

    name: str
    peeringdb_ix: int | None
    address: str | None
    address_from: str = "config"


@dataclass(frozen=True, slots=True)
class Terms:
    """The ``[peering]`` settings the decision uses."""

    max_prefix_margin: float = 1.2
    max_prefix_min: int = 10
    direct: bool = False
    contact_email: str | None = None


@dataclass(frozen=True, slots=True)
class ProposedSession:
    name: str
    exchange: str
    peeringdb_ix: int | None
    local_address: str | None
    peer_address: str
    max_prefix: int


@dataclass(frozen=True, slots=True)
class Proposal:
    asn: int
    name: str
    eligible: bool
    reasons: tuple[str, ...]  # why not (empty when eligible)
    sessions: tuple[ProposedSession, ...]
    direct: bool  # no common exchange: propose direct peering
    max_prefix: int | None
    notes: tuple[str, ...]
    record: PeerRecord | None

    def to_json(self) -> dict[str, object]:
        """The ``--format json`` document (``asn``, ``name``, ``eligible``, ``reasons``,
        ``sessions`` are the stable keys)."""
        rec = self.record
        return {
            "asn": self.asn,
            "name": self.name,
            "eligible": self.eligible,
            "reasons": list(self.reasons),
            "sessions": [
                {
                    "exchange": s.exchange,
                    "peeringdb_ix": s.peeringdb_ix,
                    "local_address": s.local_address,
                    "peer_address": s.peer_address,
                    "max_prefix": s.max_prefix,
                    "name": s.name,
                }
                for s in self.sessions
            ],
            "direct": self.direct,
            "max_prefix": self.max_prefix,
            "notes": list(self.notes),
            "as_sets_published": list(rec.as_sets) if rec else [],
            "policy_general": rec.policy_general if rec else None,
            "policy_url": rec.policy_url if rec else None,
            "contacts": [
                {"role": c.role, "name": c.name, "email": c.email}
                for c in (rec.contacts if rec else ())
            ],
        }


def max_prefix_for(record: PeerRecord, terms: Terms) -> tuple[int, str | None]:
    """The IPv6 prefix limit: PeeringDB's count times the margin, at least the minimum."""
    given = record.info_prefixes6
    if not given:
        return terms.max_prefix_min, (
            f"PeeringDB gives no IPv6 prefix count: max-prefix is the minimum, "
            f"{terms.max_prefix_min}"
        )
    return max(terms.max_prefix_min, math.ceil(given * terms.max_prefix_margin)), None


def session_name(exchange: str, asn: int, taken: set[str]) -> str:
    """``<exchange>-as<N>`` in the session-name alphabet, unique among ``taken``."""
    stem = re.sub(r"[^a-z0-9]+", "-", exchange.lower()).strip("-")[:40] or "ix"
    base = f"{stem}-as{asn}"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def propose(
    asn: int,
    record: PeerRecord | None,
    exchanges: Sequence[LocalExchange],
    local_asn: int,
    terms: Terms,
    taken_names: frozenset[str] = frozenset(),
) -> Proposal:
    """The proposal for ``asn``; ``taken_names`` are session names already configured."""
    ask = f"email {terms.contact_email}" if terms.contact_email else "email us"
    if asn == local_asn:
        return _refuse(asn, f"AS{asn}", None, [f"AS{asn} is the local network itself"])
    if record is None:
        return _refuse(
            asn,
            f"AS{asn}",
            None,
            [
                f"PeeringDB has no record of AS{asn}. The policy (Contact Information) takes "
                f"requests through PeeringDB or by email: ask them to create a PeeringDB "
                f"record (https://www.peeringdb.com/register) listing their exchanges and "
                f"IPv6 addresses, or to {ask} with their AS number, IPv6 addresses and "
                f"contacts"
            ],
        )
    notes: list[str] = [f"PeeringDB entry dropped: {d}" for d in record.dropped]
    if not record.info_ipv6 and not record.has_ipv6_anywhere:
        return _refuse(
            asn,
            record.name,
            record,
            [
                f"AS{asn} is IPv4-only in PeeringDB (no IPv6 support, no IPv6 address on any "
                f"exchange); {POLICY_IPV6.format(local=local_asn)} (General Requirements 1)"
            ],
            notes,
        )
    if not record.info_ipv6:
        notes.append("PeeringDB says no IPv6 support, yet lists IPv6 exchange addresses")
    limit, limit_note = max_prefix_for(record, terms)
    if limit_note:
        notes.append(limit_note)
    taken = set(taken_names)
    sessions: list[ProposedSession] = []
    v4_only_at: list[str] = []
    for ex in exchanges:
        here = [c for c in record.connections if ex.peeringdb_ix and c.ix_id == ex.peeringdb_ix]
        for conn in here:
            if conn.ipv6 is None:
                if conn.has_ipv4:
                    v4_only_at.append(ex.name)
                continue
            if not conn.operational:
                notes.append(f"{ex.name}: their port {conn.ipv6} is not operational yet")
            sessions.append(
                ProposedSession(
                    session_name(ex.name, asn, taken),
                    ex.name,
                    ex.peeringdb_ix,
                    ex.address,
                    conn.ipv6,
                    limit,
                )
            )
        if here and ex.address is None:
            notes.append(
                f"our own address at {ex.name} is unknown: set local_addresses of that "
                f"exchange, or list it in our PeeringDB record"
            )
        elif here and ex.address_from != "config":
            notes.append(f"our address at {ex.name} ({ex.address}) is taken from PeeringDB")
    if v4_only_at:
        notes.append(f"IPv4 only at {', '.join(dict.fromkeys(v4_only_at))}: no session there")
    if record.as_sets:
        notes.append(
            f"they publish the as-set {' '.join(record.as_sets)} in PeeringDB; it is not used "
            f"unless they ask for it (rule 1.1): until then only routes originated by "
            f"AS{asn} are accepted"
        )
    direct = not sessions
    if direct and not terms.direct:
        ours = ", ".join(f"{e.name} (ix {e.peeringdb_ix})" for e in exchanges) or "none"
        why = f"AS{asn} has no IPv6 address at an exchange we are on ({ours})"
        if v4_only_at:
            why += f"; at {', '.join(dict.fromkeys(v4_only_at))} it has IPv4 only"
        return _refuse(
            asn,
            record.name,
            record,
            [
                f"{why}, and direct peering is not offered ([peering] direct = false); "
                f"{POLICY_IPV6.format(local=local_asn)} (General Requirements 1)"
            ],
            notes,
        )
    if direct:
        notes.append(
            "no common exchange: propose direct peering (Peering Request Process 2); agree "
            "on the link and the IPv6 addresses, then add the session by hand"
        )
    return Proposal(
        asn, record.name, True, (), tuple(sessions), direct, limit, tuple(notes), record
    )


def _refuse(
    asn: int,
    name: str,
    record: PeerRecord | None,
    reasons: list[str],
    notes: Sequence[str] = (),
) -> Proposal:
    return Proposal(asn, name, False, tuple(reasons), (), False, None, tuple(notes), record)
