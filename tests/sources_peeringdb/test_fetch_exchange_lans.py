"""fetch_exchange_lans writes ixlan and ixpfx files the existing readers take, both or
neither, from a replay of real PeeringDB objects."""

from __future__ import annotations

from pathlib import Path

import pytest
from peeringdb_replay import PeeringDbReplay

from routesieve.sources.fetched import FetchError
from routesieve.sources.peeringdb import IXLAN_FILE, IXPFX_FILE, fetch_exchange_lans
from routesieve.sources.peeringdb_files import read_ixlan_map, read_ixpfx


def test_the_files_hold_the_exchanges_lans_and_read_back(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    ixlan, ixpfx = fetch_exchange_lans(peeringdb.base_url, tmp_path, [31, 18])

    assert (ixlan.path, ixpfx.path) == (tmp_path / IXLAN_FILE, tmp_path / IXPFX_FILE)
    assert (ixlan.count, ixpfx.count) == (2, 3)
    mapping = read_ixlan_map(ixlan.path)
    prefixes = read_ixpfx(ixpfx.path, mapping)
    assert mapping == {31: 31, 18: 18}
    assert sorted((str(p.prefix), p.peeringdb_ix) for p in prefixes.items) == [
        ("2001:7f8:4::/64", 18),
        ("2001:7f8::/64", 31),
        ("80.81.192.0/21", 31),
    ]
    assert prefixes.provenance.generated is not None
    assert "s3cret" not in ixlan.location


def test_a_failed_second_query_leaves_the_previous_files(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    fetch_exchange_lans(peeringdb.base_url, tmp_path, [31])
    before = {f.name: f.read_bytes() for f in tmp_path.iterdir()}
    peeringdb.clear_requests()
    peeringdb.fail_next("ok")  # the ixlan query succeeds
    peeringdb.fail_next("502")  # the ixpfx query gets an error page
    with pytest.raises(FetchError, match="HTTP 502"):
        fetch_exchange_lans(peeringdb.base_url, tmp_path, [31, 18], timeout=5)
    assert [r.path for r in peeringdb.requests] == ["/api/ixlan", "/api/ixpfx"]
    assert {f.name: f.read_bytes() for f in tmp_path.iterdir()} == before


def test_a_file_that_cannot_be_written_leaves_neither(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    (tmp_path / IXPFX_FILE).mkdir()  # the second file cannot replace a folder
    with pytest.raises(FetchError, match="cannot write"):
        fetch_exchange_lans(peeringdb.base_url, tmp_path, [31])
    assert not (tmp_path / IXLAN_FILE).exists()


def test_an_exchange_peeringdb_does_not_know_writes_nothing(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    with pytest.raises(FetchError, match="no exchange LAN of ix 3844"):
        fetch_exchange_lans(peeringdb.base_url, tmp_path / "out", [31, 3844])
    assert not (tmp_path / "out").exists()


def test_an_exchange_without_prefixes_writes_nothing(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    lan = next(x for x in peeringdb.find("ixlan") if not peeringdb.find("ixpfx", ixlan_id=x["id"]))
    with pytest.raises(FetchError, match=f"no LAN prefix of ix {lan['ix_id']}"):
        fetch_exchange_lans(peeringdb.base_url, tmp_path, [lan["ix_id"]])
    assert list(tmp_path.iterdir()) == []
