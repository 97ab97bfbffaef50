"""What a BMP station holds per monitored router and per peer, and the read-only
summaries it hands out (:mod:`routesieve.collect.bmp_station` fills them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from routesieve.collect.bmp_messages import Announcement, View
from routesieve.collect.bmp_quirks import FeedSigns
from routesieve.model import Prefix

PeerKey = tuple[int, int, str, int]  # (peer type, distinguisher, address, AS)
RibKey = tuple[Prefix, int | None]  # (prefix, ADD-PATH path id)


@dataclass
class PeerState:
    """What the station holds for one peer of one monitored router."""

    router: str
    key: PeerKey
    bgp_id: str = ""
    up: bool = False
    connection: int = 0
    ups: int = 0
    downs: int = 0
    last_down: str = ""
    addpath: dict[View, frozenset[int]] = field(default_factory=dict)
    ribs: dict[View, dict[RibKey, Announcement]] = field(default_factory=dict)
    stats: dict[int, int] = field(default_factory=dict)
    local_asn: int | None = None  # the router's AS towards this peer (its sent OPEN)
    signs: FeedSigns = field(default_factory=FeedSigns)

    @property
    def address(self) -> str:
        return self.key[2]

    @property
    def asn(self) -> int:
        return self.key[3]

    @property
    def session(self) -> str:
        rd = f"%{self.key[1]}" if self.key[1] else ""
        return f"{self.router}:{self.address}{rd}"

    def clear(self) -> None:
        self.ribs.clear()


@dataclass
class RouterState:
    host: str
    sys_name: str
    name: str
    sys_descr: str = ""
    prepends: str | None = None  # the FRR version when it prepends its own AS
    stripped: int = 0  # announcements whose leading own AS was removed (re-sends count)
    feed_warned: bool = False  # logged that its pre-policy feed is not pre-policy
    connected: bool = False
    connection: int = 0
    connections: int = 0
    last_termination: str = ""
    messages: dict[str, int] = field(default_factory=dict)
    peers: dict[PeerKey, PeerState] = field(default_factory=dict)


@dataclass(frozen=True)
class RouterInfo:
    name: str
    host: str
    sys_name: str
    sys_descr: str
    connected: bool
    connections: int
    last_termination: str
    messages: Mapping[str, int]  # by message class name


@dataclass(frozen=True)
class PeerInfo:
    """A read-only summary of one peer: session state and route counts per view."""

    router: str
    session: str
    peer_type: int
    distinguisher: int
    address: str
    asn: int
    bgp_id: str
    up: bool
    router_connected: bool
    stale: bool  # held from an earlier connection of the router
    ups: int
    downs: int
    last_down: str
    counts: Mapping[str, int]
    stats: Mapping[int, int]
