"""fetch_whois end to end on a real IRRd, as it fetches for ``strict_origin`` (every nested
set walked, the route objects of every AS): the RPSL file it writes gives, per as-set,
the same prefixes as Debian's bgpq4 asking the same server. The default fetch (prefix
lists) is tested in test_set_lists_irrd.py."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from daemon_lab import free_port, install_debian
from irrd_excerpt import EXCERPT_SETS, LOOP_SET
from irrd_lab import IrrdLab

from routesieve.engine.as_sets import AsSetCatalog
from routesieve.sources.fetched import FetchError
from routesieve.sources.irr.fetch import fetch_whois, parse_whois_url
from routesieve.sources.rpsl import read_rpsl

SETS = [*EXCERPT_SETS, LOOP_SET]


def bgpq4_prefixes(irrd: IrrdLab, as_set: str, version: int) -> set[str]:
    install_debian(["bgpq4"], ["bgpq4"])
    cmd = ["bgpq4", "-h", f"{irrd.host}:{irrd.port}", "-S", "RIPE,RIPE-NONAUTH"]
    cmd += [f"-{version}", "-j", "-l", "x", as_set]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {entry["prefix"] for entry in json.loads(done.stdout)["x"]}


@pytest.fixture(scope="module")
def fetched(irrd: IrrdLab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("fetch") / "irr.db"
    result = fetch_whois(
        f"{irrd.url}?sources=RIPE,RIPE-NONAUTH",
        dest,
        as_sets=SETS,
        asns=[3856],
        timeout=20,
        strict_origin=True,
    )
    assert result.path == dest and result.count and result.count > 100
    assert result.generated and "4.5" in result.generated
    assert "loops back" in result.note
    return dest


def test_written_file_reads_back_without_problems(fetched: Path) -> None:
    data = read_rpsl(fetched)
    assert not data.problems
    assert {s.source for s in data.as_sets} == {"RIPE"}
    assert {r.source for r in data.route_objects} == {"RIPE-NONAUTH"}


def test_prefixes_per_set_equal_bgpq4s(irrd: IrrdLab, fetched: Path) -> None:
    data = read_rpsl(fetched)
    catalog = AsSetCatalog(data.as_sets)
    for name in SETS:
        asns = catalog.expand([name], 10, 100_000).asns
        for version in (4, 6):
            ours = {str(r.prefix) for r in data.route_objects if r.origin in asns}
            ours = {p for p in ours if (":" in p) == (version == 6)}
            assert ours == bgpq4_prefixes(irrd, name, version), f"{name} IPv{version}"
            if name == "AS-DOIX-RS":
                assert ours, "the comparison must not be between two empty sets"


def test_peer_asn_routes_are_fetched_even_outside_any_set(irrd: IrrdLab, tmp_path: Path) -> None:
    asn = sorted(irrd.excerpt.routes)[0]
    dest = tmp_path / "irr.db"
    fetch_whois(irrd.url, dest, as_sets=[], asns=[asn], timeout=20)
    got = {str(r.prefix) for r in read_rpsl(dest).route_objects if r.origin == asn}
    assert got == irrd.excerpt.routes[asn]


def test_failure_leaves_the_last_good_file(tmp_path: Path) -> None:
    dest = tmp_path / "irr.db"
    dest.write_text("last good\n")
    url = f"whois://127.0.0.1:{free_port()}?sources=RIPE"
    with pytest.raises(FetchError) as err:
        fetch_whois(url, dest, as_sets=["AS-X"], asns=[1], timeout=2)
    assert err.value.location == url and "cannot connect" in err.value.message
    assert dest.read_text() == "last good\n"
    assert [p.name for p in tmp_path.iterdir()] == ["irr.db"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("whois://whois.radb.net", ("whois.radb.net", 43, ())),
        ("whois://rr.ntt.net:4343?sources=ntt,radb", ("rr.ntt.net", 4343, ("NTT", "RADB"))),
        ("whois://[::1]:4343", ("::1", 4343, ())),
    ],
)
def test_whois_urls_are_read(url: str, expected: tuple[str, int, tuple[str, ...]]) -> None:
    assert parse_whois_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://whois.radb.net",
        "whois://user:pw@whois.radb.net",
        "whois://whois.radb.net/path",
        "whois://whois.radb.net?source=RADB",
        "whois://whois.radb.net?sources=RADB;rm",
        "whois://",
    ],
)
def test_bad_whois_urls_are_fetch_errors(url: str, tmp_path: Path) -> None:
    with pytest.raises(FetchError) as err:
        fetch_whois(url, tmp_path / "x", as_sets=[], asns=[])
    assert err.value.location == url
    assert not (tmp_path / "x").exists()


def test_bgpq4_is_available() -> None:
    install_debian(["bgpq4"], ["bgpq4"])
    assert shutil.which("bgpq4")
