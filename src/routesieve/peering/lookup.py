"""Asking PeeringDB what :func:`~routesieve.peering.proposal.propose` needs.

The two questions of a peering request: what PeeringDB says about the requesting
network (its ``net``, ``netixlan`` and ``poc`` objects, cleaned into a
:class:`~routesieve.peering.record.PeerRecord`), and the local network's own IPv6
address on each configured exchange (``local_addresses`` in the configuration, else the
local network's own ``netixlan`` records). Errors are the client's ``FetchError``.
"""

from __future__ import annotations

from routesieve.config import Config
from routesieve.peering.proposal import LocalExchange
from routesieve.peering.record import PeerRecord, peer_record
from routesieve.peering.sanitize import ipv6_address
from routesieve.sources.peeringdb.client import PeeringDbClient


def peer_lookup(client: PeeringDbClient, asn: int) -> PeerRecord | None:
    """The cleaned record of ``asn``, or None when PeeringDB has none."""
    net = client.network(asn)
    if net is None or not isinstance(net.get("id"), int):
        return None
    return peer_record(net, client.netixlans(net["id"]), client.pocs(net["id"]))


def local_exchanges(client: PeeringDbClient, config: Config) -> list[LocalExchange]:
    """The configured exchanges with our IPv6 address on each, where it is known."""
    out: list[LocalExchange] = []
    from_pdb: dict[int, str] | None = None
    for ex in config.exchanges:
        mine = next((str(a) for a in ex.local_addresses if a.version == 6), None)
        if mine is not None or ex.peeringdb_ix is None:
            out.append(LocalExchange(ex.name, ex.peeringdb_ix, mine, "config"))
            continue
        if from_pdb is None:
            from_pdb = _own_addresses(client, config.local.asn)
        out.append(
            LocalExchange(ex.name, ex.peeringdb_ix, from_pdb.get(ex.peeringdb_ix), "PeeringDB")
        )
    return out


def _own_addresses(client: PeeringDbClient, asn: int) -> dict[int, str]:
    net = client.network(asn)
    if net is None or not isinstance(net.get("id"), int):
        return {}
    found: dict[int, str] = {}
    for nix in client.netixlans(net["id"]):
        address = ipv6_address(nix.get("ipaddr6"))
        if address and isinstance(nix.get("ix_id"), int) and nix.get("status", "ok") == "ok":
            found.setdefault(nix["ix_id"], address)
    return found
