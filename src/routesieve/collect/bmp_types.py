"""The BMP message types (RFC 7854, RFC 8671, RFC 9069) as frozen values.

:mod:`routesieve.collect.bmp_messages` parses bytes into them.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from typing import NamedTuple

from routesieve.collect.bgp import Nlri
from routesieve.model import AsPath, Prefix

BGP_HEADER = 19
_U16 = struct.Struct(">H")


class MsgType(enum.IntEnum):
    ROUTE_MONITORING = 0
    STATISTICS = 1
    PEER_DOWN = 2
    PEER_UP = 3
    INITIATION = 4
    TERMINATION = 5
    ROUTE_MIRRORING = 6


class PeerType(enum.IntEnum):
    GLOBAL = 0
    RD = 1
    LOCAL = 2
    LOC_RIB = 3  # RFC 9069


FLAG_V, FLAG_L, FLAG_A, FLAG_O = 0x80, 0x40, 0x20, 0x10  # peer types 0-2 (RFC 7854, 8671)
FLAG_F = 0x80  # peer type 3, Loc-RIB filtered (RFC 9069)


class View(enum.Enum):
    """Which RIB of the monitored router a Route Monitoring message shows."""

    PRE_POLICY = "adj-rib-in-pre"
    POST_POLICY = "adj-rib-in-post"  # L flag
    OUT_PRE = "adj-rib-out-pre"  # O flag
    OUT_POST = "adj-rib-out-post"  # O and L flags
    LOC_RIB = "loc-rib"  # peer type 3


PEER_DOWN_REASONS = {
    1: "local system closed the session with a NOTIFICATION",
    2: "local system closed the session without a NOTIFICATION",
    3: "remote system closed the session with a NOTIFICATION",
    4: "remote system closed the session without a NOTIFICATION",
    5: "peer de-configured",
    6: "local system closed the session (Loc-RIB), TLV data follows",
}
TERMINATION_REASONS = {
    0: "session administratively closed",
    1: "unspecified reason",
    2: "out of resources",
    3: "redundant connection",
    4: "session permanently administratively closed",
}
INFO_STRING, INFO_SYS_DESCR, INFO_SYS_NAME, INFO_VRF_TABLE = 0, 1, 2, 3
_STAT_U32 = {0, 1, 2, 3, 4, 5, 6, 11, 12, 13}
_STAT_U64 = {7, 8, 14, 15}
_STAT_AFI = {9, 10, 16, 17}


class BmpError(ValueError):
    """A malformed or truncated BMP message: ``offset`` is the byte where it went wrong."""

    def __init__(self, offset: int, reason: str) -> None:
        self.offset = offset
        self.reason = reason
        super().__init__(f"byte {offset}: {reason}")


@dataclass(frozen=True, slots=True)
class PeerHeader:
    peer_type: PeerType
    flags: int
    distinguisher: int
    address: str
    asn: int
    bgp_id: str
    seconds: int
    microseconds: int

    @property
    def is_loc_rib(self) -> bool:
        return self.peer_type is PeerType.LOC_RIB

    def _flag(self, bit: int) -> bool:
        return not self.is_loc_rib and bool(self.flags & bit)

    @property
    def post_policy(self) -> bool:
        return self._flag(FLAG_L)

    @property
    def two_octet_as(self) -> bool:
        return self._flag(FLAG_A)

    @property
    def adj_rib_out(self) -> bool:
        return self._flag(FLAG_O)

    @property
    def filtered(self) -> bool:
        """RFC 9069 F flag: the Loc-RIB is filtered (does not hold every route)."""
        return self.is_loc_rib and bool(self.flags & FLAG_F)

    @property
    def view(self) -> View:
        if self.is_loc_rib:
            return View.LOC_RIB
        if self.adj_rib_out:
            return View.OUT_POST if self.post_policy else View.OUT_PRE
        return View.POST_POLICY if self.post_policy else View.PRE_POLICY


class Announcement(NamedTuple):
    prefix: Prefix
    path_id: int | None
    as_path: AsPath
    problem: str | None
    communities: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Update:
    announce: tuple[Announcement, ...]
    withdraw: tuple[Nlri, ...]
    skipped: tuple[str, ...]  # address families not read (VPN, flowspec, ...)


@dataclass(frozen=True, slots=True)
class RouteMonitoring:
    peer: PeerHeader
    bgp: bytes  # the whole BGP UPDATE message, header included
    offset: int  # where ``bgp`` starts in the stream (decoded by bmp_update.route_update)


@dataclass(frozen=True, slots=True)
class OpenMessage:
    version: int
    asn: int  # the 4-octet AS of the capability when there is one
    hold_time: int
    bgp_id: str
    capabilities: tuple[tuple[int, bytes], ...]

    @property
    def four_octet_as(self) -> bool:
        return any(code == 65 for code, _ in self.capabilities)

    def addpath(self) -> dict[tuple[int, int], int]:
        """ADD-PATH (RFC 7911) per (AFI, SAFI): 1 receive, 2 send, 3 both."""
        out: dict[tuple[int, int], int] = {}
        for code, value in self.capabilities:
            if code == 69:
                for i in range(0, len(value) - 3, 4):
                    out[(_U16.unpack_from(value, i)[0], value[i + 2])] = value[i + 3]
        return out


@dataclass(frozen=True, slots=True)
class PeerUp:
    peer: PeerHeader
    local_address: str
    local_port: int
    remote_port: int
    sent_open: OpenMessage
    received_open: OpenMessage
    info: tuple[tuple[int, str], ...]

    def addpath_afis(self, view: View) -> frozenset[int]:
        """The AFIs whose NLRI carry ADD-PATH ids in the given view (unicast SAFI)."""
        sent, received = self.sent_open.addpath(), self.received_open.addpath()
        out = set()
        for afi in (1, 2):
            s, r = sent.get((afi, 1), 0), received.get((afi, 1), 0)
            if view is View.LOC_RIB:
                ok = bool(s or r)
            elif view in (View.OUT_PRE, View.OUT_POST):
                ok = bool(s & 2 and r & 1)
            else:
                ok = bool(s & 1 and r & 2)
            if ok:
                out.add(afi)
        return frozenset(out)


@dataclass(frozen=True, slots=True)
class PeerDown:
    peer: PeerHeader
    reason: int
    notification: tuple[int, int] | None  # (error code, subcode)
    fsm_event: int | None
    info: tuple[tuple[int, str], ...]

    @property
    def reason_text(self) -> str:
        return PEER_DOWN_REASONS.get(self.reason, f"reason {self.reason}")


@dataclass(frozen=True, slots=True)
class Initiation:
    info: tuple[tuple[int, str], ...]

    @property
    def sys_name(self) -> str:
        return next((v for t, v in self.info if t == INFO_SYS_NAME), "")

    @property
    def sys_descr(self) -> str:
        return next((v for t, v in self.info if t == INFO_SYS_DESCR), "")

    @property
    def strings(self) -> tuple[str, ...]:
        return tuple(v for t, v in self.info if t == INFO_STRING)


@dataclass(frozen=True, slots=True)
class Termination:
    strings: tuple[str, ...]
    reason: int | None

    @property
    def reason_text(self) -> str:
        if self.reason is None:
            return "no reason given"
        return TERMINATION_REASONS.get(self.reason, f"reason {self.reason}")


class Stat(NamedTuple):
    type: int
    value: int
    afi: int | None = None
    safi: int | None = None


@dataclass(frozen=True, slots=True)
class Statistics:
    peer: PeerHeader
    stats: tuple[Stat, ...]


@dataclass(frozen=True, slots=True)
class RouteMirroring:
    peer: PeerHeader
    tlvs: tuple[tuple[int, bytes], ...]


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    type: int
    body: bytes


Message = (
    RouteMonitoring
    | Statistics
    | PeerDown
    | PeerUp
    | Initiation
    | Termination
    | RouteMirroring
    | UnknownMessage
)
