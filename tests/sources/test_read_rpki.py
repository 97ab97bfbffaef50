"""VRP files: rpki-client JSON and the RIPE validator CSV, real and broken."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from routesieve.model import Prefix, Vrp
from routesieve.problems import InputError
from routesieve.sources.rpki import read_vrps


def test_rpki_client_json_gives_its_19_roas_and_ignores_bgpsec(shared_data: Path) -> None:
    result = read_vrps(shared_data / "rpki" / "stayrtr_test.rpki.json")
    assert len(result.items) == 19
    assert result.problems == ()
    assert result.provenance.kind == "rpki"
    assert result.provenance.generated == "2023-07-27T18:56:02Z"
    assert result.provenance.count == 19
    assert "bgpsec_keys" in result.provenance.note
    assert "provider_authorizations" not in result.provenance.note  # sources/aspa.py reads it
    first = result.items[0]
    assert first == Vrp(Prefix.parse("1.0.0.0/24"), 24, 13335, "apnic", 1827568318)
    assert sum(1 for v in result.items if v.prefix.version == 6) == 14
    assert Vrp(Prefix.parse("2800:38::/32"), 128, 27808, "lacnic", 1827677646) in result.items


def test_expired_vrp_is_kept_with_its_expiry(shared_data: Path) -> None:
    result = read_vrps(shared_data / "rpki" / "arouteserver_rpki_roas_rpki-client_expired.json")
    assert [v.expires for v in result.items] == [1027049909]
    assert result.provenance.generated == "2021-07-21T17:26:00Z"


def test_ripe_validator_csv_gives_49_vrps(shared_data: Path) -> None:
    result = read_vrps(shared_data / "rpki" / "rpki-irr-bgp-stats_roas_ripe-validator-csv_2016.csv")
    assert len(result.items) == 49
    assert sum(1 for v in result.items if v.prefix.version == 6) == 4
    assert result.items[0] == Vrp(Prefix.parse("86.106.22.0/24"), 24, 31207)
    assert result.problems == ()


def test_json_asn_may_be_text_and_bad_roas_are_problems(tmp_path: Path) -> None:
    roas = [
        {"asn": "AS65001", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "x"},
        {"asn": 65002, "prefix": "192.0.2.0/24", "maxLength": 23},
        {"asn": 65003, "prefix": "2001:db8::/32", "maxLength": 129},
        {"asn": "ASX", "prefix": "192.0.2.0/24", "maxLength": 24},
        {"asn": 65004, "prefix": "192.0.2.1/24", "maxLength": 24},
        {"asn": 65005, "prefix": "not a prefix", "maxLength": 24},
        "junk",
    ]
    f = tmp_path / "vrps.json"
    f.write_text(json.dumps({"roas": roas}))
    result = read_vrps(f)
    assert [v.asn for v in result.items] == [65001]
    assert [p.place for p in result.problems] == [f"roas[{i}]" for i in range(1, 7)]
    messages = " | ".join(p.message for p in result.problems)
    assert "shorter than the prefix length" in messages
    assert "over 128" in messages
    assert "host bits" in messages


def test_csv_junk_lines_are_reported_with_their_line_number(tmp_path: Path) -> None:
    f = tmp_path / "vrps.csv"
    f.write_text(
        "ASN,IP Prefix,Max Length,Trust Anchor\n"
        "AS65001,192.0.2.0/24,24,ripe\n"
        "garbage\n"
        "AS65002,198.51.100.0/24,16,ripe\n"
        "AS65003,2001:db8::/32,48,arin\n"
    )
    result = read_vrps(f)
    assert [(v.asn, v.ta) for v in result.items] == [(65001, "ripe"), (65003, "arin")]
    assert [p.line for p in result.problems] == [3, 4]


def test_gzip_compressed_csv_is_read_by_magic(tmp_path: Path, shared_data: Path) -> None:
    src = shared_data / "rpki" / "rpki-irr-bgp-stats_roas_ripe-validator-csv_2016.csv"
    f = tmp_path / "vrps.data"
    f.write_bytes(gzip.compress(src.read_bytes()))
    assert len(read_vrps(f).items) == 49


def test_text_that_is_not_json_is_refused_with_its_line(tmp_path: Path) -> None:
    f = tmp_path / "broken.json"
    f.write_text('{"roas": [\n  {"asn": 1,\n  oops\n]}')
    with pytest.raises(InputError) as err:
        read_vrps(f)
    (problem,) = err.value.problems
    assert problem.file == str(f)
    assert problem.line == 3
    assert problem.message.startswith("not JSON")


def test_json_without_roas_is_refused(shared_data: Path) -> None:
    with pytest.raises(InputError, match="roas"):
        read_vrps(shared_data / "rpki" / "stayrtr_slurm.json")


def test_truncated_gzip_is_refused_naming_the_file(tmp_path: Path, shared_data: Path) -> None:
    data = gzip.compress((shared_data / "rpki" / "stayrtr_test.rpki.json").read_bytes())
    f = tmp_path / "cut.json.gz"
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        read_vrps(f)
    assert err.value.problems[0].file == str(f)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open"):
        read_vrps(tmp_path / "nope.json")
