"""`routesieve peering request` against a replay of real PeeringDB objects: networks on
both test exchanges, on one, on none, IPv4-only, unknown, and the request email."""

from __future__ import annotations

from pathlib import Path

from peering_lab import OUR_LINX_ADDRESS, add_local_network, config_copy, request_json, run
from peeringdb_replay import PeeringDbReplay


def test_a_network_on_both_exchanges_gets_a_session_per_address(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    add_local_network(peeringdb)
    doc = request_json(peeringdb, config_copy(tmp_path), "8560")  # IONOS SE, net 262

    assert doc["asn"] == 8560 and doc["name"] == "IONOS SE"
    assert doc["eligible"] is True and doc["reasons"] == []
    assert [
        (s["exchange"], s["peeringdb_ix"], s["local_address"], s["peer_address"], s["max_prefix"])
        for s in doc["sessions"]
    ] == [
        ("DE-CIX Frankfurt", 31, "2001:7f8::3:4528:1", "2001:7f8::2170:0:1", 1500),
        ("DE-CIX Frankfurt", 31, "2001:7f8::3:4528:1", "2001:7f8::2170:0:2", 1500),
        ("LINX LON1", 18, OUR_LINX_ADDRESS, "2001:7f8:4::2170:1", 1500),
    ]
    assert doc["as_sets_published"] == ["RIPE::AS-IONOS"]
    assert any("RIPE::AS-IONOS" in n and "rule 1.1" in n for n in doc["notes"])
    assert any("LINX LON1" in n and "taken from PeeringDB" in n for n in doc["notes"])
    # Policy contact first (synthetic contacts: the dump has none)
    assert [c["role"] for c in doc["contacts"]] == ["Policy", "NOC"]
    assert doc["policy_general"] == "Open"


def test_max_prefix_has_the_configured_minimum(peeringdb: PeeringDbReplay, tmp_path: Path) -> None:
    peeringdb.overlay("net", {"id": 262, "info_prefixes6": 3})
    doc = request_json(peeringdb, config_copy(tmp_path), "AS8560")
    assert {s["max_prefix"] for s in doc["sessions"]} == {20}


def test_our_unknown_address_is_said_and_left_empty(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    doc = request_json(peeringdb, config_copy(tmp_path), "8560")  # AS214312 not in PeeringDB
    linx = [s for s in doc["sessions"] if s["peeringdb_ix"] == 18]
    assert linx and linx[0]["local_address"] is None
    assert any("our own address at LINX LON1 is unknown" in n for n in doc["notes"])


def test_a_network_on_one_exchange_gets_sessions_there_only(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    doc = request_json(peeringdb, config_copy(tmp_path), "8763")  # DENIC eG: DE-CIX only
    assert doc["eligible"] is True
    assert [(s["peeringdb_ix"], s["peer_address"], s["max_prefix"]) for s in doc["sessions"]] == [
        (31, "2001:7f8::223b:0:1", 240)
    ]


def test_a_network_on_none_of_our_exchanges_is_refused_without_direct_peering(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    doc = request_json(peeringdb, config_copy(tmp_path), "226")
    assert doc["eligible"] is False and doc["sessions"] == []
    (reason,) = doc["reasons"]
    assert "no IPv6 address at an exchange we are on" in reason
    assert "DE-CIX Frankfurt (ix 31)" in reason and "direct = false" in reason


def test_direct_peering_is_proposed_when_offered(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    doc = request_json(peeringdb, config_copy(tmp_path, "direct = true\n"), "226")
    assert doc["eligible"] is True and doc["direct"] is True and doc["sessions"] == []
    assert any("direct peering" in n for n in doc["notes"])


def test_an_ipv4_only_network_is_refused_by_the_ipv6_rule(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    doc = request_json(peeringdb, config_copy(tmp_path, "direct = true\n"), "34746")
    assert doc["name"] == "Eaton Kaye Ltd" and doc["eligible"] is False
    (reason,) = doc["reasons"]
    assert "IPv4-only" in reason and "IPv6-only network" in reason


def test_ipv4_only_at_our_exchange_is_named_in_the_refusal(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    doc = request_json(peeringdb, config_copy(tmp_path), "29006")  # IPv4 only at LINX
    assert doc["eligible"] is False
    assert "at LINX LON1 it has IPv4 only" in doc["reasons"][0]


def test_an_as_peeringdb_does_not_know_is_told_what_to_do(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    doc = request_json(peeringdb, config_copy(tmp_path), "64496")
    assert doc["eligible"] is False
    (reason,) = doc["reasons"]
    assert "PeeringDB has no record of AS64496" in reason
    assert "create a PeeringDB record" in reason and "peering@as214312.de" in reason


def test_the_asn_is_taken_from_the_request_email(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    mail = tmp_path / "request.eml"
    mail.write_text(
        "From: DENIC NOC <noc@denic.example>\nTo: peering@as214312.de\n"
        "Subject: Peering request AS8763 / AS214312\n\n"
        "Hello, we (ASN: 8763) would like to peer with AS214312 at DE-CIX.\n",
        encoding="utf-8",
    )
    doc = request_json(peeringdb, config_copy(tmp_path), "--message", str(mail))
    assert doc["asn"] == 8763 and doc["eligible"] is True

    other = request_json(peeringdb, config_copy(tmp_path), "8560", "--message", str(mail))
    assert other["asn"] == 8560
    assert "the request email names AS8763, not AS8560 as given here" in other["notes"]


def test_the_text_report_names_the_sessions_and_contacts(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    result = run(
        "peering",
        "request",
        "6939",
        "--config",
        str(config_copy(tmp_path)),
        "--peeringdb",
        peeringdb.base_url,
    )
    assert result.exit_code == 0, result.output
    assert "AS6939 Hurricane Electric" in result.stdout
    assert "contact NOC: NOC contact (made for the routesieve tests)" in result.stdout
    assert "theirs 2001:7f8::1b1b:0:1 max-prefix 270000" in result.stdout


def test_peeringdb_down_without_cache_is_exit_1_naming_the_url(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    peeringdb.fail_next("502")
    result = run(
        "peering",
        "request",
        "6939",
        "--config",
        str(config_copy(tmp_path)),
        "--peeringdb",
        peeringdb.base_url,
    )
    assert result.exit_code == 1
    assert f"{peeringdb.base_url}/net?asn=6939&depth=0: HTTP 502" in result.stderr
