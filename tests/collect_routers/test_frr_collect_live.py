"""The FRR collector against a real FRR 8.4 bgpd fed by GoBGP: every route each peer
sent, including the ones FRR's own route-map denies, with the path exactly as sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from routers_lab import (
    DENIED,
    SENT_A,
    A,
    B,
    Lab,
    Processes,
    free_port,
    frr_conf,
    h,
    need,
    start_speakers,
)

from routesieve.collect.frr_routes import Vtysh, collect_routes, list_neighbors
from routesieve.collect.routers import Collector
from routesieve.config import RouterSettings
from routesieve.model import AsPath
from routesieve.problems import InputError


@pytest.fixture(scope="module")
def frr(
    lab_dir: tuple[Processes, Path],
) -> tuple[Path, Lab]:
    need(h.FRR_BGPD, "vtysh", "gobgpd", "gobgp")
    module_procs, base = lab_dir
    port = free_port("::1")
    # soft-reconfiguration inbound on A only: B must be reported, not silently empty
    sock_dir = h.start_frr(module_procs, base / "frr", frr_conf([A]), port)
    lab = start_speakers(module_procs, base / "gobgp", port)
    h.wait_for(
        "FRR to receive every route from A",
        lambda: len(h.frr_routes(sock_dir, A, True)) == len(SENT_A),
        180,
        lambda: h.frr_report(sock_dir, [A]),
        list(lab.speakers.values()),
    )
    return sock_dir, lab


def test_every_route_the_peer_sent_is_collected_with_its_path_as_sent(
    frr: tuple[Path, Lab],
) -> None:
    sock_dir, _ = frr
    result = collect_routes(Vtysh(vty_socket=str(sock_dir)), "edge")
    got = {(r.prefix_text, r.as_path) for r in result.items if r.session == f"edge:{A}"}
    assert got == {(p, AsPath.parse(path)) for p, path in SENT_A}
    assert all(r.peer_asn == 65001 and r.problem is None for r in result.items)
    # the denied routes are there although FRR's own policy rejected them
    accepted = h.frr_routes(sock_dir, A, False)
    assert {"2001:db8:d1::/48", "2001:db8:d2::/48"} <= {p for p, _ in got} - accepted
    sets = [r for r in result.items if r.prefix_text == "2001:db8:a2::/48"]
    assert sets and sets[0].as_path.has_set


def test_neighbour_without_soft_reconfiguration_is_named_as_a_problem(
    frr: tuple[Path, Lab],
) -> None:
    sock_dir, _ = frr
    result = collect_routes(Vtysh(vty_socket=str(sock_dir)), "edge")
    about_b = [p for p in result.problems if p.place == f"edge:{B}"]
    assert about_b and "soft-reconfiguration inbound" in about_b[0].message
    assert not [r for r in result.items if r.session == f"edge:{B}"]
    assert not [p for p in result.problems if p.place == f"edge:{A}"]


def test_neighbours_are_listed_with_their_families_and_soft_reconfiguration(
    frr: tuple[Path, Lab],
) -> None:
    sock_dir, _ = frr
    by_address = {n.address: n for n in list_neighbors(Vtysh(vty_socket=str(sock_dir)))}
    assert by_address[A].remote_as == 65001 and by_address[B].remote_as == 65002
    assert dict(by_address[A].families)["ipv6"] is True
    assert dict(by_address[B].families)["ipv6"] is False


def test_a_configured_frr_router_is_collected_by_collect(frr: tuple[Path, Lab]) -> None:
    sock_dir, _ = frr
    router = RouterSettings(name="edge", kind="frr", vty_socket=str(sock_dir))
    routes, problems = Collector([router]).collect()
    assert {r.prefix_text for r in routes} >= set(DENIED[:2])
    assert any("soft-reconfiguration" in p.message for p in problems)


def test_a_missing_vty_socket_folder_is_an_error_naming_the_router(tmp_path: Path) -> None:
    router = RouterSettings(name="edge9", kind="frr", vty_socket=str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match=r"router edge9.*not found"):
        Collector([router]).collect()


def test_a_missing_vtysh_is_an_error_naming_the_router(tmp_path: Path) -> None:
    router = RouterSettings(name="edge9", kind="frr", vtysh="/nonexistent/vtysh")
    with pytest.raises(InputError, match=r"router edge9.*program not found"):
        Collector([router]).collect()


def test_only_the_policy_families_are_read(frr: tuple[Path, Lab]) -> None:
    sock_dir, _ = frr
    result = collect_routes(Vtysh(vty_socket=str(sock_dir)), "edge", families=("ipv4",))
    assert result.items == () and result.problems == ()
