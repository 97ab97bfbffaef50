"""A BMP station (RFC 7854): routers connect, it keeps what they monitor.

Per monitored router (keyed by the address it connects from and the sysName of its
Initiation) and per peer (peer type, distinguisher, address, AS), the station keeps the
pre-policy Adj-RIB-In: announcements add or replace (prefix, path id), withdrawals
remove, a Peer Down clears the peer. Post-policy (L flag), Adj-RIB-Out (O flag, RFC
8671) and Loc-RIB (peer type 3, RFC 9069) routes are kept in their own tables and never
mixed in: :meth:`BmpStation.routes` returns the pre-policy ones only.

Real routers get BMP wrong in known ways (:mod:`routesieve.collect.bmp_quirks`): FRR puts
its own AS in front of every path, which the station removes for the router's eBGP peers
(its AS is learnt from the OPEN it sent, in each Peer Up), and a "pre-policy" feed that
withdraws denied routes is detected and reported by :meth:`BmpStation.problems`.

When a router disconnects or terminates, its last state is kept and marked disconnected.
The first message about a peer on a later connection of the same router (normally its
Peer Up) starts that peer afresh. A malformed message logs one line (router, byte
offset, reason) and closes that session only.

From synchronous code::

    station = BmpStation()
    with StationThread(station, "127.0.0.1", 0) as running:
        print(running.port)          # routers connect here
        routes = station.routes()    # safe from any thread
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from collections.abc import Mapping

from routesieve.collect.bmp_messages import (
    COMMON_HEADER,
    MAX_MESSAGE_LENGTH,
    Announcement,
    BmpError,
    Initiation,
    Message,
    PeerDown,
    PeerHeader,
    PeerType,
    PeerUp,
    RouteMonitoring,
    Statistics,
    Termination,
    View,
    parse_header,
    parse_message,
)
from routesieve.collect.bmp_quirks import (
    VTYSH_HINT,
    FeedSigns,
    feed_problems,
    loc_rib_missing,
    prepends_own_as,
    strip_local_as,
)
from routesieve.collect.bmp_state import (
    PeerInfo,
    PeerState,
    RouterInfo,
    RouterState,
)
from routesieve.collect.bmp_update import route_update
from routesieve.model import Prefix, Route
from routesieve.problems import Problem

log = logging.getLogger("routesieve.collect.bmp")


class BmpStation:
    """The state of every monitored router, and the asyncio server that fills it.

    ``names`` maps a router's sysName or address to the name used in sessions
    (``"<router>:<peer address>"``); by default the sysName, else the address.
    """

    def __init__(
        self, names: Mapping[str, str] | None = None, max_length: int = MAX_MESSAGE_LENGTH
    ) -> None:
        self.names = dict(names or {})
        self.max_length = max_length
        self._routers: dict[tuple[str, str], RouterState] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._writers: set[asyncio.StreamWriter] = set()

    # ---- reading the state (any thread) ----

    def routes(self) -> list[Route]:
        """Every pre-policy Adj-RIB-In route held, of every router and peer."""
        out: list[Route] = []
        with self._lock:
            for router in self._routers.values():
                for peer in router.peers.values():
                    rib = peer.ribs.get(View.PRE_POLICY)
                    if not rib or peer.key[0] == PeerType.LOC_RIB:
                        continue
                    session = peer.session
                    out.extend(
                        Route(
                            peer_asn=peer.asn,
                            prefix=a.prefix,
                            as_path=a.as_path,
                            session=session,
                            problem=a.problem,
                            raw_prefix=str(a.prefix),
                            communities=a.communities,
                        )
                        for a in rib.values()
                    )
        return out

    def view(self, view: View) -> list[tuple[str, Announcement]]:
        """The (session, announcement) pairs of another view: post-policy, Loc-RIB, ..."""
        with self._lock:
            return [
                (peer.session, a)
                for router in self._routers.values()
                for peer in router.peers.values()
                for a in peer.ribs.get(view, {}).values()
            ]

    def peers(self) -> list[PeerInfo]:
        with self._lock:
            return [
                PeerInfo(
                    router=r.name,
                    session=p.session,
                    peer_type=p.key[0],
                    distinguisher=p.key[1],
                    address=p.address,
                    asn=p.asn,
                    bgp_id=p.bgp_id,
                    up=p.up,
                    router_connected=r.connected,
                    stale=p.connection != r.connection,
                    ups=p.ups,
                    downs=p.downs,
                    last_down=p.last_down,
                    counts={v.value: len(rib) for v, rib in p.ribs.items()},
                    stats=dict(p.stats),
                )
                for r in self._routers.values()
                for p in r.peers.values()
            ]

    def routers(self) -> list[RouterInfo]:
        with self._lock:
            return [
                RouterInfo(
                    r.name,
                    r.host,
                    r.sys_name,
                    r.sys_descr,
                    r.connected,
                    r.connections,
                    r.last_termination,
                    dict(r.messages),
                )
                for r in self._routers.values()
            ]

    # ---- applying messages ----

    def _router(self, host: str, sys_name: str, conn: int) -> RouterState:
        key = (host, sys_name)
        router = self._routers.get(key)
        if router is None:
            name = self.names.get(sys_name) or self.names.get(host) or sys_name or host
            router = self._routers[key] = RouterState(host, sys_name, name)
        if router.connection != conn:
            router.connection, router.connected = conn, True
            router.connections += 1
        return router

    def _peer(self, router: RouterState, head: PeerHeader) -> PeerState:
        key = (int(head.peer_type), head.distinguisher, head.address, head.asn)
        peer = router.peers.get(key)
        if peer is None:
            peer = router.peers[key] = PeerState(router.name, key)
        if peer.connection != router.connection:  # first word of a new connection: afresh
            peer.clear()
            peer.up, peer.addpath, peer.stats = False, {}, {}
            peer.signs = FeedSigns()
            peer.connection = router.connection
        peer.bgp_id = head.bgp_id
        return peer

    def apply(self, router: RouterState, msg: Message) -> None:
        """Change the state for one parsed message of ``router``'s current connection."""
        with self._lock:
            kind = type(msg).__name__
            router.messages[kind] = router.messages.get(kind, 0) + 1
            if isinstance(msg, RouteMonitoring):
                peer = self._peer(router, msg.peer)
                view = msg.peer.view
                update = route_update(msg, peer.addpath.get(view, frozenset()))
                rib = peer.ribs.setdefault(view, {})
                for nlri in update.withdraw:
                    if rib.pop(nlri, None) is None and view is View.PRE_POLICY:
                        peer.signs.phantom += 1
                        peer.signs.example = peer.signs.example or str(nlri[0])
                        if not router.feed_warned:
                            router.feed_warned = True
                            log.warning(
                                "BMP router %s: peer %s withdrew %s from pre-policy without "
                                "announcing it: this feed is not pre-policy (%s)",
                                router.name,
                                peer.address,
                                nlri[0],
                                VTYSH_HINT,
                            )
                announce = update.announce
                if router.prepends and view in (View.PRE_POLICY, View.POST_POLICY):
                    announce = self._strip_own_as(router, peer, announce)
                for a in announce:
                    rib[(a.prefix, a.path_id)] = a
            elif isinstance(msg, PeerUp):
                peer = self._peer(router, msg.peer)
                peer.up, peer.ups = True, peer.ups + 1
                peer.addpath = {v: msg.addpath_afis(v) for v in View}
                peer.local_asn = msg.sent_open.asn
            elif isinstance(msg, PeerDown):
                peer = self._peer(router, msg.peer)
                peer.clear()
                peer.up, peer.downs, peer.last_down = False, peer.downs + 1, msg.reason_text
            elif isinstance(msg, Statistics):
                self._peer(router, msg.peer).stats.update({s.type: s.value for s in msg.stats})
            elif isinstance(msg, Initiation):
                router.sys_descr = msg.sys_descr or router.sys_descr
                router.prepends = prepends_own_as(router.sys_descr)
            elif isinstance(msg, Termination):
                router.last_termination = msg.reason_text
                router.connected = False

    def _strip_own_as(
        self, router: RouterState, peer: PeerState, announce: tuple[Announcement, ...]
    ) -> tuple[Announcement, ...]:
        """FRR's paths without the router's own AS in front (eBGP peers only)."""
        local = peer.local_asn
        if local is None or local == peer.asn:
            return announce
        out = []
        for a in announce:
            stripped = strip_local_as(a, local)
            if stripped is not None:
                if not router.stripped:
                    log.warning(
                        "BMP router %s (FRRouting %s) puts its own AS %d in front of the "
                        "paths it monitors; removing it",
                        router.name,
                        router.prepends,
                        local,
                    )
                router.stripped += 1
                a = stripped
            out.append(a)
        return tuple(out)

    def problems(self) -> list[Problem]:
        """What the routers' feeds get wrong: a router whose own AS was removed from its
        paths (once per router), and, per peer, the signs that "pre-policy" is not."""
        out: list[Problem] = []
        with self._lock:
            for router in self._routers.values():
                if router.stripped:
                    out.append(
                        Problem(
                            f"BMP router {router.name}",
                            None,
                            f"FRRouting {router.prepends} puts its own AS in front of every "
                            f"path it monitors over BMP (fixed upstream in 2026, FRRouting/frr "
                            f"PR 21815): removed from {router.stripped} announcement(s)",
                        )
                    )
                out.extend(self._loc_rib_problems(router))
                for peer in router.peers.values():
                    if peer.key[0] == PeerType.LOC_RIB:
                        continue
                    pre = peer.ribs.get(View.PRE_POLICY, {})
                    missing = [k for k in peer.ribs.get(View.POST_POLICY, {}) if k not in pre]
                    example = str(missing[0][0]) if missing else ""
                    out.extend(
                        feed_problems(router.name, peer.session, peer.signs, len(missing), example)
                    )
        return out

    @staticmethod
    def _loc_rib_problems(router: RouterState) -> list[Problem]:
        loc = [p for p in router.peers.values() if p.key[0] == PeerType.LOC_RIB]
        if not loc:
            return []
        pre_by_asn: dict[int, set[Prefix]] = {}
        for peer in router.peers.values():
            if peer.key[0] != PeerType.LOC_RIB and peer.asn != peer.local_asn:
                held = pre_by_asn.setdefault(peer.asn, set())
                held.update(prefix for prefix, _ in peer.ribs.get(View.PRE_POLICY, {}))
        routes = (a for p in loc for a in p.ribs.get(View.LOC_RIB, {}).values())
        count, example = loc_rib_missing(routes, pre_by_asn)
        if not count:
            return []
        return [
            Problem(
                f"BMP router {router.name}",
                None,
                f"the router's pre-policy feed is not pre-policy: its Loc-RIB holds {count} "
                f"route(s) learnt from monitored peers that no pre-policy view shows (e.g. "
                f"{example}); {VTYSH_HINT}",
            )
        ]

    # ---- the server ----

    async def start(self, host: str, port: int) -> asyncio.Server:
        return await asyncio.start_server(self._session, host, port)

    async def serve(self, host: str, port: int) -> None:
        """Serve until cancelled; open sessions are closed on the way out."""
        server = await self.start(host, port)
        try:
            async with server:
                await server.serve_forever()
        finally:
            await self.close_sessions()

    async def close_sessions(self) -> None:
        for writer in list(self._writers):
            writer.close()
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        host = str(peername[0]) if peername else "unknown"
        where = f"{peername[0]} port {peername[1]}" if peername else host
        conn = next(self._ids)
        router: RouterState | None = None
        offset = 0
        self._writers.add(writer)
        try:
            while True:
                head = await reader.read(COMMON_HEADER)
                if not head:
                    break  # a clean end between messages
                if len(head) < COMMON_HEADER:
                    head += await _read_rest(
                        reader, COMMON_HEADER - len(head), offset, head, "common header"
                    )
                _, length = parse_header(head, offset, self.max_length)
                body = await _read_rest(reader, length - COMMON_HEADER, offset, head, "message")
                msg = parse_message(head + body, offset, self.max_length)
                if router is None:
                    name = msg.sys_name if isinstance(msg, Initiation) else ""
                    with self._lock:
                        router = self._router(host, name, conn)
                    log.info("BMP router %s connected from %s", router.name, where)
                self.apply(router, msg)
                offset += length
                if isinstance(msg, Termination):
                    log.info("BMP router %s terminated: %s", router.name, msg.reason_text)
                    break
        except BmpError as exc:
            name = router.name if router else host
            log.warning(
                "BMP router %s (%s): bad message at byte %d: %s; session closed",
                name,
                where,
                exc.offset,
                exc.reason,
            )
        except (ConnectionError, OSError) as exc:
            log.warning("BMP router %s: connection lost: %s", router.name if router else where, exc)
        except Exception:
            log.exception("BMP router %s: unexpected error; session closed", where)
        finally:
            self._writers.discard(writer)
            if router is not None:
                with self._lock:
                    if router.connection == conn:
                        router.connected = False
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _read_rest(
    reader: asyncio.StreamReader, count: int, offset: int, got: bytes, what: str
) -> bytes:
    try:
        return await reader.readexactly(count)
    except asyncio.IncompleteReadError as exc:
        at = offset + len(got) + len(exc.partial)
        raise BmpError(at, f"{what} cut short: the connection closed in the middle") from None
