"""``[render] rpki = "rtr"``: every target renders RTR sessions instead of the ROA table,
and the daemons' own parsers accept the result (BIRD 2.0.12, FRR 8.4 with its rpki
module, OpenBGPD 7.7)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import bird_harness as bh
import pytest
from daemon_harness import (
    ensure_daemons,
    frr_check,
    frr_full,
    large_policy,
    openbgpd_check,
    openbgpd_full,
)

from routesieve.outputs.bird import FILTERS_FILE, SESSIONS_FILE, render_bird2
from routesieve.outputs.filterspec import RoaEntry, RouterPolicy, RtrCache, RtrValidation
from routesieve.outputs.frr import MAX_ROA_ORIGINS, render_frr
from routesieve.outputs.openbgpd import render_openbgpd
from routesieve.prefix import Prefix

CACHES = (RtrCache("192.0.2.10", 3323, 1), RtrCache("2001:db8::10", 8282, 2))
RTR = RtrValidation(CACHES, refresh=30, retry=10, expire=3600)


@pytest.fixture(scope="module")
def daemons() -> None:
    ensure_daemons()
    bh.require_daemons()


def live(rp: RouterPolicy, caches: tuple[RtrCache, ...] = CACHES) -> RouterPolicy:
    return dataclasses.replace(rp, rtr=dataclasses.replace(RTR, caches=caches))


def test_bird_gets_one_rpki_protocol_per_cache_and_no_static_roas(
    daemons: None, tmp_path: Path
) -> None:
    rp = live(large_policy(peers=4, roas=200), (*CACHES, RtrCache("rpki.example.net", 323, 3)))
    files = render_bird2(rp)
    filters, sessions = files[FILTERS_FILE], files[SESSIONS_FILE]

    assert "protocol static" not in filters and " max 24 as " not in filters
    assert re.findall(r"remote (\S+) port (\d+);", filters) == [
        ("192.0.2.10", "3323"),
        ("2001:db8::10", "8282"),
        ('"rpki.example.net"', "323"),
    ]
    assert filters.count("refresh keep 30;") == 3 and filters.count("expire keep 3600;") == 3
    assert "roa_check(routesieve_roa6, net, bgp_path.last) = ROA_INVALID" in filters
    channels = sessions.count("import filter ")
    assert sessions.count("import table on;") == sessions.count("rpki reload on;") == channels
    done = bh.bird_check(bh.main_conf(tmp_path, files))
    assert done.returncode == 0, done.stderr + done.stdout


def test_bird_static_mode_keeps_the_roa_table_and_no_import_table() -> None:
    files = render_bird2(large_policy(peers=2, roas=10))

    assert "protocol rpki" not in files[FILTERS_FILE]
    assert "protocol static routesieve_roa6_static" in files[FILTERS_FILE]
    assert "import table" not in files[SESSIONS_FILE]


def test_frr_gets_the_rpki_block_and_match_rpki_invalid_instead_of_roa_lists(
    daemons: None,
) -> None:
    rp = live(large_policy(peers=4, roas=200))
    files = render_frr(rp)
    text = files["filters.conf"]

    assert "\nrpki\n rpki polling_period 30\n rpki retry_interval 10\n" in text
    assert " rpki expire_interval 3600\n" in text
    assert " rpki cache 192.0.2.10 3323 preference 1\n" in text
    assert " rpki cache 2001:db8::10 8282 preference 2\n" in text
    assert "route-map routesieve_guard deny 30\n match rpki invalid\nexit\n" in text
    assert "routesieve_roa_" not in text and "routesieve_origin_as" not in text
    ok, out = frr_check(frr_full(files, rp.local_asn), modules=("rpki",))
    assert ok, out


def test_frr_takes_more_origins_over_rtr_than_a_route_map_can_hold() -> None:
    roas = tuple(
        RoaEntry(Prefix.from_address(6, (0x2A0E << 112) | (i << 80), 32), 48, 100_000 + i)
        for i in range(MAX_ROA_ORIGINS + 1)
    )
    rp = dataclasses.replace(large_policy(peers=1, roas=0), roas=roas)
    with pytest.raises(ValueError, match="origin ASes"):
        render_frr(rp)

    text = render_frr(live(rp))["filters.conf"]

    assert "match rpki invalid" in text and len(text) < 100_000


def test_openbgpd_gets_rtr_blocks_and_no_roa_set(daemons: None) -> None:
    rp = live(large_policy(peers=4, roas=200))
    files = render_openbgpd(rp)

    assert "roa-set" not in files["sets.conf"]
    assert re.findall(
        r"\nrtr (\S+) \{\n\tdescr \"[^\"]+\"\n\tport (\d+)\n\}", files["sets.conf"]
    ) == [
        ("192.0.2.10", "3323"),
        ("2001:db8::10", "8282"),
    ]
    assert "deny quick from $routesieve_peers ovs invalid" in files["filters.conf"]
    ok, out = openbgpd_check(openbgpd_full(files, rp.local_asn))
    assert ok, out


def test_openbgpd_refuses_a_cache_given_by_name() -> None:
    rp = live(large_policy(peers=1, roas=1), (RtrCache("rpki.example.net", 323, 1),))

    with pytest.raises(ValueError, match=r"IP address, not the name 'rpki\.example\.net'"):
        render_openbgpd(rp)
