"""The FRR collector needs every neighbour's Adj-RIB-In: ``render --target frr`` must set
``soft-reconfiguration inbound`` on every neighbour of every address family it activates."""

from __future__ import annotations

import re
from pathlib import Path

import routers_lab  # noqa: F401  (puts tests/outputs on the path)
from daemon_harness import example_policy, large_policy

from routesieve.outputs.frr import render_frr

_FAMILY = re.compile(r"^ address-family (\S+) unicast\n(.*?)^ exit-address-family", re.M | re.S)


def neighbours_by_family(sessions_conf: str) -> dict[str, tuple[set[str], set[str]]]:
    """Per family: the activated neighbours and those with soft-reconfiguration inbound."""
    out = {}
    for family, body in _FAMILY.findall(sessions_conf):
        active = set(re.findall(r"^  neighbor (\S+) activate$", body, re.M))
        soft = set(re.findall(r"^  neighbor (\S+) soft-reconfiguration inbound$", body, re.M))
        out[family] = (active, soft)
    return out


def test_every_rendered_neighbour_keeps_its_adj_rib_in(tmp_path: Path) -> None:
    _, rp = example_policy(tmp_path)
    families = neighbours_by_family(render_frr(rp)["sessions.conf"])
    assert families and any(active for active, _ in families.values())
    for family, (active, soft) in families.items():
        assert soft == active, family


def test_every_neighbour_of_a_dual_stack_case_keeps_its_adj_rib_in() -> None:
    families = neighbours_by_family(render_frr(large_policy())["sessions.conf"])
    assert set(families) == {"ipv4", "ipv6"}
    for family, (active, soft) in families.items():
        assert active and soft == active, family
