"""Bogon lists: Team Cymru full bogons, reasoned lists, and the built-in default."""

from __future__ import annotations

from pathlib import Path

import pytest

from routesieve.model import Prefix
from routesieve.problems import InputError
from routesieve.sources.bogons import default_bogons, read_bogons


def test_team_cymru_ipv4_list_has_703_prefixes_and_its_date(shared_data: Path) -> None:
    result = read_bogons(shared_data / "bogons" / "teamcymru_fullbogons-ipv4_20240310.txt")
    assert len(result.items) == 703
    assert result.problems == ()
    assert result.provenance.kind == "bogons"
    assert result.provenance.generated == "2024-03-10T16:55:01Z"
    assert result.items[0].prefix == Prefix.parse("0.0.0.0/8")
    assert result.items[0].reason == "listed in teamcymru_fullbogons-ipv4_20240310.txt"


@pytest.mark.slow
def test_team_cymru_ipv6_list_xz_has_143544_prefixes(shared_data: Path) -> None:
    result = read_bogons(shared_data / "bogons" / "teamcymru_fullbogons-ipv6_20240310.txt.xz")
    assert len(result.items) == 143544
    assert result.problems == ()


def test_reason_comes_from_the_end_of_line_comment(tmp_path: Path) -> None:
    f = tmp_path / "b.txt"
    f.write_text("# my list\n10.0.0.0/8   # RFC 1918 private use\n\nfc00::/7 #  ULA \n")
    result = read_bogons(f)
    assert [(str(b.prefix), b.reason) for b in result.items] == [
        ("10.0.0.0/8", "RFC 1918 private use"),
        ("fc00::/7", "ULA"),
    ]


def test_junk_lines_are_reported_with_their_line_number(tmp_path: Path) -> None:
    f = tmp_path / "b.txt"
    f.write_text("10.0.0.0/8\nhello world\n192.168.0.1/16\n172.16.0.0/12\n")
    result = read_bogons(f)
    assert len(result.items) == 2
    assert [p.line for p in result.problems] == [2, 3]
    assert "host bits" in result.problems[1].message


def test_a_file_of_another_format_is_refused(shared_data: Path) -> None:
    with pytest.raises(InputError, match="not a bogon list"):
        read_bogons(shared_data / "bogons" / "arouteserver_config.d_bogons.yml")


def test_builtin_list_covers_the_documented_blocks() -> None:
    result = default_bogons()
    assert result.problems == ()
    assert result.provenance.location.startswith("built-in")
    listed = {str(b.prefix): b.reason for b in result.items}
    for block in (
        "10.0.0.0/8", "100.64.0.0/10", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24",
        "224.0.0.0/4", "240.0.0.0/4", "2001:db8::/32", "3fff::/20", "2002::/16", "fc00::/7",
        "fe80::/10", "ff00::/8", "::/3", "4000::/2", "8000::/1",
    ):  # fmt: skip
        assert block in listed, block
    assert all(reason for reason in listed.values())


def test_builtin_list_spares_globally_reachable_special_blocks() -> None:
    bogons = [b.prefix for b in default_bogons().items]
    for reachable in ("2001::/32", "2001:3::/32", "2001:4:112::/48", "2001:20::/28",
                      "192.31.196.0/24", "192.175.48.0/24", "2a00::/12"):  # fmt: skip
        p = Prefix.parse(reachable)
        assert not any(b.contains(p) for b in bogons), reachable
    # everything outside 2000::/3 is covered
    for outside in ("::1/128", "100::/64", "4000::/3", "c000::/2", "1fff::/16"):
        p = Prefix.parse(outside)
        assert any(b.contains(p) for b in bogons), outside
