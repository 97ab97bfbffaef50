"""Asking each configured router for its BGP sessions, as one list of :class:`Observed`.

- BIRD (``kind = "bird"``): ``show protocols all`` over the control socket, every wait
  bounded by ``timeout``.
- BMP (``kind = "bmp"``): what the BMP station of :mod:`routesieve.collect.bmp_station`
  holds for each monitored peer: up or down (Peer Up / Peer Down), the reason of the last
  Peer Down, and the routes held pre-policy (received) and post-policy (accepted, when
  the router sends post-policy monitoring). BMP gives no since-time the station keeps,
  and a station only knows what routers told it since it started listening.
- MRT files (``kind = "mrt"``) hold routes, not session state: they are not asked.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from routesieve.collect.bird_socket import BirdError
from routesieve.collect.bmp_state import PeerInfo
from routesieve.collect.bmp_station import BmpStation
from routesieve.collect.bmp_types import PeerType, View
from routesieve.config import RouterSettings
from routesieve.sessions.bird_status import ProtocolStatus, parse_bird_time, read_bird
from routesieve.sessions.status import FamilyCounts, RouterRead

STATE_KINDS = ("bird", "bmp")


@dataclass(frozen=True, slots=True)
class Observed:
    """One BGP session as a router shows it, whatever the router's kind."""

    router: str
    protocol: str
    neighbor_address: str | None
    neighbor_as: int | None
    state: str
    up: bool
    since: str
    since_time: datetime | None
    state_seconds: float | None
    last_error: str
    families: tuple[FamilyCounts, ...]
    filtered_not_kept: bool


def read_routers(
    routers: tuple[RouterSettings, ...],
    stations: Mapping[str, BmpStation],
    timeout: float,
) -> tuple[list[Observed], list[RouterRead]]:
    """Every session of every BIRD and BMP router, and how reading each router went."""
    seen: list[Observed] = []
    reads: list[RouterRead] = []
    for router in routers:
        if router.kind not in STATE_KINDS:
            continue
        start = time.monotonic()
        try:
            if router.kind == "bird":
                assert router.socket is not None
                seen += _bird(router.name, str(router.socket), timeout)
            else:
                station = stations.get(router.name)
                if station is None:
                    raise _NotRead(
                        f"BMP station {router.listen} is not running: BMP routers report "
                        "their sessions to a listening station (use --serve, or --bmp-wait)"
                    )
                seen += _bmp(router.name, station.peers())
        except (BirdError, _NotRead) as exc:
            reads.append(RouterRead(router.name, router.kind, False, str(exc), _since(start)))
            continue
        reads.append(RouterRead(router.name, router.kind, True, "", _since(start)))
    return seen, reads


class _NotRead(Exception):
    pass


def _since(start: float) -> float:
    return round(time.monotonic() - start, 6)


def _bird(router: str, socket_path: str, timeout: float) -> list[Observed]:
    reading = read_bird(socket_path, timeout)
    return [_from_bird(router, p, reading.now) for p in reading.protocols]


def _from_bird(router: str, p: ProtocolStatus, now: datetime | None) -> Observed:
    since = parse_bird_time(p.since, now)
    seconds = (now - since).total_seconds() if since and now else None
    families = tuple(
        FamilyCounts(
            c.name,
            None if c.imported is None or c.filtered is None else c.imported + c.filtered,
            c.imported,
            c.filtered,
        )
        for c in p.channels
        if c.imported is not None or c.filtered is not None
    )
    return Observed(
        router=router,
        protocol=p.name,
        neighbor_address=p.neighbor_address,
        neighbor_as=p.neighbor_as,
        state=p.bgp_state or p.info.split(" ", 1)[0] or p.state,
        up=p.established,
        since=p.since,
        since_time=since,
        state_seconds=max(seconds, 0.0) if seconds is not None else None,
        last_error=p.last_error or (p.info.split(None, 1)[1] if " " in p.info.strip() else ""),
        families=families,
        filtered_not_kept=any(c.keeps_filtered is False for c in p.channels),
    )


def _bmp(router: str, peers: list[PeerInfo]) -> list[Observed]:
    out = []
    for peer in peers:
        if peer.peer_type == PeerType.LOC_RIB:
            continue
        # pre-policy monitoring is BMP's default: no table yet means no route yet
        pre = peer.counts.get(View.PRE_POLICY.value, 0) if peer.up else None
        post = peer.counts.get(View.POST_POLICY.value) if peer.up else None
        counts = (
            FamilyCounts(
                "all",
                pre,
                post,
                pre - post if pre is not None and post is not None else None,
            ),
        )
        out.append(
            Observed(
                router=router,
                protocol=peer.session,
                neighbor_address=peer.address,
                neighbor_as=peer.asn,
                state="Established" if peer.up and peer.router_connected else "Down",
                up=peer.up and peer.router_connected,
                since="",
                since_time=None,
                state_seconds=None,
                last_error=peer.last_down,
                families=counts if peer.up else (),
                filtered_not_kept=False,
            )
        )
    return out
