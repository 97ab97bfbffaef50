"""FRR output: golden files, FRR's own configuration check, hostile peer names."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from daemon_harness import (
    ensure_daemons,
    example_policy,
    frr_check,
    frr_full,
    large_policy,
)

from routesieve.outputs.filterspec import RouterPolicy
from routesieve.outputs.frr import range_patterns, render_frr, safe_text

GOLDEN = Path(__file__).parent / "golden" / "frr"


@pytest.fixture(scope="session", autouse=True)
def daemons() -> None:
    ensure_daemons()


def _normalise(text: str, folder: Path) -> str:
    return text.replace(str(folder), "<example>")


def test_golden_example(tmp_path: Path) -> None:
    _, rp = example_policy(tmp_path)
    files = render_frr(rp)
    assert render_frr(rp) == files  # deterministic
    for name, text in files.items():
        text = _normalise(text, tmp_path)
        golden = GOLDEN / name
        if os.environ.get("ROUTESIEVE_UPDATE_GOLDEN") == "1":
            golden.write_text(text, encoding="utf-8")
        assert text == golden.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_frr_accepts_the_example(tmp_path: Path) -> None:
    _, rp = example_policy(tmp_path)
    ok, out = frr_check(frr_full(render_frr(rp), rp.local_asn))
    assert ok, out


def test_frr_grammar_accepts_a_large_dual_stack_case() -> None:
    rp = large_policy()
    files = render_frr(rp)
    assert files["filters.conf"].count("\n") > 10_000
    ok, out = frr_check(frr_full(files, rp.local_asn), bgpd=False)
    assert ok, out


def test_frr_bgpd_accepts_a_mid_sized_dual_stack_case() -> None:
    rp = large_policy(peers=6, roas=120)
    ok, out = frr_check(frr_full(render_frr(rp), rp.local_asn))
    assert ok, out


@pytest.mark.parametrize(
    "broken",
    [
        "route-map peer_as209001_in permit 20\n match bogus-thing 1\nexit\n",  # grammar
        "router bgp 214312\n neighbor fd00:5::99 description no remote-as first\nexit\n",
    ],
)
def test_frr_check_fails_on_a_broken_file(tmp_path: Path, broken: str) -> None:
    _, rp = example_policy(tmp_path)
    ok, out = frr_check(frr_full(render_frr(rp), rp.local_asn) + broken)
    assert not ok, out


HOSTILE = 'Evil"\n!\nrouter bgp 1\n neighbor 192.0.2.66 remote-as 66 \\ $x # ` ; {}'


def hostile_policy(tmp_path: Path) -> RouterPolicy:
    """The configuration refuses quotes, backslashes and control characters in names;
    the renderer must hold on its own, so the name is put straight into the policy."""
    _, rp = example_policy(tmp_path)
    peers = tuple(replace(p, name=HOSTILE) if p.asn == 209001 else p for p in rp.peers)
    return replace(rp, peers=peers)


def test_hostile_peer_name_stays_in_its_description(tmp_path: Path) -> None:
    rp = hostile_policy(tmp_path)
    files = render_frr(rp)
    text = frr_full(files, rp.local_asn)
    assert "192.0.2.66" in text  # it is there, but only as text
    for line in text.splitlines():
        if "192.0.2.66" in line:
            assert line.lstrip().startswith(("!", "neighbor fd00:5::1")), line
            assert " description " in line or line.lstrip().startswith("!"), line
    assert "router bgp 1\n" not in text
    ok, out = frr_check(text)
    assert ok, out


def test_safe_text_keeps_only_inert_characters() -> None:
    assert safe_text('Düsseldorf "x"\n\\ #!$') == "Dusseldorf _x_ _ ___"
    assert safe_text("") == "-"
    assert len(safe_text("a" * 100, 31)) == 31


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (0, 0),
        (8, 12),
        (1, 9),
        (7, 100),
        (64496, 64511),
        (65552, 131071),
        (1_000_000, 4_199_999_999),
        (1_000_005, 1_499_999),
        (123, 98765),
        (4_200_000_000, 4_294_967_294),
        (999, 1000),
        (10, 99),
    ],
)
def test_range_regex_matches_exactly_the_range(low: int, high: int) -> None:
    rx = re.compile("(" + "|".join(range_patterns(low, high)) + ")")
    probes = {low, high, low - 1, high + 1, 0, 1, 9, 10, 99, 100, 4_294_967_295}
    for edge in (low, high):
        probes.update(edge + d for d in range(-120, 121))
        probes.update(edge + d * 10**k for k in range(1, 10) for d in (-1, 1))
    probes.update(range(low, min(high, low + 3000) + 1))
    step = max(1, (high - low) // 5000)
    probes.update(range(low, high + 1, step))
    for n in sorted(p for p in probes if 0 <= p <= 4_294_967_295):
        assert bool(rx.fullmatch(str(n))) == (low <= n <= high), n
