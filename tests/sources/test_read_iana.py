"""The IANA AS-number registry CSV and the built-in copy."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from routesieve.model import AsnBlock
from routesieve.problems import InputError
from routesieve.sources.iana import default_asn_registry, read_asn_registry


def block_of(blocks: tuple[AsnBlock, ...], asn: int) -> AsnBlock:
    (found,) = [b for b in blocks if b.first <= asn <= b.last]
    return found


def test_builtin_registry_covers_every_asn_once_without_gaps() -> None:
    result = default_asn_registry()
    assert result.problems == ()
    assert result.provenance.kind == "iana_asn"
    assert "refresh" in result.provenance.note
    blocks = sorted(result.items, key=lambda b: b.first)
    assert blocks[0].first == 0 and blocks[-1].last == 4294967295
    for a, b in itertools.pairwise(blocks):
        assert b.first == a.last + 1, (a, b)


def test_builtin_registry_knows_the_special_ranges() -> None:
    blocks = default_asn_registry().items
    assert block_of(blocks, 0).description == "Reserved"
    assert block_of(blocks, 23456).description == "AS_TRANS"
    assert "documentation" in block_of(blocks, 64500).description
    assert "documentation" in block_of(blocks, 65540).description
    assert "Private" in block_of(blocks, 65000).description
    assert "Private" in block_of(blocks, 4200000000).description
    assert block_of(blocks, 4294967295).description == "Reserved"
    assert block_of(blocks, 6939).allocated
    assert block_of(blocks, 214312).description == "Assigned by RIPE NCC"
    assert not block_of(blocks, 1000000).allocated
    assert not block_of(blocks, 4199999999).allocated


def test_iana_csv_with_rdap_column_quotes_and_pointer_row(tmp_path: Path) -> None:
    f = tmp_path / "as-numbers-2.csv"
    f.write_text(
        "Number,Description,WHOIS,RDAP,Reference,Registration Date\r\n"
        "0-65535,See Sub-registry 16-bit AS numbers,,,,\r\n"
        '65536-65551,"Reserved for use in documentation, and sample code",,,[RFC5398],'
        "2008-12-03\r\n"
        "131072-132095,Assigned by APNIC,whois.apnic.net,https://rdap.apnic.net/,,2006-06-05\r\n"
        "oops,Assigned by nobody,,,,\r\n"
        "400-300,Reserved,,,,\r\n"
        "4294967295,Reserved,,,[RFC7300],\r\n"
    )
    result = read_asn_registry(f)
    assert result.items == (
        AsnBlock(65536, 65551, "Reserved for use in documentation, and sample code"),
        AsnBlock(131072, 132095, "Assigned by APNIC"),
        AsnBlock(4294967295, 4294967295, "Reserved"),
    )
    assert [p.line for p in result.problems] == [5, 6]
    assert "Sub-registry" in result.provenance.note


def test_a_csv_of_something_else_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("ASN,IP Prefix,Max Length\nAS1,192.0.2.0/24,24\n")
    with pytest.raises(InputError, match="not an IANA"):
        read_asn_registry(f)
