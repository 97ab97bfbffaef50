"""A snapshot read from the real shared data files with the real readers (once per run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from routesieve.model import IpDelegation
from routesieve.snapshot import Snapshot
from routesieve.sources.bogons import default_bogons, read_bogons
from routesieve.sources.iana import default_asn_registry
from routesieve.sources.peeringdb_files import read_ixlan_map, read_ixpfx
from routesieve.sources.rir import read_delegations
from routesieve.sources.rpki import read_vrps
from routesieve.sources.rpsl import read_rpsl

AS_OF = 1_700_000_000  # 2023-11-14: some of the real VRPs have expired by then, most not
RPKI_FILES = (
    "stayrtr_test.rpki.json",
    "arouteserver_rpki_roas_rpki-client_expired.json",
    "rpki-irr-bgp-stats_roas_ripe-validator-csv_2016.csv",
)
IRR_FILES = (
    "ripe-nonauth.db.route.gz",
    "ripe-nonauth.db.route6.gz",
    "ripe-nonauth.db.aut-num.gz",
    "ripe.db.as-set.gz",
)
BOGON_FILES = (
    "teamcymru_fullbogons-ipv4_20240310.txt",
    "teamcymru_fullbogons-ipv6_20240310.txt.xz",
)


@pytest.fixture(scope="session")
def real_snapshot(shared_data: Path) -> Snapshot:
    """Every kind of real data file in /work/shared/data, read as ``load_snapshot`` reads it."""
    provenance = []
    vrps = []
    for name in RPKI_FILES:
        read = read_vrps(shared_data / "rpki" / name)
        vrps += read.items
        provenance.append(read.provenance)
    routes, as_sets, handles = [], [], []
    for name in IRR_FILES:
        data = read_rpsl(shared_data / "irr" / name)
        routes += data.route_objects
        as_sets += data.as_sets
        handles += data.org_handles
        provenance.append(data.provenance)
    ips, asns = [], []
    for path in sorted((shared_data / "rir").glob("delegated-*")):
        read = read_delegations(path)
        for item in read.items:
            (ips if isinstance(item, IpDelegation) else asns).append(item)
        provenance.append(read.provenance)
    bogon_reads = [default_bogons()]
    bogon_reads += [read_bogons(shared_data / "bogons" / name) for name in BOGON_FILES]
    blocks = default_asn_registry()
    pdb = shared_data / "peeringdb"
    exchanges = read_ixpfx(
        pdb / "pdb_beta_anon_ixpfx.json.xz", read_ixlan_map(pdb / "pdb_beta_anon_ixlan.json.xz")
    )
    provenance += [r.provenance for r in bogon_reads] + [blocks.provenance, exchanges.provenance]
    return Snapshot(
        as_of=AS_OF,
        vrps=tuple(vrps),
        route_objects=tuple(routes),
        as_sets=tuple(as_sets),
        ip_delegations=tuple(ips),
        asn_delegations=tuple(asns),
        org_handles=tuple(handles),
        asn_blocks=blocks.items,
        bogons=tuple(b for r in bogon_reads for b in r.items),
        exchange_prefixes=exchanges.items,
        provenance=tuple(provenance),
    )
