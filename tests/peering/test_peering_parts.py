"""The pure parts of the peering workflow: cleaning, the decision's edge cases, the
request email, the configuration edit and the reply template."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from peering_lab import DATA

from routesieve.config import ConfigError, config_from_toml
from routesieve.peering.config_edit import EditError, add_peer, session_names
from routesieve.peering.message import request_asns, sender
from routesieve.peering.proposal import LocalExchange, Terms, propose, session_name
from routesieve.peering.record import peer_record
from routesieve.peering.reply import TemplateError, reply_email
from routesieve.peering.sanitize import as_set_names, email_address, ipv6_address, web_url

NET = {"id": 7, "asn": 65010, "name": "Example", "info_ipv6": True, "info_prefixes6": 8}
NIX = [{"ix_id": 31, "ipaddr6": "2001:7f8::fdf2:0:1", "ipaddr4": None}]
EXCHANGES = [LocalExchange("DE-CIX Frankfurt", 31, "2001:7f8::3:4528:1")]


def test_values_that_could_carry_syntax_are_refused() -> None:
    assert email_address("noc@example.net") == "noc@example.net"
    assert email_address("noc@example.net\r\nBcc: x@example.org") is None
    assert email_address("a@b.example>, <c@d.example") is None
    assert web_url("https://example.net/peering?x=1") == "https://example.net/peering?x=1"
    assert web_url("javascript:alert(1)") is None and web_url("https://a b") is None
    assert ipv6_address("2001:7f8::1\n") == "2001:7f8::1"  # surrounding space only
    assert ipv6_address("2001:7f8::1 }") is None and ipv6_address("80.81.192.1") is None
    assert as_set_names("RIPE::AS-X, AS65010:AS-Y AS-Z;") == (
        ("RIPE::AS-X", "AS65010:AS-Y"),
        ("AS-Z;",),
    )


def test_the_local_network_cannot_peer_with_itself() -> None:
    record = peer_record({**NET, "asn": 214312}, NIX, [])
    proposal = propose(214312, record, EXCHANGES, 214312, Terms())
    assert not proposal.eligible and "the local network itself" in proposal.reasons[0]


def test_session_names_avoid_those_already_configured() -> None:
    record = peer_record(NET, NIX, [])
    taken = frozenset({"de-cix-frankfurt-as65010"})
    proposal = propose(65010, record, EXCHANGES, 214312, Terms(), taken)
    assert [s.name for s in proposal.sessions] == ["de-cix-frankfurt-as65010-2"]
    assert session_name("Ünïcode IX!", 1, set()) == "n-code-ix-as1"


def test_the_max_prefix_is_the_count_times_the_margin_rounded_up() -> None:
    record = peer_record({**NET, "info_prefixes6": 101}, NIX, [])
    proposal = propose(65010, record, EXCHANGES, 214312, Terms(1.2, 10))
    assert proposal.max_prefix == 122


def test_the_asn_of_a_request_email() -> None:
    mail = "From: A <a@example.net>\nSubject: peering AS214312\n\nWe are ASN: 65010, AS 65011."
    assert request_asns(mail, 214312) == (65010, 65011)
    assert request_asns("plain text naming as65012 only", 214312) == (65012,)
    assert sender(mail) == "a@example.net"
    assert sender("From: x\n\nbody") is None


def test_a_file_without_peers_gets_its_first_peers_table(tmp_path: Path) -> None:
    text = "# mine\n[local]\nasn = 214312\nfamilies = ['ipv6']\n\n[[exchanges]]\n"
    text += 'name = "DE-CIX Frankfurt"\npeeringdb_ix = 31\n'
    proposal = propose(65010, peer_record(NET, NIX, []), EXCHANGES, 214312, Terms())
    edited = add_peer(text, proposal, "PeeringDB net 7")
    config = config_from_toml(tomllib.loads(edited), tmp_path / "c.toml")
    assert edited.startswith(text) and config.peers[0].sessions[0].name in session_names(edited)


def test_an_inline_peers_array_is_left_to_the_operator() -> None:
    text = "peers = []\n\n[local]\nasn = 214312\n"
    proposal = propose(65010, peer_record(NET, NIX, []), EXCHANGES, 214312, Terms())
    with pytest.raises(EditError, match="inline array"):
        add_peer(text, proposal, "x")


def test_a_broken_reply_template_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.j2").write_text("{% for %}", encoding="utf-8")
    proposal = propose(65010, peer_record(NET, NIX, []), EXCHANGES, 214312, Terms())
    with pytest.raises(TemplateError, match=r"bad\.j2: not a usable Jinja2 template"):
        reply_email(
            proposal,
            local_asn=214312,
            local_name=None,
            from_address=None,
            template=tmp_path / "bad.j2",
        )


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('email = "peering at example"', "not an email address"),
        ("max_prefix_margin = 0.5", "greater than or equal to 1"),
        ('max_prefix_margin = "1.2"', "number"),
        ("direct = 1", "must be true or false"),
    ],
)
def test_bad_peering_settings_are_refused(tmp_path: Path, line: str, said: str) -> None:
    text = (DATA / "routesieve.toml").read_text(encoding="utf-8") + line + "\n"
    text = text.replace('email = "peering@as214312.de"\n', "", 1) if "email" in line else text
    text = text.replace("max_prefix_margin = 1.5\n", "", 1) if "margin" in line else text
    with pytest.raises(ConfigError) as err:
        config_from_toml(tomllib.loads(text), tmp_path / "c.toml")
    assert f"peering.{line.split(' ')[0]}" in str(err.value) and said in str(err.value)


def test_a_direct_peering_proposal_adds_the_peer_without_sessions(tmp_path: Path) -> None:
    record = peer_record(NET, [{"ix_id": 99, "ipaddr6": "2001:db8::1"}], [])
    proposal = propose(65010, record, EXCHANGES, 214312, Terms(direct=True))
    text = (DATA / "routesieve.toml").read_text(encoding="utf-8")

    edited = add_peer(text, proposal, "PeeringDB net 7")
    config = config_from_toml(tomllib.loads(edited), tmp_path / "c.toml")
    reply = reply_email(proposal, local_asn=214312, local_name=None, from_address=None)

    peer = config.peer(65010)
    assert proposal.direct and peer is not None and peer.sessions == ()
    assert "# direct peering: add the session once the link is agreed" in edited
    assert "we propose direct peering" in reply.get_content()
