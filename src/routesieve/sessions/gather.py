"""The state of every configured session: configured sessions matched to what the routers
show, flags raised, PeeringDB checked, the history of sessions seen up kept.

A configured session (``[[peers]]`` ``sessions``) is found on a router by, in order:

1. the protocol name the BIRD renderer gives it (``rs_as<asn>_<session>``, see
   :mod:`routesieve.outputs.bird`), or the session name itself (the name ``collect``
   uses for a session);
2. otherwise, a session whose neighbour AS is the peer's and whose neighbour address is
   the configured ``neighbor`` (or, without one, the only such session left).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from routesieve.collect.bmp_station import BmpStation
from routesieve.config import Config, PeerSettings, SessionSettings
from routesieve.outputs.bird import MAX_SYMBOL, symbol_part
from routesieve.sessions.history import load_history, save_history, session_key
from routesieve.sessions.peeringdb_watch import PeerRecords, check_peer
from routesieve.sessions.routers import Observed, read_routers
from routesieve.sessions.status import (
    STATE_MISSING,
    STATE_UNREAD,
    Flag,
    PeerCheck,
    SessionReport,
    SessionStatus,
)

DEFAULT_TIMEOUT = 5.0


@dataclass(frozen=True)
class GatherOptions:
    """How to read: ``state_dir`` keeps the history and the PeeringDB fingerprints
    (None: nothing is kept, and "never established" cannot be told from "down now");
    ``records`` is the PeeringDB source (None: no PeeringDB checks)."""

    state_dir: Path | None = None
    records: PeerRecords | None = None
    stations: Mapping[str, BmpStation] = field(default_factory=dict)
    timeout: float = DEFAULT_TIMEOUT
    rebaseline: frozenset[int] = frozenset()
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


def renderer_protocol_name(asn: int, session: str) -> str:
    """The BIRD protocol name :mod:`routesieve.outputs.bird` gives a session (before the
    suffix it adds when two sessions of one peer would get the same name)."""
    return f"rs_as{asn}_{symbol_part(session)}"[:MAX_SYMBOL]


def gather(config: Config, options: GatherOptions) -> SessionReport:
    """Read every router once and report on every configured session and peer."""
    taken = options.clock().astimezone(UTC).isoformat(timespec="seconds")
    observed, reads = read_routers(config.routers, options.stations, options.timeout)
    unread = {r.name for r in reads if not r.ok}
    configured = [(peer, s) for peer in config.peers for s in peer.sessions]
    matches = _match(configured, observed)
    folder = options.state_dir / "sessions" if options.state_dir is not None else None
    history = load_history(folder) if folder is not None else None
    checks = {
        peer.asn: _check(peer, options, folder)
        for peer in config.peers
        if options.records is not None and folder is not None and peer.sessions
    }
    statuses = []
    for peer, session in configured:
        seen = matches.get((peer.asn, session.name))
        key = session_key(peer.asn, session.name)
        if history is not None and seen is not None:
            history.note(key, seen.up, taken)
        ever_up = history.ever_up(key) if history is not None else None
        statuses.append(_status(peer, session, seen, unread, ever_up, checks.get(peer.asn)))
    if history is not None and folder is not None:
        save_history(folder, history)
    return SessionReport(taken, tuple(statuses), tuple(checks.values()), tuple(reads))


def _check(peer: PeerSettings, options: GatherOptions, folder: Path | None) -> PeerCheck:
    assert options.records is not None and folder is not None
    name = peer.name or ""
    return check_peer(options.records, folder, peer.asn, name, peer.asn in options.rebaseline)


def _match(
    configured: list[tuple[PeerSettings, SessionSettings]], observed: list[Observed]
) -> dict[tuple[int, str], Observed]:
    found: dict[tuple[int, str], Observed] = {}
    taken: set[int] = set()
    by_name: dict[str, list[int]] = {}
    for i, o in enumerate(observed):
        by_name.setdefault(o.protocol, []).append(i)
    for peer, session in configured:
        for name in (renderer_protocol_name(peer.asn, session.name), session.name):
            free = [i for i in by_name.get(name, ()) if i not in taken]
            if free:
                found[(peer.asn, session.name)] = observed[free[0]]
                taken.add(free[0])
                break
    for peer, session in configured:
        if (peer.asn, session.name) in found:
            continue
        free = [
            i
            for i, o in enumerate(observed)
            if i not in taken
            and o.neighbor_as == peer.asn
            and (session.neighbor is None or _same_address(o.neighbor_address, session.neighbor))
        ]
        if len(free) == 1 or (free and session.neighbor is not None):
            found[(peer.asn, session.name)] = observed[free[0]]
            taken.add(free[0])
    return found


def _same_address(
    shown: str | None, configured: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> bool:
    if shown is None:
        return False
    try:
        return ipaddress.ip_address(shown) == configured
    except ValueError:
        return False


def _status(
    peer: PeerSettings,
    session: SessionSettings,
    seen: Observed | None,
    unread: set[str],
    ever_up: bool | None,
    check: PeerCheck | None,
) -> SessionStatus:
    flags: list[Flag] = []
    if seen is None:
        flags.append(Flag.ROUTER_UNREAD if unread else Flag.PROTOCOL_MISSING)
    elif not seen.up:
        flags.append(Flag.NOT_ESTABLISHED)
    if (seen is None and not unread) or (seen is not None and not seen.up and ever_up is False):
        flags.append(Flag.NEVER_ESTABLISHED)
    if seen is not None and seen.filtered_not_kept:
        flags.append(Flag.FILTERED_NOT_KEPT)
    if check is not None:
        if check.in_peeringdb is False:
            flags.append(Flag.PEERINGDB_MISSING)
        if check.contact_missing:
            flags.append(Flag.CONTACT_MISSING)
        if check.changed:
            flags.append(Flag.PEERINGDB_CHANGED)
    state = STATE_UNREAD if seen is None and unread else STATE_MISSING
    return SessionStatus(
        peer_asn=peer.asn,
        peer_name=peer.name or "",
        exchange=session.exchange or "",
        session=session.name,
        neighbor="" if session.neighbor is None else str(session.neighbor),
        router=seen.router if seen else "",
        protocol=seen.protocol if seen else "",
        state=seen.state if seen else state,
        up=seen.up if seen else False,
        since=seen.since if seen else "",
        since_iso=seen.since_time.isoformat() if seen and seen.since_time else None,
        state_seconds=seen.state_seconds if seen else None,
        last_error=seen.last_error if seen else "",
        families=seen.families if seen else (),
        flags=tuple(flags),
    )
