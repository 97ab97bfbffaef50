"""The same FRR 8.4 over BMP to routesieve's station: the accepted routes come with the
path as sent (FRR's own AS, which it puts in front, removed), and the station warns that
the routes FRR's policy denied are missing from its "pre-policy" feed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from routers_lab import (
    DENIED,
    ROUTER_AS,
    SENT_A,
    A,
    B,
    Processes,
    free_port,
    frr_conf,
    h,
    need,
    start_speakers,
)

from routesieve.collect.bmp_station import BmpStation
from routesieve.collect.bmp_thread import StationThread
from routesieve.model import AsPath


@pytest.fixture(scope="module")
def station(
    lab_dir: tuple[Processes, Path],
) -> Iterator[BmpStation]:
    need(h.FRR_BGPD, "vtysh", "gobgpd", "gobgp")
    module_procs, base = lab_dir
    st = BmpStation()
    with StationThread(st, "127.0.0.1", 0) as running:
        port = free_port("::1")
        conf = frr_conf([A], bmp_port=running.port)
        h.start_frr(module_procs, base / "frr", conf, port, modules=["bmp"])
        start_speakers(module_procs, base / "gobgp", port)
        accepted = [p for p, _ in SENT_A if p not in DENIED]
        h.wait_for(
            "FRR's BMP feed of the routes it accepted from A",
            lambda: (
                len([r for r in st.routes() if r.session == f"lab18:{A}"]) == len(accepted)
                and any(
                    p.session.endswith(B) and p.counts.get("adj-rib-in-post") for p in st.peers()
                )
            ),
            180,
            lambda: f"{st.peers()}\n{(base / 'frr' / 'bgpd.log').read_text()[-3000:]}",
        )
        yield st


def test_accepted_routes_come_with_the_path_as_sent(station: BmpStation) -> None:
    got = {(r.prefix_text, r.as_path) for r in station.routes() if r.session == f"lab18:{A}"}
    sent = {(p, AsPath.parse(path)) for p, path in SENT_A if p not in DENIED}
    assert got == sent
    assert all(r.as_path.first != ROUTER_AS for r in station.routes())


def test_the_removed_own_as_is_said_once_per_router(station: BmpStation) -> None:
    said = [p for p in station.problems() if "own AS" in p.message]
    assert len(said) == 1 and "FRRouting 8.4" in said[0].message


def test_the_missing_filtered_routes_are_warned_about(station: BmpStation) -> None:
    problems = station.problems()
    about_a = [p for p in problems if p.place == f"lab18:{A}"]
    assert about_a and "not pre-policy" in about_a[0].message
    assert any(d in about_a[0].message for d in DENIED)
    assert 'kind = "frr"' in about_a[0].message
    # B has no soft-reconfiguration: FRR withdraws even its accepted route from pre-policy
    about_b = [p for p in problems if p.place == f"lab18:{B}"]
    assert any("post-policy view holds" in p.message for p in about_b)


def test_denied_routes_are_not_in_the_bmp_feed(station: BmpStation) -> None:
    # the reason for the vtysh collector: FRR's BMP loses what step 2 needs
    assert not {r.prefix_text for r in station.routes()} & set(DENIED)
