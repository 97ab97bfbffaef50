"""The OpenBGPD collector against a real OpenBGPD 7.7 bgpd fed by GoBGP: every route each
peer sent, including the ones bgpd's own filter denies, with the path exactly as sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from routers_lab import (
    DENIED,
    SENT_A,
    SENT_B,
    A,
    B,
    Lab,
    Processes,
    free_port,
    h,
    need,
    openbgpd_conf,
    start_speakers,
)

from routesieve.cli import main
from routesieve.collect.files import read_routes
from routesieve.collect.openbgpd_routes import Bgpctl, collect_routes
from routesieve.collect.routers import Collector
from routesieve.collect.store import snapshots
from routesieve.config import RouterSettings
from routesieve.model import AsPath
from routesieve.problems import InputError


@pytest.fixture(scope="module")
def openbgpd(
    lab_dir: tuple[Processes, Path],
) -> tuple[Path, Lab]:
    need(h.OPENBGPD, "bgpctl", "gobgpd", "gobgp")
    module_procs, base = lab_dir
    port = free_port("::1")
    sock = base / "bgpd.sock"
    h.start_openbgpd(module_procs, base / "bgpd", openbgpd_conf(sock, port), sock)
    lab = start_speakers(module_procs, base / "gobgp", port)
    h.wait_for(
        "bgpd to receive every route",
        lambda: (
            len(h.openbgpd_routes(sock, A, True)) == len(SENT_A)
            and len(h.openbgpd_routes(sock, B, True)) == len(SENT_B)
        ),
        180,
        lambda: h.openbgpd_report(sock, [A, B]),
        list(lab.speakers.values()),
    )
    return sock, lab


def test_every_route_each_peer_sent_is_collected_with_its_path_as_sent(
    openbgpd: tuple[Path, Lab],
) -> None:
    sock, _ = openbgpd
    result = collect_routes(Bgpctl(str(sock)), "edge")
    assert not result.problems
    for address, asn, sent in ((A, 65001, SENT_A), (B, 65002, SENT_B)):
        mine = [r for r in result.items if r.session == f"edge:{address}"]
        assert {(r.prefix_text, r.as_path) for r in mine} == {
            (p, AsPath.parse(path)) for p, path in sent
        }
        assert all(r.peer_asn == asn and r.problem is None for r in mine)
    # the denied routes are collected although bgpd's filter rejected them
    accepted = h.openbgpd_routes(sock, A, False) | h.openbgpd_routes(sock, B, False)
    collected = {r.prefix_text for r in result.items}
    assert set(DENIED) <= collected - accepted


def test_a_configured_openbgpd_router_is_collected_by_collect(
    openbgpd: tuple[Path, Lab],
) -> None:
    sock, _ = openbgpd
    router = RouterSettings(name="edge", kind="openbgpd", socket=str(sock))
    routes, problems = Collector([router]).collect()
    assert len(routes) == len(SENT_A) + len(SENT_B) and not problems


def test_a_missing_control_socket_is_an_error_naming_the_router(tmp_path: Path) -> None:
    router = RouterSettings(name="edge7", kind="openbgpd", socket=str(tmp_path / "no.sock"))
    with pytest.raises(InputError, match=r"router edge7.*no\.sock not found"):
        Collector([router]).collect()


def test_collect_writes_every_sent_route_into_the_snapshot(
    openbgpd: tuple[Path, Lab], tmp_path: Path
) -> None:
    sock, _ = openbgpd
    cfg = tmp_path / "routesieve.toml"
    cfg.write_text(
        '[local]\nasn = 64999\n[collect]\nfolder = "state"\n'
        f'[[routers]]\nname = "edge"\nkind = "openbgpd"\nsocket = "{sock}"\n'
    )
    result = CliRunner().invoke(main, ["collect", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    [snap] = snapshots(tmp_path / "state")
    got = {(r.session, r.prefix_text, r.as_path) for r in read_routes(snap).items}
    assert got == {
        (f"edge:{address}", p, AsPath.parse(path))
        for address, sent in ((A, SENT_A), (B, SENT_B))
        for p, path in sent
    }


def test_collect_names_the_router_when_bgpctl_cannot_reach_bgpd(tmp_path: Path) -> None:
    cfg = tmp_path / "routesieve.toml"
    cfg.write_text(
        '[local]\nasn = 64999\n[collect]\nfolder = "state"\n'
        f'[[routers]]\nname = "edge5"\nkind = "openbgpd"\nsocket = "{tmp_path / "x.sock"}"\n'
    )
    result = CliRunner().invoke(main, ["collect", "--config", str(cfg)])
    assert result.exit_code == 1
    assert "router edge5" in result.output and "x.sock not found" in result.output
    assert "Traceback" not in result.output
