"""A valid configuration loads, keeps what was written and maps to the engine's Policy."""

from __future__ import annotations

import ipaddress
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from config_samples import AS214312, MINIMAL, write_config

from routesieve.config import Config, load_config
from routesieve.model import ExchangePrefix, Prefix
from routesieve.policy import PeerPolicy, Policy


def test_as214312_config_maps_to_the_policy_the_engine_uses(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, AS214312))
    policy = config.to_policy()

    assert policy.local_asn == 214312
    assert policy.families == frozenset({6})
    assert policy.max_hops == 40
    assert policy.irr_strict_origin is True
    assert (policy.check_afi, policy.check_first_as, policy.check_bogon_asn) == (
        True,
        True,
        False,
    )
    assert dict(policy.peers) == {
        6939: PeerPolicy(6939, "Hurricane Electric", ("RADB::AS-HURRICANE",)),
        65501: PeerPolicy(65501, "LOCIX route servers", ()),
        65010: PeerPolicy(65010, "", ("AS65010:AS-CUSTOMERS", "AS-EXAMPLE")),
    }
    assert policy.route_server_sessions == frozenset({"locix-rs1"})
    assert policy.exchange_prefixes == (
        ExchangePrefix(Prefix.parse("2001:db8:3844::/64"), "BGP.Exchange", 3844),
        ExchangePrefix(Prefix.parse("2001:db8:2730::/64"), "LOCIX", 2730),
        ExchangePrefix(Prefix.parse("198.51.100.0/24"), "LOCIX", 2730),
    )
    assert config.peeringdb_ix_ids() == frozenset({3844, 2730})


def test_as214312_config_keeps_what_the_router_outputs_need(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, AS214312))

    assert config.local.name == "AS214312 Düsseldorf"
    he = config.peer(6939)
    assert he is not None and he.max_prefix == 200000
    assert [s.name for s in he.sessions] == ["he-bgpx", "he-locix"]
    assert he.sessions[0].neighbor == ipaddress.ip_address("2001:db8:3844::6939")
    assert he.sessions[0].exchange == "BGP.Exchange"
    assert config.exchanges[0].local_addresses == (ipaddress.ip_address("2001:db8:3844::214:312"),)
    assert config.peer(64999) is None


def test_defaults_are_the_values_of_the_specification(tmp_path: Path) -> None:
    policy = load_config(write_config(tmp_path, MINIMAL)).to_policy()

    assert policy == Policy(local_asn=214312)
    assert policy.families == frozenset({4, 6})
    assert policy.length_limits(4) == (8, 24)
    assert policy.length_limits(6) == (16, 48)
    assert policy.max_hops == 50
    assert (policy.unallocated_asn_first, policy.unallocated_asn_last) == (1000000, 4199999999)
    assert policy.irr_strict_origin is False
    assert (policy.as_set_max_depth, policy.as_set_max_members) == (10, 100000)
    assert (policy.check_afi, policy.check_first_as, policy.check_bogon_asn) == (
        True,
        False,
        False,
    )
    assert policy.peers == {} and policy.route_server_sessions == frozenset()
    assert policy.exchange_prefixes == ()


def test_minimal_config_has_no_sources_and_uses_the_builtin_bogons(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, MINIMAL))

    assert config.sources.all_paths() == ()
    assert config.sources.bogons is None
    assert config.exchanges == () and config.peers == ()
    assert config.peeringdb_ix_ids() == frozenset()


def test_relative_source_paths_are_taken_from_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "etc" / "routesieve"
    folder.mkdir(parents=True)
    path = write_config(folder, AS214312)
    monkeypatch.chdir(tmp_path)  # not the config folder: the working folder must not matter

    config = load_config(Path("etc/routesieve/routesieve.toml"))

    assert config.path == path
    assert config.sources.rpki == (folder / "data/vrps.json",)
    assert config.sources.irr == (folder / "data/ripe.db.route6.gz", Path("/srv/irr/radb.db.gz"))
    assert config.sources.iana_asn == (folder / "data/as-numbers.csv",)


def test_a_single_string_is_a_one_item_list_of_paths(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, AS214312))

    assert config.sources.rir == (tmp_path / "data/delegated-ripencc-extended-latest",)


def test_missing_source_files_are_left_to_the_data_loaders(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, AS214312))

    assert not any(p.exists() for p in config.sources.all_paths())


@pytest.mark.parametrize("written", ["214312", '"214312"', '"AS214312"', '"as214312"', '"3.17704"'])
def test_the_local_asn_may_be_written_as_number_or_text(tmp_path: Path, written: str) -> None:
    config = load_config(write_config(tmp_path, f"[local]\nasn = {written}\n"))

    assert config.local.asn == 214312


def test_the_loaded_config_cannot_be_changed(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, AS214312))

    assert isinstance(config, Config)
    with pytest.raises(FrozenInstanceError):
        config.peers = ()  # type: ignore[misc]
    with pytest.raises(ValueError, match="frozen"):
        config.local.asn = 1  # type: ignore[misc]


def test_aspa_check_and_the_customer_role_of_a_session_reach_the_policy(tmp_path: Path) -> None:
    text = MINIMAL + (
        "\n[policy.checks]\naspa = true\n\n[[peers]]\nasn = 3356\n"
        'sessions = [{ name = "transit-1", role = "customer" }, { name = "pni-1" }]\n'
    )
    policy = load_config(write_config(tmp_path, text)).to_policy()
    assert policy.check_aspa is True
    assert policy.customer_sessions == frozenset({"transit-1"})
    assert load_config(write_config(tmp_path, MINIMAL)).to_policy().check_aspa is False
