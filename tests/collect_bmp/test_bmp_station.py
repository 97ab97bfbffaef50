"""The station over real sockets with hand-built BMP bytes: state, views, reconnects,
hostile sessions that are closed with one log line while another router keeps being
served, and what real routers get wrong (FRR's own AS in front, a "pre-policy" feed that
withdraws denied routes)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator

import bmp_builders as b
import pytest

from routesieve.collect.bmp_messages import View
from routesieve.collect.bmp_station import BmpStation
from routesieve.collect.bmp_thread import StationThread

PEER = b.peer_header("192.0.2.1", 65001)
PEER6 = b.peer_header("2001:db8::2", 65002)
POST = b.peer_header("192.0.2.1", 65001, flags=0x40)  # PEER's post-policy view


def wait(what: str, check: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture()
def station() -> Iterator[tuple[BmpStation, int]]:
    st = BmpStation()
    with StationThread(st) as running:
        yield st, running.port


def connect(port: int, *messages: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(b"".join(messages))
    return s


def closed_by_station(s: socket.socket) -> bool:
    try:
        return s.recv(1) == b""
    except OSError:
        return True


def prefixes(st: BmpStation) -> set[tuple[str, str]]:
    return {(r.session or "", str(r.prefix)) for r in st.routes()}


def test_adj_rib_in_announce_replace_withdraw_down(station: tuple[BmpStation, int]) -> None:
    st, port = station
    path2 = b.as_path((2, [65001, 65009]))
    s = connect(
        port,
        b.initiation("edge-1"),
        b.peer_up(PEER),
        b.peer_up(PEER6),
        b.route_monitoring(
            PEER, b.update(["10.0.0.0/8", "10.1.0.0/16"], extra=b.communities((1, 2)))
        ),
        b.route_monitoring(PEER6, b.update(["2001:db8:1::/48"])),
        b.route_monitoring(PEER, b.update(["10.0.0.0/8"], path=path2)),  # replaces
        b.route_monitoring(PEER, b.update(withdraw=["10.1.0.0/16"])),
        b.statistics(PEER),
    )
    want = {("edge-1:192.0.2.1", "10.0.0.0/8"), ("edge-1:2001:db8::2", "2001:db8:1::/48")}
    wait("routes", lambda: prefixes(st) == want and bool(st.peers()[0].stats))
    (r,) = [r for r in st.routes() if r.peer_asn == 65001]
    assert str(r.as_path) == "65001 65009" and r.communities == ()
    info = {p.address: p for p in st.peers()}
    assert info["192.0.2.1"].up and info["192.0.2.1"].stats == {0: 3, 7: 1000, 9: 600}
    s.sendall(b.peer_down(PEER, 4))
    wait("the peer cleared", lambda: prefixes(st) == {("edge-1:2001:db8::2", "2001:db8:1::/48")})
    assert not {p.address: p for p in st.peers()}["192.0.2.1"].up
    s.close()


def test_views_are_kept_apart(station: tuple[BmpStation, int]) -> None:
    st, port = station
    loc = b.peer_header("0.0.0.0", 65000, peer_type=3, flags=0x80)
    s = connect(
        port,
        b.initiation("edge-2"),
        b.peer_up(PEER),
        b.route_monitoring(b.peer_header(flags=0x40), b.update(["10.2.0.0/16"])),  # post
        b.route_monitoring(b.peer_header(flags=0x10), b.update(["10.3.0.0/16"])),  # out pre
        b.route_monitoring(b.peer_header(flags=0x50), b.update(["10.4.0.0/16"])),  # out post
        b.route_monitoring(loc, b.update(["10.5.0.0/16"])),  # Loc-RIB
        b.route_monitoring(PEER, b.update(["10.1.0.0/16"])),  # pre-policy
    )
    wait("the pre-policy route", lambda: bool(st.routes()))
    assert prefixes(st) == {("edge-2:192.0.2.1", "10.1.0.0/16")}
    for view, prefix in [
        (View.POST_POLICY, "10.2.0.0/16"),
        (View.OUT_PRE, "10.3.0.0/16"),
        (View.OUT_POST, "10.4.0.0/16"),
        (View.LOC_RIB, "10.5.0.0/16"),
    ]:
        assert [str(a.prefix) for _, a in st.view(view)] == [prefix], view
    s.close()


def test_disconnect_keeps_state_and_reconnect_starts_fresh(station: tuple[BmpStation, int]) -> None:
    st, port = station
    s = connect(port, b.initiation("edge-3"), b.peer_up(PEER))
    s.sendall(b.route_monitoring(PEER, b.update(["10.0.0.0/8", "10.9.0.0/16"])))
    wait("two routes", lambda: len(st.routes()) == 2)
    s.sendall(b.termination(0))
    wait("the router disconnected", lambda: not st.routers()[0].connected)
    assert len(st.routes()) == 2 and st.routers()[0].last_termination
    assert closed_by_station(s)
    s = connect(port, b.initiation("edge-3"), b.peer_up(PEER))
    s.sendall(b.route_monitoring(PEER, b.update(["10.7.0.0/16"])))
    wait("the fresh table", lambda: prefixes(st) == {("edge-3:192.0.2.1", "10.7.0.0/16")})
    (router,) = st.routers()
    assert router.connected and router.connections == 2
    s.close()
    wait("disconnected again", lambda: not st.routers()[0].connected)
    assert prefixes(st) == {("edge-3:192.0.2.1", "10.7.0.0/16")}


HOSTILE = [
    (b"\x03\x00\x00", "common header cut short"),
    (b.bmp(4, b"", length=5), "shorter than the common header"),
    (b.bmp(0, b"", length=1 << 30), "over the limit"),
    (b.bmp(4, b.tlv(2, "x"), version=2), "version 2"),
    (b.initiation("bad") + b"\x07garbage", "version 7"),
    (
        b.route_monitoring(
            b.peer_header(raw_address=b"\xfe\x80" + bytes(14)), b.update(["10.0.0.0/8"])
        ),
        "IPv4 peer",
    ),
    (b.route_monitoring(PEER, b.update(["10.0.0.0/8"]))[:-4], "message cut short"),
    (b.route_monitoring(PEER, b.bgp_message(2, b"\x00\x09\x00")), "malformed BGP UPDATE"),
]


@pytest.mark.parametrize(("data", "words"), HOSTILE)
def test_hostile_session_closed_others_served(
    station: tuple[BmpStation, int], caplog: pytest.LogCaptureFixture, data: bytes, words: str
) -> None:
    st, port = station
    caplog.set_level(logging.INFO, "routesieve.collect.bmp")
    good = connect(
        port,
        b.initiation("good"),
        b.peer_up(PEER),
        b.route_monitoring(PEER, b.update(["10.0.0.0/8"])),
    )
    wait("the good router's route", lambda: len(st.routes()) == 1)
    bad = connect(port, data)
    if "cut short" in words:
        bad.shutdown(socket.SHUT_WR)  # truncated input: the router hangs up
    assert closed_by_station(bad)
    wait("the log line", lambda: any(words in r.getMessage() for r in caplog.records))
    (line,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert "bad message at byte" in line.getMessage() and "session closed" in line.getMessage()
    good.sendall(b.route_monitoring(PEER, b.update(["10.8.0.0/16"])))
    wait("the good router still served", lambda: len(st.routes()) >= 2)
    assert {"10.0.0.0/8", "10.8.0.0/16"} <= {str(r.prefix) for r in st.routes()}
    good.close()


def test_stop_closes_sessions() -> None:
    st = BmpStation()
    running = StationThread(st).start()
    s = connect(running.port, b.initiation("edge-4"), b.peer_up(PEER))
    wait("the router", lambda: bool(st.routers()))
    running.stop()
    assert closed_by_station(s)
    assert running._thread is not None and not running._thread.is_alive()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", running.port), timeout=1)


# ---- what real routers get wrong (bmp_quirks); peer_up says the router's AS is 65000 ----


def paths(st: BmpStation) -> dict[str, str]:
    return {str(r.prefix): str(r.as_path) for r in st.routes()}


def test_frr_own_as_is_removed_from_pre_policy_paths_and_said_once(
    station: tuple[BmpStation, int],
) -> None:
    st, port = station
    s = connect(
        port,
        b.initiation("edge-1", "FRRouting 8.4.4"),
        b.peer_up(PEER),
        b.route_monitoring(PEER, b.update(["10.1.0.0/16"], path=b.as_path((2, [65000, 65001])))),
        b.route_monitoring(
            PEER, b.update(["10.2.0.0/16"], path=b.as_path((2, [65000, 65001, 65009])))
        ),
    )
    wait("two routes", lambda: len(st.routes()) == 2)
    assert paths(st) == {"10.1.0.0/16": "65001", "10.2.0.0/16": "65001 65009"}
    said = [p for p in st.problems() if "own AS" in p.message]
    assert len(said) == 1 and "FRRouting 8.4.4" in said[0].message
    assert "removed from 2 announcement(s)" in said[0].message
    s.close()


def test_other_routers_and_ibgp_peers_keep_a_leading_local_as(
    station: tuple[BmpStation, int],
) -> None:
    st, port = station
    ibgp = b.peer_header("192.0.2.9", 65000)
    path = b.as_path((2, [65000, 65001]))
    s1 = connect(
        port,
        b.initiation("bird-1", "BIRD 2.0.12"),
        b.peer_up(PEER),
        b.route_monitoring(PEER, b.update(["10.1.0.0/16"], path=path)),
    )
    s2 = connect(
        port,
        b.initiation("frr-1", "FRRouting 8.4.4"),
        b.peer_up(ibgp),
        b.route_monitoring(ibgp, b.update(["10.3.0.0/16"], path=path)),
    )
    wait("two routes", lambda: len(st.routes()) == 2)
    assert set(paths(st).values()) == {"65000 65001"}
    assert not [p for p in st.problems() if "own AS" in p.message]
    s1.close()
    s2.close()


def test_withdrawals_of_routes_never_announced_warn_that_pre_policy_is_not(
    station: tuple[BmpStation, int],
) -> None:
    st, port = station
    s = connect(
        port,
        b.initiation("edge-3", "FRRouting 8.4.4"),
        b.peer_up(PEER),
        b.route_monitoring(PEER, b.update(["10.1.0.0/16"])),
        b.route_monitoring(PEER, b.update(withdraw=["10.9.0.0/16"])),  # denied by policy
    )
    wait("the route", lambda: len(st.routes()) == 1)
    wait("the withdrawal", lambda: bool(st.problems()))
    (warning,) = st.problems()
    assert warning.place == "edge-3:192.0.2.1"
    assert "not pre-policy" in warning.message and "10.9.0.0/16" in warning.message
    assert 'kind = "frr"' in warning.message
    s.close()


def test_post_policy_routes_missing_from_pre_policy_warn_that_pre_policy_is_not(
    station: tuple[BmpStation, int],
) -> None:
    st, port = station
    s = connect(
        port,
        b.initiation("edge-4", "Junos"),
        b.peer_up(PEER),
        b.route_monitoring(POST, b.update(["10.4.0.0/16"])),
    )
    wait("the post-policy route", lambda: bool(st.problems()))
    (warning,) = st.problems()
    assert "post-policy view holds 1 route(s)" in warning.message
    assert "10.4.0.0/16" in warning.message
    s.close()


def test_a_true_pre_policy_feed_gives_no_warning(station: tuple[BmpStation, int]) -> None:
    st, port = station
    s = connect(
        port,
        b.initiation("edge-5", "Junos"),
        b.peer_up(PEER),
        b.route_monitoring(PEER, b.update(["10.1.0.0/16", "10.2.0.0/16"])),
        b.route_monitoring(POST, b.update(["10.1.0.0/16"])),
        b.route_monitoring(PEER, b.update(withdraw=["10.2.0.0/16"])),
        b.route_monitoring(PEER, b.update(["10.5.0.0/16"])),
    )
    wait("the routes", lambda: {"10.1.0.0/16", "10.5.0.0/16"} == set(paths(st)))
    assert st.problems() == []
    s.close()


def test_loc_rib_routes_missing_from_pre_policy_warn_that_pre_policy_is_not(
    station: tuple[BmpStation, int],
) -> None:
    st, port = station
    loc = b.peer_header("0.0.0.0", 65000, peer_type=3)
    s = connect(
        port,
        b.initiation("edge-6", "Junos"),
        b.peer_up(PEER),
        b.route_monitoring(PEER, b.update(["10.1.0.0/16"])),
        b.route_monitoring(loc, b.update(["10.1.0.0/16", "10.6.0.0/16"])),  # 65001 65002
        b.route_monitoring(loc, b.update(["10.7.0.0/16"], path=b.as_path((2, [65009])))),
    )
    wait("the Loc-RIB routes", lambda: bool(st.problems()))
    (warning,) = st.problems()
    assert "Loc-RIB holds 1 route(s)" in warning.message and "10.6.0.0/16" in warning.message
    s.close()
