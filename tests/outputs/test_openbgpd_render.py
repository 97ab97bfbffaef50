"""OpenBGPD output: golden files, ``bgpd -n``, hostile peer names."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from daemon_harness import (
    ensure_daemons,
    example_policy,
    large_policy,
    openbgpd_check,
    openbgpd_full,
)

from routesieve.outputs.openbgpd import render_openbgpd

GOLDEN = Path(__file__).parent / "golden" / "openbgpd"
HOSTILE = 'Evil"\n}\nneighbor 192.0.2.66 { remote-as 66 }\nallow from any \\ $x # ` ; {}'


@pytest.fixture(scope="session", autouse=True)
def daemons() -> None:
    ensure_daemons()


def test_golden_example(tmp_path: Path) -> None:
    _, rp = example_policy(tmp_path)
    files = render_openbgpd(rp)
    assert render_openbgpd(rp) == files  # deterministic
    assert set(files) == {"sets.conf", "sessions.conf", "filters.conf"}
    for name, text in files.items():
        text = text.replace(str(tmp_path), "<example>")
        golden = GOLDEN / name
        if os.environ.get("ROUTESIEVE_UPDATE_GOLDEN") == "1":
            golden.write_text(text, encoding="utf-8")
        assert text == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_bgpd_accepts_the_example(tmp_path: Path) -> None:
    _, rp = example_policy(tmp_path)
    ok, out = openbgpd_check(openbgpd_full(render_openbgpd(rp), rp.local_asn))
    assert ok, out


def test_bgpd_accepts_a_large_dual_stack_case() -> None:
    rp = large_policy()
    files = render_openbgpd(rp)
    assert files["sets.conf"].count("\n") > 10_000
    ok, out = openbgpd_check(openbgpd_full(files, rp.local_asn))
    assert ok, out


@pytest.mark.parametrize(
    "broken",
    [
        "allow from AS 209001 prefix-set no_such_set\n",
        "neighbor fd00:5::99 {\n\tremote-as 1\n\tbogus yes\n}\n",
    ],
)
def test_bgpd_check_fails_on_a_broken_file(tmp_path: Path, broken: str) -> None:
    _, rp = example_policy(tmp_path)
    ok, out = openbgpd_check(openbgpd_full(render_openbgpd(rp), rp.local_asn) + broken)
    assert not ok, out


def test_hostile_peer_name_stays_in_its_string(tmp_path: Path) -> None:
    # the configuration refuses such names; the renderer must hold on its own
    _, rp = example_policy(tmp_path)
    peers = tuple(replace(p, name=HOSTILE) if p.asn == 209001 else p for p in rp.peers)
    rp = replace(rp, peers=peers)
    text = openbgpd_full(render_openbgpd(rp), rp.local_asn)
    for line in text.splitlines():
        if "Evil" in line:
            assert line.lstrip().startswith(("#", 'descr "')), line
            assert line.count('"') in (0, 2) and "\\" not in line, line
    assert "192.0.2.66 {" not in text
    ok, out = openbgpd_check(text)
    assert ok, out
    ok, out = openbgpd_check(text + "neighbor 192.0.2.66 { remote-as 66 }\n")
    assert ok  # a real neighbour block would parse: the name did not become one
