"""ASPA records from rpki-client JSON (both provider shapes) and StayRTR's cache JSON."""

from __future__ import annotations

import json
from pathlib import Path

from routesieve.model import Aspa
from routesieve.sources.aspa import read_aspas


def write(tmp_path: Path, doc: object) -> Path:
    path = tmp_path / "rpki.json"
    path.write_text(json.dumps(doc))
    return path


def test_stayrtr_cache_provider_authorizations_of_both_families_are_merged(
    shared_data: Path,
) -> None:
    r = read_aspas(shared_data / "rpki" / "stayrtr_test.rpki.json")
    assert r.items == (
        Aspa(15562, (2914, 8283, 51088, 206238)),
        Aspa(64496, (1299, 6939, 7480, 32097, 50058, 61138)),
    )
    assert r.problems == ()
    assert r.provenance.kind == "aspa" and r.provenance.count == 2
    assert "provider_authorizations" in r.provenance.note


def test_rpki_client_9_aspas_with_plain_provider_numbers_keep_expiry(tmp_path: Path) -> None:
    doc = {
        "roas": [],
        "aspas": [{"customer_asid": 64500, "expires": 1700000000, "providers": [65002, 65001]}],
    }
    assert read_aspas(write(tmp_path, doc)).items == (Aspa(64500, (65001, 65002), 1700000000),)


def test_older_rpki_client_provider_objects_with_afi_limit_are_read(tmp_path: Path) -> None:
    doc = {
        "aspas": [
            {
                "customer_asid": "AS64500",
                "expires": 1700000000,
                "providers": [{"asid": 65001, "afi_limit": "ipv4"}, {"asid": "AS65002"}],
            }
        ]
    }
    assert read_aspas(write(tmp_path, doc)).items == (Aspa(64500, (65001, 65002), 1700000000),)


def test_provider_list_of_only_as0_means_no_providers(tmp_path: Path) -> None:
    doc = {"aspas": [{"customer_asid": 64500, "providers": [0]}]}
    (aspa,) = read_aspas(write(tmp_path, doc)).items
    assert aspa.providers == ()


def test_bad_entries_are_problems_naming_their_place_and_the_rest_is_read(tmp_path: Path) -> None:
    doc = {
        "aspas": [
            {"customer_asid": "ASx", "providers": [1]},
            {"customer_asid": 64501, "providers": "65001"},
            {"customer_asid": 64502, "providers": [{"afi_limit": "ipv4"}]},
            {"customer_asid": 64503, "providers": [1], "expires": "soon"},
            {"customer_asid": 64504, "providers": [65001]},
        ]
    }
    r = read_aspas(write(tmp_path, doc))
    assert r.items == (Aspa(64504, (65001,)),)
    assert [p.place for p in r.problems] == ["aspas[0]", "aspas[1]", "aspas[2]", "aspas[3]"]
    assert all(p.file.endswith("rpki.json") for p in r.problems)


def test_a_file_written_from_an_rtr_version_1_session_says_aspa_is_absent(tmp_path: Path) -> None:
    doc = {"metadata": {"rtr": {"version": 1, "serial": 3, "session_id": 9}}, "roas": []}
    r = read_aspas(write(tmp_path, doc))
    assert r.items == ()
    assert "version 1" in r.provenance.note and "needs version 2" in r.provenance.note


def test_csv_vrp_file_has_no_aspas(shared_data: Path) -> None:
    r = read_aspas(shared_data / "rpki" / "rpki-irr-bgp-stats_roas_ripe-validator-csv_2016.csv")
    assert r.items == () and r.problems == ()
