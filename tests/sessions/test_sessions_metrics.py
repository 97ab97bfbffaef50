"""Prometheus output with hostile text in every label (quotes, backslashes, newlines,
braces, a forged metric line): prometheus_client escapes it, its own parser reads back
the exact values, and no extra sample appears. The table shows such text on one line."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from routesieve.sessions.formats import render_table
from routesieve.sessions.metrics import exposition
from routesieve.sessions.status import (
    FamilyCounts,
    Flag,
    PeerCheck,
    RouterRead,
    SessionReport,
    SessionStatus,
)

EVIL = 'x"} 1\nroutesieve_session_up{session="forged"} 1\n# HELP \\ {a="b"}\u2028é'


def _report() -> SessionReport:
    session = SessionStatus(
        peer_asn=65010,
        peer_name=EVIL,
        exchange=EVIL,
        session="ix1",
        neighbor="",
        router="edge1",
        protocol="p1",
        state="Established",
        up=True,
        since="10:00:00.000",
        since_iso="2026-11-26T10:00:00",
        state_seconds=61.5,
        last_error=EVIL,
        families=(FamilyCounts("ipv6", 8, 5, 3),),
        flags=(Flag.CONTACT_MISSING,),
    )
    peer = PeerCheck(65010, EVIL, True, True, False)
    return SessionReport(
        "2026-11-26T10:01:01+00:00",
        (session,),
        (peer,),
        (RouterRead("edge1", "bird", True, "", 0.01),),
    )


def test_hostile_label_values_round_trip() -> None:
    families = {f.name: f for f in text_string_to_metric_families(exposition(_report()))}
    (up,) = families["routesieve_session_up"].samples
    assert up.labels["peer_name"] == EVIL and up.labels["exchange"] == EVIL
    assert up.labels["session"] == "ix1" and up.value == 1.0
    routes = {s.labels["kind"]: s.value for s in families["routesieve_session_routes"].samples}
    assert routes == {"received": 8.0, "accepted": 5.0, "filtered": 3.0}
    (seconds,) = families["routesieve_session_established_seconds"].samples
    assert seconds.value == 61.5
    (contact,) = families["routesieve_peer_contact_missing"].samples
    assert contact.labels == {"peer_asn": "65010", "peer_name": EVIL} and contact.value == 1.0
    (read_at,) = families["routesieve_sessions_read_timestamp_seconds"].samples
    assert read_at.value == 1_795_687_261.0


def test_table_keeps_hostile_text_on_one_line() -> None:
    table = render_table(_report())
    lines = table.splitlines()
    # header, the session, a blank line, the router, the peer check, the time read
    assert len(lines) == 6, table
    assert lines[1].startswith("AS65010") and "contact-missing" in lines[1]
    assert lines[4].startswith("AS65010") and "no contact with email or phone" in lines[4]
