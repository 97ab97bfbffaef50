"""The RTR session against a real StayRTR: full sync, incremental refresh, Cache Reset and
version negotiation."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rtr_lab import (
    UNSUPPORTED_VERSION,
    StayRtr,
    expected,
    listening,
    read_exactly,
    relay,
    version0_only,
    write_cache,
)

from routesieve.sources.aspa import read_aspas
from routesieve.sources.rtr import RtrError, RtrSession, Timers
from routesieve.sources.rtr.codec import encode
from routesieve.sources.rtr.pdu import ErrorCode, ErrorReport

Start = Callable[..., StayRtr]


def changed_roas(roas: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Three ROAs removed, one moved to another ASN (a withdrawal and an announcement),
    two ROAs added (IPv4 and IPv6): 3 announcements and 4 withdrawals."""
    kept = [dict(r) for r in roas[3:]]
    kept[0]["asn"] = 64499
    kept.append({"asn": 64500, "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe"})
    kept.append({"asn": 64501, "prefix": "2001:db8::/32", "maxLength": 48, "ta": "ripe"})
    return kept


def test_reset_sync_gets_exactly_the_vrps_of_the_cache_file(
    stayrtr: Start, cache_file: Path
) -> None:
    server = stayrtr(cache_file, "-rtr.refresh", "120", "-rtr.retry", "30", "-rtr.expire", "900")
    with RtrSession(server.host, server.port, timeout=10) as session:
        result = session.reset()
        assert session.vrps == expected(cache_file)
        assert len(session.vrps) == 19
        assert result.reset and result.announced == 19 and result.version == 2
        assert session.timers == Timers(120, 30, 900)
        # the cache file has 3 BGPsec router keys, which StayRTR sends from version 1 on
        assert len(session.router_keys) == 3
        assert all(len(ski) == 20 and spki for ski, _, spki in session.router_keys)


def test_version_2_session_gets_the_aspas_of_the_cache_file_per_family(
    stayrtr: Start, cache_file: Path
) -> None:
    server = stayrtr(cache_file, "-protocol", "2")
    with RtrSession(server.host, server.port, timeout=10) as session:
        assert session.reset().version == 2
    wanted = {a.customer: a.providers for a in read_aspas(cache_file).items}
    assert wanted  # the shared cache file has ASPA records for two customers
    assert session.aspas == {
        (customer, ipv6): providers
        for customer, providers in wanted.items()
        for ipv6 in (False, True)
    }


def test_a_version_1_cache_answer_is_followed_down_and_has_no_aspa(
    stayrtr: Start, cache_file: Path
) -> None:
    server = stayrtr(cache_file, "-protocol", "1")
    with RtrSession(server.host, server.port, timeout=10) as session:
        result = session.reset()
        assert result.version == session.version == 1
        assert session.vrps == expected(cache_file)
        assert session.aspas == {}
        assert len(session.router_keys) == 3  # version 1 still has router keys


def test_unsupported_version_reports_step_down_from_2_to_1_to_0(
    stayrtr: Start, cache_file: Path
) -> None:
    server = stayrtr(cache_file)
    asked: list[int] = []

    def step_down(conn: Any, index: int) -> None:
        query = read_exactly(conn, 8)
        asked.append(query[0])
        if query[0] > 0:  # refuse, reporting the next lower version
            report = ErrorReport(query[0] - 1, ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, query, "")
            conn.sendall(encode(report))
            return
        relay((server.host, server.port), query, conn)

    with listening(step_down) as cache, RtrSession(cache.host, cache.port, timeout=10) as session:
        assert session.reset().version == 0
        assert asked == [2, 1, 0] and cache.connections == 3
        assert session.vrps == expected(cache_file) and session.aspas == {}


def test_serial_query_applies_announcements_and_withdrawals_after_serial_notify(
    stayrtr: Start, cache_file: Path, cache_roas: list[dict[str, Any]]
) -> None:
    server = stayrtr(cache_file, "-refresh", "1")
    with RtrSession(server.host, server.port, timeout=10) as session:
        first = session.reset()
        write_cache(cache_file, changed_roas(cache_roas))
        notify = None
        deadline = time.monotonic() + 30
        while notify is None and time.monotonic() < deadline:
            notify = session.wait_for_notify(timeout=1.0)
        assert notify is not None, "StayRTR sent no Serial Notify within 30 s"
        assert notify.serial != first.serial and notify.session_id == first.session_id
        result = session.refresh()
        assert not result.reset
        assert (result.announced, result.withdrawn) == (3, 4)
        assert result.serial == notify.serial == session.serial
        assert session.vrps == expected(cache_file)


