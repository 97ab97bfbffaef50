"""BIRD 2 output: golden files, ``bird -p`` on the example and on a large generated
policy, determinism, and peer or as-set names that try to break out of their string."""

from __future__ import annotations

import os
import random
import re
import time
from dataclasses import replace
from pathlib import Path

import bird_harness as h
import pytest

from routesieve.engine.paths import BOGON_ASN_RANGES
from routesieve.model import Prefix
from routesieve.outputs.bird import FILTERS_FILE, SESSIONS_FILE, render_bird2
from routesieve.outputs.filterspec import (
    Guard,
    PeerFilter,
    RoaEntry,
    RouterPolicy,
    SessionSpec,
    router_policy,
)
from routesieve.policy import PeerPolicy, Policy
from routesieve.snapshot import Provenance, Snapshot

GOLDEN = Path(__file__).parent / "golden" / "bird2"
NEIGHBORS = {  # the example has none; locix-2 keeps none, to show the comment
    "bgpx-1": "2a0e:8aff::20:9001",
    "locix-1": "2001:7f8:f2:e1::20:9001",
    "locix-rs": "2001:7f8:f2:e1::1",
}


@pytest.fixture(scope="module")
def daemons() -> None:
    h.require_daemons()


def _example_files(folder: Path) -> dict[str, str]:
    ex = h.example(folder, NEIGHBORS)
    return {
        name: text.replace(str(folder), "<example>")
        for name, text in render_bird2(ex.policy).items()
    }


def test_example_matches_the_golden_files(tmp_path: Path) -> None:
    files = _example_files(tmp_path / "example")
    assert sorted(files) == [FILTERS_FILE, SESSIONS_FILE]
    if os.environ.get("ROUTESIEVE_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (GOLDEN / name).write_text(text, encoding="utf-8")
    for name, text in files.items():
        golden = GOLDEN / name
        assert golden.exists(), f"{golden} missing: run with ROUTESIEVE_UPDATE_GOLDEN=1"
        assert text == golden.read_text(encoding="utf-8"), (
            f"{name} differs from {golden}; if the change is intended, "
            "run with ROUTESIEVE_UPDATE_GOLDEN=1 and review the diff"
        )


def test_example_passes_bird_check(daemons: None, tmp_path: Path) -> None:
    ex = h.example(tmp_path / "example", NEIGHBORS)
    files = render_bird2(ex.policy)
    text = files[SESSIONS_FILE]
    assert text.count("protocol bgp ") == 3
    assert "# not rendered: the configuration gives no neighbor address" in text
    assert "filter peer_as209001_in" in files[FILTERS_FILE]
    done = h.bird_check(h.main_conf(tmp_path / "bird", files))
    assert done.returncode == 0, done.stderr + done.stdout
    # usable on its own, without the sessions
    alone = h.bird_check(h.main_conf(tmp_path / "alone", {FILTERS_FILE: files[FILTERS_FILE]}))
    assert alone.returncode == 0, alone.stderr + alone.stdout


def _large_policy(seed: int = 20261126) -> RouterPolicy:
    rng = random.Random(seed)

    def v6(length: int) -> Prefix:
        return Prefix.from_address(6, (0x2A0E << 112) | rng.getrandbits(96) << 16, length)

    def v4(length: int) -> Prefix:
        return Prefix.from_address(4, rng.randrange(1 << 24, 223 << 24), length)

    peers = []
    for i in range(400):
        asn = 200_000 + i * 7
        accept = tuple({v6(rng.choice((32, 40, 48))) for _ in range(rng.randrange(0, 12))})
        accept += tuple({v4(rng.choice((16, 20, 24))) for _ in range(rng.randrange(0, 6))})
        rs = i % 25 == 0
        members = (
            tuple((300_000 + i * 50 + k, tuple({v6(36) for _ in range(5)})) for k in range(30))
            if rs
            else ()
        )
        sessions = tuple(
            SessionSpec(
                f"ix{k}-as{asn}",
                None if k == 2 else (f"2001:7f8:{k}::{i:x}" if k == 0 else f"185.1.{k}.{i % 250}"),
                f"IX {k}",
                rs,
            )
            for k in range(rng.randrange(1, 4))
        )
        peers.append(
            PeerFilter(
                asn,
                f"Peer {i}",
                tuple(sorted(set(accept))),
                members,
                sessions,
                rng.choice((None, 100, 5000)),
                rs,
            )
        )
    roas = tuple(
        RoaEntry(p, min(p.bits, p.length + rng.randrange(0, 9)), rng.randrange(1, 400_000))
        for p in (v6(32) if k % 3 else v4(20) for k in range(40_000))
    )
    guard = Guard(
        families=frozenset({4, 6}),
        ipv4_length=(8, 24),
        ipv6_length=(16, 48),
        max_hops=50,
        bogons=(Prefix.parse("10.0.0.0/8"), Prefix.parse("192.0.2.0/24"), Prefix.parse("::/3")),
        exchange_prefixes=(Prefix.parse("2001:7f8::/32"), Prefix.parse("185.1.0.0/16")),
        unallocated_asns=((1_000_000, 1_099_999), (1_200_000, 4_199_999_999)),
        bogon_asns=tuple((a, b) for a, b, _ in BOGON_ASN_RANGES),
        check_first_as=True,
    )
    prov = (Provenance("rpki", "/data/vrps.json", "2026-11-26T00:00:00Z", len(roas)),)
    return RouterPolicy(214312, guard, roas, tuple(peers), prov)


def test_large_policy_passes_bird_check(daemons: None, tmp_path: Path) -> None:
    rp = _large_policy()
    started = time.monotonic()
    files = render_bird2(rp)
    assert time.monotonic() - started < 30
    assert files[FILTERS_FILE].count("\n  route ") == len({*rp.roas})
    assert files[FILTERS_FILE].count("\nfilter peer_as") == len(rp.peers)
    assert "ipv4 {" in files[SESSIONS_FILE]
    done = h.bird_check(h.main_conf(tmp_path / "bird", files))
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]


