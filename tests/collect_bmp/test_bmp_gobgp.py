"""The BMP station fed by a real BMP sender: GoBGP's BMP client (Debian's gobgpd).

A monitored GoBGP router (AS 65000) peers with a GoBGP speaker (AS 65001) that announces
a few hundred IPv4 and IPv6 routes (prepends, AS_SETs, communities, large communities);
the router reports its pre-policy Adj-RIB-In, post-policy Adj-RIB-In and Loc-RIB to the
station ("all"). The station must hold exactly the announced routes as pre-policy, apply
withdrawals, clear the peer when it goes down, and fill it again when it comes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bmp_harness as h
import pytest

from routesieve.collect.bmp_messages import View
from routesieve.collect.bmp_station import BmpStation
from routesieve.collect.bmp_thread import StationThread
from routesieve.model import AsPath, Prefix

SESSION = "GoBGP:127.0.0.2"  # GoBGP's Initiation says sysName "GoBGP": "<router>:<peer>"


def announced() -> list[h.Announce]:
    out: list[h.Announce] = []
    for i in range(200):
        prefix = f"10.{i // 100}.{i % 100}.0/24"
        out.append(h.Announce(prefix, _path(i), *_communities(i)))
    for i in range(160):
        prefix = f"2001:db8:{i:x}::/48" if i % 5 else f"2a0e:{i:x}::/32"
        out.append(h.Announce(prefix, _path(i + 7), *_communities(i + 3)))
    return out


def _path(i: int) -> AsPath:
    origin = 64600 + i % 50
    if i % 7 == 0:
        return AsPath.parse(f"64512 {{{origin} {origin + 1000}}}")  # AS_SET
    if i % 5 == 0:
        return AsPath.parse(f"64513 {origin} {origin} {origin}")  # prepends
    if i % 11 == 0:
        return AsPath.parse(f"4200000001 64514 {{{origin}}} {origin}")
    return AsPath.parse(f"64513 {origin}")


def _communities(i: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    std = (f"65001:{i % 300}", "65001:666") if i % 3 == 0 else ()
    large = (f"65001:1:{i}",) if i % 4 == 0 else ()
    return std, large


def expected(routes: list[h.Announce]) -> set[tuple[int, str, str, str, tuple[str, ...]]]:
    """What the router receives: the speaker's AS 65001 in front of every path."""
    return {
        (
            65001,
            str(Prefix.parse(r.prefix)),
            str(AsPath.parse(f"65001 {r.path}")),
            SESSION,
            _sorted(r),
        )
        for r in routes
    }


def _sorted(r: h.Announce) -> tuple[str, ...]:
    return tuple(sorted((*r.communities, *r.large)))


def held(station: BmpStation) -> set[tuple[int, str, str, str, tuple[str, ...]]]:
    routes = station.routes()
    got = {
        (r.peer_asn, str(r.prefix), str(r.as_path), r.session or "", tuple(sorted(r.communities)))
        for r in routes
    }
    assert len(got) == len(routes), "a route is held twice"
    assert all(r.problem is None for r in routes), [r.problem for r in routes if r.problem]
    return got


@pytest.fixture()
def lab(tmp_path: Path) -> Iterator[tuple[BmpStation, h.Lab]]:
    h.require_gobgp()
    station = BmpStation()
    procs = h.Processes()
    with StationThread(station, "127.0.0.1", 0) as running:
        try:
            yield station, h.start_lab(procs, tmp_path, running.port, "all")
        finally:
            procs.stop()


def test_gobgp_bmp_announce_withdraw_peer_down(lab: tuple[BmpStation, h.Lab]) -> None:
    station, lab_ = lab

    def peer_up() -> bool:
        return any(p.up and p.address == "127.0.0.2" and p.peer_type == 0 for p in station.peers())

    h.wait_until("the BMP Peer Up of the speaker", peer_up)
    routes = announced()
    h.add_routes(lab_.speaker_api, routes)
    want = expected(routes)
    h.wait_until("every announced route at the station", lambda: held(station) == want)
    assert held(station) == want

    # kept apart: the post-policy and Loc-RIB copies are there, but not in routes()
    h.wait_until("the post-policy view", lambda: len(station.view(View.POST_POLICY)) > 0)
    h.wait_until("the Loc-RIB view", lambda: len(station.view(View.LOC_RIB)) > 0)
    assert len(station.routes()) == len(want)
    (router,) = station.routers()
    assert router.name == router.sys_name == "GoBGP" and router.connected and router.sys_descr
    loc = [p for p in station.peers() if p.peer_type == 3]
    assert loc and all(p.counts.get(View.PRE_POLICY.value, 0) == 0 for p in loc)

    gone = [r for i, r in enumerate(routes) if i % 4 == 1]
    h.del_routes(lab_.speaker_api, [r.prefix for r in gone])
    rest = [r for i, r in enumerate(routes) if i % 4 != 1]
    want = expected(rest)
    h.wait_until("the withdrawals at the station", lambda: held(station) == want)

    h.gobgp(lab_.router_api, "neighbor", "127.0.0.2", "disable")
    h.wait_until("the peer to be cleared", lambda: not station.routes() and not peer_up())
    (peer,) = [p for p in station.peers() if p.address == "127.0.0.2"]
    assert peer.downs == 1 and peer.last_down and peer.router_connected
    assert sum(peer.counts.values()) == 0

    h.gobgp(lab_.router_api, "neighbor", "127.0.0.2", "enable")
    h.wait_until("the peer to come back with its routes", lambda: held(station) == want)


def test_gobgp_speaker_stopped_clears_peer(lab: tuple[BmpStation, h.Lab]) -> None:
    station, lab_ = lab
    routes = announced()[::10]
    h.add_routes(lab_.speaker_api, routes)
    want = expected(routes)
    h.wait_until("the announced routes", lambda: held(station) == want)
    lab_.speaker.terminate()
    lab_.speaker.wait(10)
    h.wait_until("the stopped peer to be cleared", lambda: not station.routes())
    (peer,) = [p for p in station.peers() if p.address == "127.0.0.2"]
    assert not peer.up and peer.downs >= 1
