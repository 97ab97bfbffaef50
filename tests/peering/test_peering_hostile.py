"""Hostile PeeringDB records: a name that tries to end a TOML string or open a BIRD
protocol, an email address that carries a second header, an as-set with BIRD syntax,
an address with a newline. None of it reaches the configuration, BIRD or the email."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import bird_harness as h
from daemon_lab import install_debian
from peering_lab import config_copy, request_json, run
from peeringdb_replay import SYNTHETIC, PeeringDbReplay

from routesieve.config import load_config

EVIL_NAME = (
    'IONOS SE"\n[local]\nasn = 666\n'
    "protocol bgp evil {\n  neighbor 2001:db8::666 as 666;\n}\n# \u2028 \x1b[31m end"
)
EVIL_EMAIL = "policy@ionos.example\r\nBcc: victim@example.com"


def make_hostile(server: PeeringDbReplay) -> None:
    """IONOS SE (net 262) with hostile fields, written for the tests."""
    server.overlay(
        "net",
        {
            "id": 262,
            "name": EVIL_NAME,
            "irr_as_set": 'RIPE::AS-IONOS AS-EVIL";{ AS-ALSO\nprotocol',
            "policy_url": "javascript:alert(1)",
            "info_prefixes6": "1000; drop",
        },
    )
    server.overlay(
        "poc",
        {
            "id": 2621,
            "net_id": 262,
            "role": "Policy",
            "visible": "Public",
            "name": f"Policy ({SYNTHETIC})\r\nSubject: pwned",
            "email": EVIL_EMAIL,
        },
    )
    nix = server.find("netixlan", asn=8560, ix_id=18)[0]
    server.overlay("netixlan", {**nix, "ipaddr6": "2001:7f8:4::2170:1\n}"})


def test_hostile_strings_are_cleaned_in_the_request_report(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    make_hostile(peeringdb)
    doc = request_json(peeringdb, config_copy(tmp_path), "8560")

    assert doc["name"].startswith("IONOS SE' [local] asn = 666 protocol bgp evil {")
    assert not re.search(r'[\x00-\x1f\x7f"\\\u2028]', doc["name"])
    assert doc["as_sets_published"] == ["RIPE::AS-IONOS", "AS-ALSO"]
    assert doc["policy_url"] is None
    assert {s["peeringdb_ix"] for s in doc["sessions"]} == {31}  # the LINX address is bad
    assert {s["max_prefix"] for s in doc["sessions"]} == {20}  # no usable prefix count
    dropped = [n for n in doc["notes"] if n.startswith("PeeringDB entry dropped")]
    assert len(dropped) == 5  # two bad as-set words, the address, the URL, the email
    policy = next(c for c in doc["contacts"] if c["role"] == "Policy")
    assert policy["email"] is None and "\n" not in policy["name"]


def test_hostile_strings_do_not_reach_toml_bird_or_email_headers(
    peeringdb: PeeringDbReplay, tmp_path: Path
) -> None:
    install_debian(("bird2",), ("bird",))
    make_hostile(peeringdb)
    conf = config_copy(tmp_path)

    result = run(
        "peering", "accept", "8560", "--config", str(conf), "--peeringdb", peeringdb.base_url
    )

    assert result.exit_code == 0, result.output
    config = load_config(conf)
    assert config.local.asn == 214312 and [p.asn for p in config.peers] == [209001, 8560]
    assert len(re.findall(r"^\[local\]", conf.read_text(encoding="utf-8"), re.M)) == 1
    out = tmp_path / "bird"
    render = run(
        "render",
        "--target",
        "bird2",
        "--config",
        str(conf),
        "--routes",
        str(Path(__file__).parents[2] / "src/routesieve/data/example/routes.jsonl"),
        "--output",
        str(out),
    )
    assert render.exit_code == 0, render.output
    files = {f.name: f.read_text(encoding="utf-8") for f in out.glob("*.conf")}
    check = h.bird_check(h.main_conf(out, files))
    assert check.returncode == 0, check.stderr + check.stdout
    protocols = re.findall(r"^protocol bgp (\S+)", files["routesieve-sessions.conf"], re.M)
    assert "evil" not in protocols and len(protocols) == 3  # decix-1, IONOS twice at DE-CIX
    assert "2001:db8::666" not in "".join(
        line
        for line in files["routesieve-sessions.conf"].splitlines(keepends=True)
        if not line.lstrip().startswith(("#", "description"))
    )

    reply = result.stdout.split("# reply email (not sent)\n", 1)[1]
    headers = reply.split("\n\n", 1)[0]
    assert "victim" not in reply and "Bcc" not in headers and "pwned" not in headers
    msg = email.message_from_string(reply, policy=email.policy.default)
    assert msg["To"] == "noc@as8560.example.net"  # the hostile Policy address is dropped
    assert "\n" not in str(msg["Subject"]) and "Subject: pwned" not in headers
