"""The safety checks of deploy: shrinking or emptied accept lists, stale data."""

from __future__ import annotations

from datetime import UTC, datetime

from routesieve.outputs.deploy_plan import describe, plan
from routesieve.snapshot import Provenance

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
FRESH = (Provenance("rpki", "vrps.json", "2026-11-26T06:00:00Z", 10),)


def manifest(**peers: list[str]) -> dict[str, object]:
    return {"peers": {asn.removeprefix("as"): prefixes for asn, prefixes in peers.items()}}


def test_first_deployment_is_allowed() -> None:
    p = plan(None, manifest(as65001=["2a0e::/32"]), FRESH, NOW, 0.25, 48)
    assert not p.refusals
    assert describe(p) == ["AS65001: 0 -> 1 prefixes (+1 -0)", "  + 2a0e::/32"]


def test_accept_list_dropping_to_empty_is_refused() -> None:
    p = plan(manifest(as65001=["2a0e::/32"]), manifest(as65001=[]), FRESH, NOW, 0.99, 48)
    assert p.refusals == ("AS65001: the accept list would drop from 1 prefixes to none",)


def test_peer_removed_from_the_rendering_counts_as_emptied() -> None:
    p = plan(manifest(as65001=["2a0e::/32"]), manifest(), FRESH, NOW, 0.99, 48)
    assert p.refusals and "AS65001" in p.refusals[0]


def test_shrink_over_the_limit_is_refused_and_under_it_allowed() -> None:
    old = manifest(as65001=[f"2a0e:{i:x}::/32" for i in range(1, 11)])
    new = manifest(as65001=[f"2a0e:{i:x}::/32" for i in range(1, 8)])  # 30% fewer
    assert plan(old, new, FRESH, NOW, 0.25, 48).refusals
    assert not plan(old, new, FRESH, NOW, 0.30, 48).refusals


def test_growth_is_never_refused() -> None:
    old = manifest(as65001=["2a0e:1::/32"])
    new = manifest(as65001=["2a0e:1::/32", "2a0e:2::/32"])
    assert not plan(old, new, FRESH, NOW, 0.0, 48).refusals


def test_stale_data_source_is_refused() -> None:
    stale = (Provenance("rpki", "vrps.json", "2026-11-20T06:00:00Z", 10),)
    p = plan(None, manifest(as65001=["2a0e::/32"]), stale, NOW, 0.25, 48)
    assert p.refusals == ("data source rpki vrps.json is 150 hours old (limit 48 hours)",)


def test_sources_without_a_date_are_not_judged_stale() -> None:
    undated = (Provenance("irr", "irr.db", None, 10),)
    assert not plan(None, manifest(as65001=["2a0e::/32"]), undated, NOW, 0.25, 48).refusals


def test_describe_names_every_changed_peer_and_shortens_long_lists() -> None:
    old = manifest(as65001=["2a0e:1::/32"], as65002=["2a0f::/32"])
    new = manifest(as65001=[f"2a0e:{i:x}::/32" for i in range(1, 9)], as65002=["2a0f::/32"])
    lines = describe(plan(old, new, FRESH, NOW, 0.25, 48))
    assert lines[0] == "AS65001: 1 -> 8 prefixes (+7 -0)"
    assert "  + … 2 more" in lines
    assert not any("AS65002" in line for line in lines)