def test_same_input_same_bytes_whatever_the_order() -> None:
    rp = _large_policy(7)
    shuffled = replace(
        rp,
        roas=tuple(reversed(rp.roas)),
        peers=tuple(reversed(rp.peers)),
        provenance=tuple(reversed(rp.provenance)),
    )
    assert render_bird2(rp) == render_bird2(rp) == render_bird2(shuffled)


HOSTILE = (
    'Evil" ; } protocol static pwn { ipv6; route ::/0 blackhole; } /* x */ # \n'
    'include "/etc/shadow";\r\n\x00\u2028 \\" }; protocol bgp pwn2 { */'
)


def _hostile_policy() -> RouterPolicy:
    policy = Policy(
        local_asn=214312,
        families=frozenset({6}),
        peers={65001: PeerPolicy(65001, HOSTILE, (f"RIPE::AS-{HOSTILE}",))},
    )
    snapshot = Snapshot(as_of=0)
    sessions = {
        65001: (
            SessionSpec(HOSTILE, "2001:db8::1", HOSTILE, False),
            SessionSpec("second", "2001:db8::2", None, False),
            SessionSpec(f"x{HOSTILE}", "::1\n}; protocol pwn3", HOSTILE, True),
        )
    }
    rp = router_policy([], policy, snapshot, sessions, {65001: 10})
    prov = Provenance(HOSTILE, f"/data/{HOSTILE}.json", HOSTILE, 1, HOSTILE)
    return replace(rp, provenance=(prov,))


def test_hostile_names_cannot_break_out(daemons: None, tmp_path: Path) -> None:
    files = render_bird2(_hostile_policy())
    done = h.bird_check(h.main_conf(tmp_path / "bird", files))
    assert done.returncode == 0, done.stderr + done.stdout
    text = "\n".join(files.values())
    assert "Evil" in text  # the name is shown, in comments and the description
    for line in text.splitlines():
        code = line.strip()
        assert "/*" not in code and "*/" not in code, line
        if code.startswith("#") or not code:
            continue
        if code.startswith("protocol bgp "):  # the symbol: a closed alphabet, nothing to escape
            assert re.fullmatch(r"protocol bgp [a-z0-9_]+ \{", code), line
            continue
        if code.startswith("description "):
            assert re.fullmatch(r'description "[^"\\]*";', code), line
            continue
        for word in ("pwn", "Evil", "shadow", "blackhole", "RIPE::AS-"):
            assert word not in code, line
    assert "RIPE::AS-" not in text  # as-set names are not written at all
    sessions = files[SESSIONS_FILE]
    assert sessions.count("\nprotocol bgp ") == 2
    assert "# not rendered: the neighbor address" in sessions
    assert re.search(r"^protocol bgp rs_as65001_evil_protocol_static_pwn_", sessions, re.M)
