"""A configuration that cannot be used is refused with every problem, file and key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from config_samples import AS214312, write_config

from routesieve.config import ConfigError, load_config


def problems_of(tmp_path: Path, text: str) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, text))
    problems = caught.value.problems
    assert problems, "a ConfigError must carry at least one problem"
    shown = str(tmp_path / "routesieve.toml")
    assert all(p.startswith(f"{shown}: ") for p in problems), problems
    return tuple(p.removeprefix(f"{shown}: ") for p in problems)


def test_every_problem_is_listed_at_once_with_its_key_path(tmp_path: Path) -> None:
    text = """\
[local]
asn = 0
families = ["ipv6", "ipx"]

[policy]
ipv4_min_length = "8"
ipv6_max_length = 129

[[exchanges]]
name = "LOCIX"
prefixes = ["2001:db8:2730::/64", "not-a-prefix"]

[[peers]]
asn = 65001
sessions = [{ name = "a" }, { name = "b", route_server = "yes" }]

[[peers]]
asn = 65002
sessions = [{ name = "a", exchange = "DE-CIX" }]

[sources]
rpki = "whois://rpki.example"
"""
    problems = problems_of(tmp_path, text)

    assert problems == (
        "local.asn: AS 0 is reserved and cannot be a BGP speaker (RFC 7607)",
        "local.families[1]: must be 'ipv4' or 'ipv6', not a string ('ipx')",
        "policy.ipv4_min_length: must be an integer, not a string ('8')",
        "policy.ipv6_max_length: must be less than or equal to 128, not 129",
        "exchanges[0].prefixes[1]: not an IP prefix: 'not-a-prefix'; write e.g. '2001:db8::/64'",
        "peers[0].sessions[1].route_server: must be true or false, not a string ('yes')",
        "peers[1].sessions[0].name: session name 'a' is already used by peers[0].sessions[0]; "
        "session names must be unique in the whole file",
        "peers[1].sessions[0].exchange: no [[exchanges]] entry is named 'DE-CIX' "
        "(configured: 'LOCIX')",
        "sources.rpki: 'whois://rpki.example': this key takes a file path or a URL of "
        "https://, http://, rtr://, rtrs://, rtr+ssh://, not whois://",
    )


def test_config_error_reads_as_a_list(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, '[local]\nasn = "x"\nfoo = 1\n'))

    text = str(caught.value)
    assert text.startswith("2 problems in the configuration:\n  ")
    assert text.splitlines()[1:] == [f"  {p}" for p in caught.value.problems]


def test_an_unknown_key_is_named_with_the_keys_allowed_there(tmp_path: Path) -> None:
    text = AS214312.replace("route_server = true", 'route_server = true\nneighbour = "2001:db8::1"')

    assert problems_of(tmp_path, text) == (
        "peers[1].sessions[0].neighbour: unknown key 'neighbour' "
        "(allowed here: name, route_server, exchange, neighbor, role)",
    )


def test_an_unknown_top_level_table_is_refused(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, AS214312 + '\n[output]\n"bird dir" = "/etc/bird"\n')

    assert problems == (
        "output: unknown key 'output' (allowed here: local, policy, exchanges, peers, "
        "sources, routers, collect, peering, sync, render, run, serve, cluster)",
    )


def test_switching_off_x_malformed_is_refused_with_the_reason(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, "[local]\nasn = 214312\n[policy.checks]\nmalformed = false\n")

    assert len(problems) == 1
    assert problems[0].startswith("policy.checks.malformed: unknown key 'malformed': ")
    assert "X-MALFORMED cannot be switched off" in problems[0]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2001:db8:2730::1/64", "has host bits set; the network is 2001:db8:2730::/64"),
        ("2001:db8:2730::", "not an IP prefix: '2001:db8:2730::'"),
        ("10.0.0.0/33", "not an IP prefix: '10.0.0.0/33'"),
        ("10.0.0.0/255.0.0.0", "not an IP prefix"),
        ("10.0.0.010/32", "not an IP prefix"),
    ],
)
def test_a_bad_exchange_prefix_is_refused(tmp_path: Path, written: str, expected: str) -> None:
    text = AS214312.replace('"2001:db8:2730::/64"', f'"{written}"')

    (problem,) = problems_of(tmp_path, text)
    assert problem.startswith("exchanges[1].prefixes[0]: ")
    assert expected in problem


def test_a_bad_local_address_is_refused(tmp_path: Path) -> None:
    text = AS214312.replace('"2001:db8:3844::214:312"', '"2001:db8:3844::/64"')

    assert problems_of(tmp_path, text) == (
        "exchanges[0].local_addresses[0]: '2001:db8:3844::/64' is a prefix; "
        "write the address alone, without '/'",
    )


def test_duplicate_session_names_are_refused_across_peers(tmp_path: Path) -> None:
    text = AS214312.replace('name = "locix-rs1"', 'name = "he-bgpx"')

    assert problems_of(tmp_path, text) == (
        "peers[1].sessions[0].name: session name 'he-bgpx' is already used by "
        "peers[0].sessions[0]; session names must be unique in the whole file",
    )


def test_a_peer_as_configured_twice_is_refused(tmp_path: Path) -> None:
    text = AS214312.replace('asn = "AS65010"', "asn = 6939")

    (problem,) = problems_of(tmp_path, text)
    assert problem.startswith("peers[2].asn: AS6939 is already configured as peers[0]")


def test_exchange_names_and_peeringdb_ids_are_unique(tmp_path: Path) -> None:
    text = AS214312.replace(
        'name = "LOCIX"\npeeringdb_ix = 2730', 'name = "BGP.Exchange"\npeeringdb_ix = 3844'
    )

    assert problems_of(tmp_path, text) == (
        "exchanges[1].name: 'BGP.Exchange' is already the name of exchanges[0]",
        "exchanges[1].peeringdb_ix: PeeringDB ix 3844 is already configured as exchanges[0]",
        "peers[0].sessions[1].exchange: no [[exchanges]] entry is named 'LOCIX' "
        "(configured: 'BGP.Exchange')",
        "peers[1].sessions[0].exchange: no [[exchanges]] entry is named 'LOCIX' "
        "(configured: 'BGP.Exchange')",
    )


def test_an_ipv4_neighbor_on_an_ipv6_only_network_is_refused(tmp_path: Path) -> None:
    text = AS214312.replace('neighbor = "2001:db8:2730::1"', 'neighbor = "198.51.100.1"')

    (problem,) = problems_of(tmp_path, text)
    assert problem.startswith(
        "peers[1].sessions[0].neighbor: '198.51.100.1' is an IPv4 address, but local.families "
        "enables only ipv6: "
    )


def test_an_ipv4_neighbor_is_fine_when_ipv4_is_enabled(tmp_path: Path) -> None:
    text = AS214312.replace('families = ["ipv6"]', 'families = ["ipv6", "ipv4"]').replace(
        'neighbor = "2001:db8:2730::1"', 'neighbor = "198.51.100.1"'
    )

    config = load_config(write_config(tmp_path, text))
    assert config.to_policy().families == frozenset({4, 6})


@pytest.mark.parametrize(
    "hostile",
    [
        'AS-FOO\\"; drop',
        "AS-FOO; AS-BAR",
        "AS-FOO AS-BAR",
        "AS-FOO\\nprotocol bgp evil",
        "AS-FOO\\n",
        "AS-FOO'",
        "AS-FOO}",
        "AS-FOO#",
        "AS-F\\u00d6O",
        "",
        "FOO",
        "AS-",
        "RIPE:AS-FOO",
        "AS65001:FOO",
        "::AS-FOO",
    ],
)
def test_a_hostile_or_malformed_as_set_name_is_refused(tmp_path: Path, hostile: str) -> None:
    text = AS214312.replace('"AS-EXAMPLE"', f'"{hostile}"')

    (problem,) = problems_of(tmp_path, text)
    assert problem.startswith("peers[2].as_sets[1]: not an as-set name: ")
    assert "copied into router configuration" in problem


@pytest.mark.parametrize(
    "name",
    ["AS-FOO", "as-foo", "RIPE::AS-FOO", "RIPE-NONAUTH::AS-FOO", "AS65001:AS-FOO", "AS65001"],
)
def test_as_set_names_in_every_documented_form_are_accepted(tmp_path: Path, name: str) -> None:
    config = load_config(write_config(tmp_path, AS214312.replace('"AS-EXAMPLE"', f'"{name}"')))

    assert config.to_policy().peer(65010).as_sets[1] == name


def test_a_hostile_session_name_is_refused(tmp_path: Path) -> None:
    text = AS214312.replace('name = "locix-rs1"', 'name = "rs1 } protocol evil {"')

    (problem,) = problems_of(tmp_path, text)
    assert problem.startswith("peers[1].sessions[0].name: not a session name: ")


def test_a_peer_name_with_a_newline_is_refused(tmp_path: Path) -> None:
    text = AS214312.replace('name = "Hurricane Electric"', 'name = "HE\\n}"')

    (problem,) = problems_of(tmp_path, text)
    assert problem.startswith("peers[0].name: contains '\\n': control characters")


def test_a_toml_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    text = "[local]\nasn = 214312\nfamilies = [ipv6]\n"

    assert problems_of(tmp_path, text) == ("line 3, column 13: TOML syntax error: Invalid value",)


def test_a_key_given_twice_is_a_syntax_error(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, "[local]\nasn = 1\nasn = 2\n")

    assert problem.startswith("line 3, column ")


def test_min_length_above_max_length_is_refused(tmp_path: Path) -> None:
    text = "[local]\nasn = 214312\n[policy]\nipv6_min_length = 64\n"

    assert problems_of(tmp_path, text) == (
        "policy.ipv6_min_length: ipv6_min_length (64) is greater than ipv6_max_length (48); "
        "it must not be",
    )


def test_families_must_be_a_non_empty_list_without_repeats(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "[local]\nasn = 1\nfamilies = []\n") == (
        "local.families: must not be empty",
    )
    assert problems_of(tmp_path, '[local]\nasn = 1\nfamilies = ["ipv6", "ipv6"]\n') == (
        "local.families: ipv6 is listed more than once",
    )
    assert problems_of(tmp_path, '[local]\nasn = 1\nfamilies = "ipv6"\n') == (
        "local.families: must be an array, not a string ('ipv6')",
    )


def test_required_keys_are_named_when_missing(tmp_path: Path) -> None:
    text = "[[exchanges]]\npeeringdb_ix = 3844\n[[peers]]\nsessions = [{ route_server = true }]\n"

    assert problems_of(tmp_path, text) == (
        "local: required key is missing",
        "exchanges[0].name: required key is missing",
        "peers[0].asn: required key is missing",
        "peers[0].sessions[0].name: required key is missing",
    )


def test_a_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml")

    assert caught.value.problems == (
        f"{tmp_path / 'nope.toml'}: the configuration file does not exist",
    )


def test_router_entries_need_the_address_of_their_kind(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(
        "[local]\nasn = 214312\n"
        '[[routers]]\nname = "edge1"\nkind = "bird"\nlisten = "[::1]:11019"\n'
        '[[routers]]\nname = "edge1"\nkind = "bmp"\nlisten = "nowhere"\n'
        '[[routers]]\nname = "edge3"\nkind = "ospf"\npath = "x.mrt"\n'
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert "routers[0]" in text and "a 'bird' router needs 'socket'" in text
    assert "listen must be host:port" in text
    assert "routers[1].name: router name 'edge1' is used twice" in text
    assert "routers[2].kind" in text


def test_collect_folder_is_taken_from_the_config_folder(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[local]\nasn = 214312\n[collect]\nfolder = "state/routes"\n')
    assert load_config(path).collect_dir == tmp_path / "state" / "routes"
    path.write_text("[local]\nasn = 214312\n")
    assert load_config(path).collect_dir == tmp_path / "collected"


def test_a_session_role_other_than_peer_customer_or_provider_is_refused(tmp_path: Path) -> None:
    text = (
        '[local]\nasn = 214312\n\n[[peers]]\nasn = 3356\nsessions = [{ name = "t", '
        'role = "upstream" }]\n'
    )
    assert problems_of(tmp_path, text) == (
        "peers[0].sessions[0].role: must be 'peer', 'customer' or 'provider', "
        "not a string ('upstream')",
    )


def test_frr_and_openbgpd_routers_take_only_their_own_keys(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(
        "[local]\nasn = 214312\n"
        '[[routers]]\nname = "edge1"\nkind = "frr"\nsocket = "/run/bird.ctl"\n'
        '[[routers]]\nname = "edge2"\nkind = "openbgpd"\nvtysh = "vtysh"\n'
        '[[routers]]\nname = "edge3"\nkind = "frr"\nvtysh = "sudo \'vtysh"\n'
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    text = str(err.value)
    assert (
        "routers[0]" in text and "a 'frr' router takes 'vty_socket' or 'vtysh', not socket" in text
    )
    assert "a 'openbgpd' router takes 'socket', not vtysh" in text
    assert "routers[2]" in text and "vtysh cannot be split into words" in text


def test_frr_and_openbgpd_routers_need_no_keys_beyond_their_kind(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text(
        "[local]\nasn = 214312\n"
        '[[routers]]\nname = "edge1"\nkind = "frr"\n'
        '[[routers]]\nname = "edge2"\nkind = "openbgpd"\n'
    )
    routers = load_config(path).routers
    assert [(r.kind, r.vtysh, r.socket) for r in routers] == [
        ("frr", None, None),
        ("openbgpd", None, None),
    ]
