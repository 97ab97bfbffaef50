"""RIR delegated-extended statistics files."""

from __future__ import annotations

import lzma
from collections import Counter
from pathlib import Path

import pytest

from routesieve.model import AsnDelegation, DelegationStatus, IpDelegation, Prefix
from routesieve.problems import InputError
from routesieve.sources.rir import read_delegations

HEADER = "2|test|20240101|{n}|19700101|20231231|+0000\n"


def write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "delegated"
    f.write_text(text)
    return f


def test_afrinic_file_has_its_15019_records_and_summary_agrees(shared_data: Path) -> None:
    result = read_delegations(shared_data / "rir" / "delegated-afrinic-extended-latest.xz")
    assert result.problems == ()
    assert result.provenance.kind == "rir"
    assert result.provenance.generated == "2023-03-23"
    assert "3326 asn, 5089 ipv4, 6604 ipv6" in result.provenance.note
    asns = [d for d in result.items if isinstance(d, AsnDelegation)]
    assert len(asns) == 3326
    assert asns[0] == AsnDelegation(
        "afrinic", 1228, 1, DelegationStatus.ALLOCATED, "F36B9F4B", "ZA"
    )
    v6 = [d for d in result.items if isinstance(d, IpDelegation) and d.prefix.version == 6]
    assert len(v6) == 6604
    # IPv4 host counts that are not powers of two become several prefixes
    v4 = [d for d in result.items if isinstance(d, IpDelegation) and d.prefix.version == 4]
    assert len(v4) > 5089
    assert result.provenance.count == len(result.items)


@pytest.mark.slow
def test_lacnic_file_has_86237_records_with_available_rows_without_opaque_id(
    shared_data: Path,
) -> None:
    result = read_delegations(shared_data / "rir" / "delegated-lacnic-extended-latest.xz")
    assert result.problems == ()
    assert result.provenance.generated == "2023-03-22"
    assert len(result.items) == 86237  # every block there is CIDR-aligned
    no_id = Counter(d.status for d in result.items if d.opaque_id == "")
    assert no_id == {DelegationStatus.AVAILABLE: 27006, DelegationStatus.RESERVED: 14924}
    with_id = Counter(d.status for d in result.items if d.opaque_id)
    assert with_id == {DelegationStatus.ALLOCATED: 40349, DelegationStatus.ASSIGNED: 3958}


def test_ipv4_count_that_is_not_a_power_of_two_is_split(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        HEADER.format(n=1) + "test|*|ipv4|*|1|summary\n"
        "test|NL|ipv4|192.0.2.0|384|20200101|allocated|H1\n",
    )
    result = read_delegations(f)
    assert [d.prefix for d in result.items if isinstance(d, IpDelegation)] == [
        Prefix.parse("192.0.2.0/24"),
        Prefix.parse("192.0.3.0/25"),
    ]


def test_summary_and_header_mismatches_are_problems(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        HEADER.format(n=5) + "test|*|asn|*|3|summary\n"
        "test|NL|asn|64496|2|20200101|assigned|H1\n"
        "test|NL|asn|64500|1|20200101|assigned|H1\n",
    )
    result = read_delegations(f)
    assert {p.line: p.message for p in result.problems} == {
        1: "header says 5 records, file has 2",
        2: "summary says 3 asn records, file has 2",
    }


def test_bad_record_lines_are_reported_with_their_number(tmp_path: Path) -> None:
    f = write(
        tmp_path,
        "# comment\n" + HEADER.format(n=6) + "test|NL|asn|64496|1|20200101|assigned|H1\n"
        "test|NL|ipv4|192.0.2.999|256|20200101|assigned|H1\n"
        "test|NL|ipv6|2001:db8::1|32|20200101|assigned|H1\n"
        "test|NL|ipv4|192.0.2.0|256|20200101|stolen|H1\n"
        "test|NL|asn|64496\n"
        "test|NL|ipv7|1|1|20200101|assigned|H1\n",
    )
    result = read_delegations(f)
    assert len(result.items) == 1
    assert [p.line for p in result.problems] == [4, 5, 6, 7, 8]


def test_a_file_without_the_header_is_refused(tmp_path: Path) -> None:
    f = write(tmp_path, "prefix,origin\n192.0.2.0/24,65001\n")
    with pytest.raises(InputError, match="not an RIR statistics file") as err:
        read_delegations(f)
    assert err.value.problems[0].line == 1


def test_truncated_xz_is_refused_naming_the_file(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / "rir" / "delegated-afrinic-extended-latest.xz").read_bytes()
    f = tmp_path / "cut.xz"
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        read_delegations(f)
    assert err.value.problems[0].file == str(f)


def test_xz_is_detected_by_magic_not_name(tmp_path: Path) -> None:
    f = tmp_path / "plain.txt"
    f.write_bytes(lzma.compress(HEADER.format(n=1).encode() + b"t|NL|asn|1|1|2020|assigned|X\n"))
    assert len(read_delegations(f).items) == 1
