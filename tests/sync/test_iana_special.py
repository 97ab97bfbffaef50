"""The IANA special-purpose registries as bogons, and the built-in list as the fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sync_helpers import DATA, write_config

from routesieve.config import load_config
from routesieve.model import Prefix
from routesieve.problems import InputError
from routesieve.sources.bogons import default_bogons
from routesieve.sources.iana_special import read_special_registry
from routesieve.sources.load import load_snapshot

V4 = DATA / "iana-ipv4-special-registry-excerpt.csv"
V6 = DATA / "iana-ipv6-special-registry-excerpt.csv"


def prefixes(path: Path) -> set[str]:
    return {str(b.prefix) for b in read_special_registry(path).items}


def test_blocks_not_globally_reachable_are_bogons_with_name_and_rfc() -> None:
    result = read_special_registry(V4)

    reasons = {str(b.prefix): b.reason for b in result.items}
    assert reasons["10.0.0.0/8"] == "IANA special-purpose: Private-Use [RFC1918]"
    assert "255.255.255.255/32" in reasons  # a quoted RFC cell over two lines
    assert {"192.0.0.170/32", "192.0.0.171/32"} <= set(reasons)  # two blocks in one cell
    assert result.problems == () and result.provenance.kind == "iana_special"


def test_reachable_na_and_terminated_entries_are_not_bogons() -> None:
    found = prefixes(V6)

    assert "2001::/32" not in found  # Teredo: Globally Reachable N/A
    assert "2002::/16" not in found  # 6to4: N/A, with a footnote mark on the block
    assert "2620:4f:8000::/48" not in found and "64:ff9b::/96" not in found  # True
    assert "2001:10::/28" not in found  # terminated: empty flags
    assert {"2001:db8::/32", "2001:2::/48", "fc00::/7", "::1/128"} <= found


def test_a_block_holding_reachable_blocks_is_listed_only_by_its_parts() -> None:
    v6, v4 = prefixes(V6), prefixes(V4)

    assert "2001::/23" not in v6 and "2001:2::/48" in v6  # AS112-v6 and AMT stay reachable
    assert "192.0.0.0/24" not in v4 and "192.0.0.0/29" in v4  # PCP / TURN anycast inside
    assert "1 holding reachable blocks" in read_special_registry(V6).provenance.note


def test_a_file_that_is_not_the_registry_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "as-numbers.csv"
    path.write_text("Number,Description\n1,Level 3\n", encoding="utf-8")

    with pytest.raises(InputError, match=r"as-numbers\.csv: not an IANA special-purpose registry"):
        read_special_registry(path)


def test_without_the_key_the_bogons_are_exactly_the_builtin_list(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, ""))

    snapshot = load_snapshot(config, 1_790_000_000).snapshot

    assert snapshot.bogons == default_bogons().items


def test_the_registry_adds_its_new_blocks_to_the_builtin_list_without_repeats(
    tmp_path: Path,
) -> None:
    config = load_config(write_config(tmp_path, f'iana_special = ["{V4}", "{V6}"]'))

    bogons = load_snapshot(config, 1_790_000_000).snapshot.bogons

    builtin = default_bogons().items
    assert bogons[: len(builtin)] == builtin  # the built-in reasons are kept first
    added = {str(b.prefix) for b in bogons[len(builtin) :]}
    assert {"255.255.255.255/32", "::1/128", "192.0.0.170/32"} <= added
    assert "10.0.0.0/8" not in added  # already in the built-in list
    assert len({b.prefix for b in bogons}) == len(bogons)
    assert Prefix.parse("2001:db8::/32") in {b.prefix for b in bogons}
