"""`routesieve peering accept`: a minimal edit of the configuration that keeps its
comments and loads, BIRD accepting what `render` then writes, and the reply email."""

from __future__ import annotations

import difflib
import email
import email.policy
from pathlib import Path

import bird_harness as h
from daemon_lab import install_debian
from peering_lab import OUR_LINX_ADDRESS, add_local_network, config_copy, run
from peeringdb_replay import PeeringDbReplay

from routesieve.config import load_config

EXAMPLE_ROUTES = Path(__file__).resolve().parents[2] / "src/routesieve/data/example/routes.jsonl"


def accept(server: PeeringDbReplay, config: Path, *args: str) -> tuple[int, str, str]:
    result = run(
        "peering", "accept", *args, "--config", str(config), "--peeringdb", server.base_url
    )
    return result.exit_code, result.stdout, result.stderr


def reply_of(output: str) -> email.message.EmailMessage:
    text = output.split("# reply email (not sent)\n", 1)[1]
    msg = email.message_from_string(text, policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def rendered_bird(config: Path, folder: Path) -> dict[str, str]:
    result = run(
        "render",
        "--target",
        "bird2",
        "--config",
        str(config),
        "--routes",
        str(EXAMPLE_ROUTES),
        "--output",
        str(folder),
    )
    assert result.exit_code == 0, result.output
    return {f.name: f.read_text(encoding="utf-8") for f in folder.glob("*.conf")}


def test_accept_adds_the_peer_keeping_every_line_and_comment(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    add_local_network(peeringdb)
    conf = config_copy(tmp_path)
    before = conf.read_text(encoding="utf-8")

    code, out, err = accept(peeringdb, conf, "8560")

    assert code == 0, err
    after = conf.read_text(encoding="utf-8")
    ops = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines()).get_opcodes()
    assert [op for op, *_ in ops if op != "equal"] == ["insert"]  # only lines added
    config = load_config(conf)
    peer = config.peer(8560)
    assert peer is not None and peer.name == "IONOS SE" and peer.max_prefix == 1500
    assert peer.as_sets == ()  # rule 1.1: not used unless they ask
    assert [(s.name, s.exchange, str(s.neighbor)) for s in peer.sessions] == [
        ("de-cix-frankfurt-as8560", "DE-CIX Frankfurt", "2001:7f8::2170:0:1"),
        ("de-cix-frankfurt-as8560-2", "DE-CIX Frankfurt", "2001:7f8::2170:0:2"),
        ("linx-lon1-as8560", "LINX LON1", "2001:7f8:4::2170:1"),
    ]
    assert "# added by 'routesieve peering accept' from PeeringDB net 262" in after
    assert "+protocol bgp rs_as8560_de_cix_frankfurt_as8560 {" in out
    assert "+  neighbor 2001:7f8:4::2170:1 as 8560;" in out
    assert "+    receive limit 1500 action restart;" in out


def test_the_rendered_configuration_passes_real_bird(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    install_debian(("bird2",), ("bird",))
    conf = config_copy(tmp_path)
    assert accept(peeringdb, conf, "8560")[0] == 0
    assert accept(peeringdb, conf, "8763")[0] == 0

    files = rendered_bird(conf, tmp_path / "bird")
    check = h.bird_check(h.main_conf(tmp_path / "bird", files))

    assert check.returncode == 0, check.stderr + check.stdout
    sessions = files["routesieve-sessions.conf"]
    assert "neighbor 2001:7f8::2170:0:2 as 8560;" in sessions
    assert "neighbor 2001:7f8::223b:0:1 as 8763;" in sessions
    assert "filter peer_as8763_in" in files["routesieve-filters.conf"]


def test_the_reply_names_sessions_addresses_and_what_to_filter(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    add_local_network(peeringdb)
    code, out, err = accept(peeringdb, config_copy(tmp_path), "8560")
    assert code == 0, err

    msg = reply_of(out)
    body = msg.get_content()
    assert msg["To"] == "policy@as8560.example.net"  # the Policy contact first
    assert msg["Cc"] == "noc@as8560.example.net"
    assert msg["From"] == "AS214312 <peering@as214312.de>"
    assert msg["Subject"] == "Peering AS214312 - AS8560 IONOS SE"
    assert "your address:  2001:7f8:4::2170:1 (AS8560)" in body
    assert f"our address:   {OUR_LINX_ADDRESS} (AS214312)" in body
    assert "https://www.peeringdb.com/asn/214312" in body
    assert "accept from us only IPv6 routes originated by\nAS214312" in body
    assert "RIPE::AS-IONOS" in body


def test_the_reply_goes_to_the_requester_and_uses_the_operators_template(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    (tmp_path / "reply.j2").write_text(
        "Hi {{ peer_name }}: {% for s in sessions %}{{ s.peer_address }} {% endfor %}\n",
        encoding="utf-8",
    )
    conf = config_copy(tmp_path, 'reply_template = "reply.j2"\n')
    mail = tmp_path / "request.eml"
    mail.write_text("From: Ops <ops@denic.example>\n\nPlease peer with AS8763.\n")

    code, out, err = accept(peeringdb, conf, "8763", "--message", str(mail))

    assert code == 0, err
    msg = reply_of(out)
    assert msg["To"] == "ops@denic.example"
    assert msg.get_content() == "Hi DENIC eG: 2001:7f8::223b:0:1 \n"


def test_a_peer_already_configured_is_refused_and_nothing_written(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    conf = config_copy(tmp_path)
    assert accept(peeringdb, conf, "8763")[0] == 0
    edited = conf.read_bytes()

    code, _, err = accept(peeringdb, conf, "AS8763")

    assert code == 2 and "AS8763 is already configured as a peer" in err
    assert conf.read_bytes() == edited


def test_a_refused_network_is_not_added(peeringdb: PeeringDbReplay, tmp_path: Path) -> None:
    conf = config_copy(tmp_path)
    before = conf.read_bytes()
    code, _, err = accept(peeringdb, conf, "34746")
    assert code == 1 and "IPv4-only" in err
    assert conf.read_bytes() == before


def test_a_dry_run_writes_nothing(peeringdb: PeeringDbReplay, tmp_path: Path) -> None:
    conf = config_copy(tmp_path)
    before = conf.read_bytes()
    code, out, _ = accept(peeringdb, conf, "8763", "--dry-run")
    assert code == 0 and "+asn = 8763" in out
    assert conf.read_bytes() == before
