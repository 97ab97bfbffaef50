"""PeeringDB ixpfx and ixlan answers saved as files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routesieve.model import ExchangePrefix, Prefix
from routesieve.problems import InputError
from routesieve.sources.peeringdb_files import read_ixlan_map, read_ixpfx


def test_real_ixpfx_answer_gives_500_prefixes_235_ipv6(shared_data: Path) -> None:
    result = read_ixpfx(shared_data / "peeringdb" / "pdb_beta_anon_ixpfx.json.xz")
    assert len(result.items) == 500
    assert sum(1 for x in result.items if x.prefix.version == 6) == 235
    assert result.problems == ()
    assert result.provenance.kind == "peeringdb_ixpfx"
    assert result.items[0] == ExchangePrefix(
        Prefix.parse("206.223.115.0/24"), "PeeringDB ix 3814", 3814
    )


def test_ixlan_map_maps_each_lan_to_its_exchange(shared_data: Path) -> None:
    mapping = read_ixlan_map(shared_data / "peeringdb" / "pdb_beta_anon_ixlan.json.xz")
    assert len(mapping) == 500
    assert mapping[1] == 1


def test_ixlan_ids_are_translated_through_the_map(tmp_path: Path) -> None:
    f = tmp_path / "ixpfx.json"
    data = [
        {"id": 1, "ixlan_id": 7, "protocol": "IPv4", "prefix": "192.0.2.0/24", "status": "ok"},
        {"id": 2, "ixlan_id": 8, "protocol": "IPv6", "prefix": "2001:db8::/64"},
        {"id": 3, "ixlan_id": 9, "prefix": "198.51.100.0/24", "status": "deleted"},
        {"id": 4, "ixlan_id": "x", "prefix": "198.51.100.0/24"},
        {"id": 5, "ixlan_id": 10, "prefix": "198.51.100.7/24"},
    ]
    f.write_text(json.dumps({"meta": {"generated": 1700000000}, "data": data}))
    result = read_ixpfx(f, {7: 70})
    assert [(x.exchange, x.peeringdb_ix) for x in result.items] == [
        ("PeeringDB ix 70", 70),
        ("PeeringDB ix 8", 8),
    ]
    assert [p.place for p in result.problems] == ["data[3]", "data[4]"]
    assert "1 deleted" in result.provenance.note
    assert result.provenance.generated == "2023-11-14T22:13:20Z"


def test_json_that_is_not_an_api_answer_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "x.json"
    f.write_text("[1, 2, 3]")
    with pytest.raises(InputError, match='"data"'):
        read_ixpfx(f)
    f.write_text("<html>rate limited</html>")
    with pytest.raises(InputError, match="not JSON"):
        read_ixlan_map(f)