def test_serial_query_polling_without_notifications_reaches_the_new_set(
    stayrtr: Start, cache_file: Path, cache_roas: list[dict[str, Any]]
) -> None:
    server = stayrtr(cache_file, "-refresh", "1", "-notifications=false")
    with RtrSession(server.host, server.port, timeout=10) as session:
        first = session.reset()
        before = set(session.vrps)
        write_cache(cache_file, cache_roas[:10])
        result = session.refresh()
        deadline = time.monotonic() + 30
        while result.serial == first.serial and time.monotonic() < deadline:
            assert session.vrps == before  # nothing changes until the cache has reloaded
            time.sleep(0.3)
            result = session.refresh()
        assert result.serial != first.serial, "StayRTR did not reload its cache in 30 s"
        assert (result.announced, result.withdrawn) == (0, 9)
        assert session.vrps == expected(cache_file)


def test_cache_reset_on_a_serial_the_cache_never_issued_starts_over(
    stayrtr: Start, cache_file: Path
) -> None:
    server = stayrtr(cache_file)
    with RtrSession(server.host, server.port, timeout=10) as session:
        first = session.reset()
        session.vrps.clear()
        assert session.serial is not None
        session.serial = (session.serial + 1000) % 2**32  # StayRTR has no diff from it
        result = session.refresh()
        assert result.reset and result.serial == first.serial
        assert session.vrps == expected(cache_file)


def test_a_version_0_cache_answer_is_followed_down_to_version_0(
    stayrtr: Start, cache_file: Path
) -> None:
    server = stayrtr(cache_file, "-protocol", "0")
    with RtrSession(server.host, server.port, timeout=10) as session:
        result = session.reset()
        assert result.version == session.version == 0
        assert session.vrps == expected(cache_file)
        assert session.router_keys == set()  # version 0 has no router keys
        assert session.timers == Timers(3600, 600, 7200)  # not sent in v0: RFC defaults
        again = session.refresh()  # Serial Query goes out in version 0 now
        assert again.version == 0 and again.announced == again.withdrawn == 0


def test_unsupported_protocol_version_report_retries_once_in_version_0(
    stayrtr: Start, cache_file: Path
) -> None:
    server = stayrtr(cache_file)
    with (
        listening(version0_only((server.host, server.port))) as v0_cache,
        RtrSession(v0_cache.host, v0_cache.port, timeout=10) as session,
    ):
        result = session.reset()
        assert result.version == 0
        assert v0_cache.connections == 2
        assert session.vrps == expected(cache_file)


def test_a_cache_refusing_version_0_too_fails_after_one_retry() -> None:
    def refuse(conn: Any, index: int) -> None:
        conn.recv(8)
        conn.sendall(UNSUPPORTED_VERSION)

    with listening(refuse) as cache, RtrSession(cache.host, cache.port, timeout=5) as session:
        with pytest.raises(RtrError, match="Unsupported Protocol Version") as caught:
            session.reset()
        assert caught.value.code == ErrorCode.UNSUPPORTED_PROTOCOL_VERSION
        assert cache.connections == 2


def test_a_cache_without_data_answers_no_data_available(stayrtr: Start, tmp_path: Path) -> None:
    server = stayrtr(tmp_path / "not-there.json")
    with RtrSession(server.host, server.port, timeout=10) as session:
        with pytest.raises(RtrError, match=r"No Data Available \(2\)") as caught:
            session.reset()
        assert caught.value.code == ErrorCode.NO_DATA_AVAILABLE
        assert session.vrps == set()


def test_max_vrps_bounds_the_set(stayrtr: Start, cache_file: Path) -> None:
    server = stayrtr(cache_file)
    with RtrSession(server.host, server.port, timeout=10, max_vrps=5) as session:
        with pytest.raises(RtrError, match="more than 5 VRPs"):
            session.reset()
        assert session.vrps == set()
