"""What the router must enforce, derived from the verdicts (prefix-list semantics)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from routesieve.collect.files import read_routes
from routesieve.config import load_config
from routesieve.engine.evaluate import evaluate
from routesieve.model import Action, AsnBlock, Prefix
from routesieve.outputs.filterspec import (
    SessionSpec,
    minimal_prefixes,
    router_accepts,
    router_policy,
    unallocated_ranges,
)
from routesieve.sources.load import load_snapshot

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))
P = Prefix.parse


def demo_policy():  # type: ignore[no-untyped-def]
    config = load_config(EXAMPLE / "routesieve.toml")
    snapshot = load_snapshot(config, 1_790_000_000).snapshot
    verdicts = list(
        evaluate(read_routes(EXAMPLE / "routes.jsonl").items, snapshot, config.to_policy())
    )
    sessions = {
        p.asn: tuple(SessionSpec(s.name, None, s.exchange, s.route_server) for s in p.sessions)
        for p in config.peers
    }
    return verdicts, router_policy(verdicts, config.to_policy(), snapshot, sessions, {})


def test_unallocated_range_excludes_allocated_blocks() -> None:
    blocks = [
        AsnBlock(1_500_000, 1_500_099, "Assigned by RIPE NCC"),
        AsnBlock(2_000_000, 2_000_009, "Unallocated"),
        AsnBlock(900_000, 1_000_004, "Assigned by ARIN"),
    ]
    assert unallocated_ranges(1_000_000, 4_199_999_999, blocks) == [
        (1_000_005, 1_499_999),
        (1_500_100, 4_199_999_999),
    ]


def test_unallocated_range_is_whole_without_registry() -> None:
    assert unallocated_ranges(1_000_000, 4_199_999_999, []) == [(1_000_000, 4_199_999_999)]


def test_minimal_prefixes_drop_covered_ones() -> None:
    got = minimal_prefixes(
        [P("2001:db8::/32"), P("2001:db8:1::/48"), P("fc00::/7"), P("10.0.0.0/8")]
    )
    assert got == (P("10.0.0.0/8"), P("2001:db8::/32"), P("fc00::/7"))


def test_accept_lists_hold_exactly_the_step4_prefixes_per_peer() -> None:
    verdicts, rp = demo_policy()
    by_peer = {p.asn: p for p in rp.peers}
    assert set(by_peer) == {209001, 209002, 209100}  # configured peers only
    for asn in (209001, 209002):
        want = {P(v.prefix) for v in verdicts if v.peer_asn == asn and v.action is Action.ACCEPT}
        assert set(by_peer[asn].accept) == want
    assert by_peer[209001].filter_name == "peer_as209001_in"


def test_route_server_peer_dispatches_to_its_members() -> None:
    _, rp = demo_policy()
    rs = next(p for p in rp.peers if p.asn == 209100)
    assert rs.route_server
    assert dict(rs.members) == {209003: (P("2a0e:8a10::/32"), P("2a0e:8a10:100::/40"))}


def test_ipv6_only_policy_keeps_ipv4_out_of_the_guard_and_roas() -> None:
    _, rp = demo_policy()
    assert all(p.version == 6 for p in rp.guard.bogons + rp.guard.exchange_prefixes)
    assert all(r.prefix.version == 6 for r in rp.roas)
    assert P("2a0e:8aff::/48") in rp.guard.exchange_prefixes


def test_expired_vrps_are_not_in_the_roa_table() -> None:
    _, rp = demo_policy()
    assert P("2a0e:8a0a::/32") not in {r.prefix for r in rp.roas}  # expired in 2023


def test_rule5_route_is_router_accepted_only_through_the_accept_list() -> None:
    verdicts, _ = demo_policy()
    five = next(v for v in verdicts if v.rule == "5")
    assert not router_accepts(five, set())
    assert router_accepts(five, {P(five.prefix)})
    rejected = next(v for v in verdicts if v.rule == "3.4")
    assert not router_accepts(rejected, {P(rejected.prefix)})


def test_x_aspa_is_in_the_accept_lists_only_as_no_router_checks_aspa() -> None:
    verdicts, rp = demo_policy()
    leak = next(v for v in verdicts if v.rule == "X-ASPA")
    nordwind = next(p for p in rp.peers if p.asn == leak.peer_asn)
    assert P(leak.prefix) not in nordwind.accept  # the decision: no prefix from the leak
    assert rp.guard.aspa_in_accept_lists
    assert not router_accepts(leak, set(nordwind.accept))
    # the router cannot tell the leaked path apart: the same prefix accepted through
    # another path lets the leak through too
    assert router_accepts(leak, {P(leak.prefix)})
