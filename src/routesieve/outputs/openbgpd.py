"""OpenBGPD (7.x) configuration from a :class:`RouterPolicy`.

Three files, included from the operator's ``bgpd.conf`` in this order, after its global
section (``AS``, ``router-id``): ``sets.conf`` (``reject as-set yes``, the prefix-sets and
the ``roa-set``, or the ``rtr`` sessions to the caches when ``rp.rtr`` is set),
``sessions.conf`` (one ``neighbor`` per configured session with an
address) and ``filters.conf`` (the guard as ``deny quick`` rules, then one ``allow`` per
accept list). The filters name peers by AS (``from AS N``), so they also work with the
operator's own neighbour blocks.

OpenBGPD keeps every received route in its Adj-RIB-In before the filters (``bgpctl
show rib in``), so step 2 sees what a peer sent; ``rde evaluate all`` is about output
filters and is not needed. ``reject as-set yes`` (bgpd 7.7 filters cannot match an
AS_SET) and a path with AS 0 (RFC 7607) make bgpd treat the route as withdrawn, but it
stays in the Adj-RIB-In flagged ``E`` (error), so it is still visible there (checked
with the real daemon in ``tests/outputs/test_openbgpd_e2e.py``).

X-FIRST-AS is a filter rule (``peer-as != N``) rather than ``enforce neighbor-as yes``,
because the latter answers a wrong first AS with a NOTIFICATION that drops the whole
session; ``enforce neighbor-as`` is set to ``no`` explicitly since it is on by default
for eBGP.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from routesieve.model import Prefix
from routesieve.outputs.filterspec import AS_TRANS, RouterPolicy
from routesieve.outputs.frr import check_neighbor, header, safe_text, template_env

DESCR_MAX = 31  # OpenBGPD refuses longer neighbour descriptions


def _set(name: str, prefixes: Sequence[Prefix]) -> dict[str, Any]:
    return {"name": name, "prefixes": [str(p) for p in prefixes]}


def render_openbgpd(rp: RouterPolicy) -> dict[str, str]:
    g = rp.guard
    peers = [p.asn for p in rp.peers]
    sets: list[dict[str, Any]] = []
    if g.bogons:
        sets.append(_set("routesieve_bogons", g.bogons))
    if g.exchange_prefixes:
        sets.append(_set("routesieve_exchange", g.exchange_prefixes))
    rules: list[tuple[str, str]] = []
    for version, zero, bits in ((4, "0.0.0.0/0", 32), (6, "::/0", 128)):
        if version not in g.families:
            rules.append(
                ("inet" if version == 4 else "inet6", f"X-AFI: IPv{version} is not routed")
            )
            continue
        low, high = g.ipv4_length if version == 4 else g.ipv6_length
        rules.append((f"prefix {zero}", "3.1: default route"))
        if low > 0:
            rules.append(
                (f"prefix {zero} prefixlen < {low}", f"3.3: IPv{version} shorter than /{low}")
            )
        if high < bits:
            rules.append(
                (f"prefix {zero} prefixlen > {high}", f"3.3: IPv{version} longer than /{high}")
            )
    if g.bogons:
        rules.append(("prefix-set routesieve_bogons or-longer", "3.4: bogon prefix"))
    if g.exchange_prefixes:
        rules.append(("prefix-set routesieve_exchange or-longer", "3.5: exchange LAN prefix"))
    rules.append((f"max-as-len {g.max_hops}", f"3.6: more than {g.max_hops} ASes"))
    rules.extend((_as_range(a, b), "3.7: unallocated AS") for a, b in g.unallocated_asns)
    rules.append((f"AS {AS_TRANS}", "3.8: AS_TRANS"))
    rules.append(("AS 0", "3.9: AS 0"))
    rules.extend((_as_range(a, b), "X-BOGON-ASN") for a, b in g.bogon_asns)
    if rp.rtr is None:
        rules.append(("ovs invalid", "3.10: RPKI invalid against the roa-set"))
    else:
        rules.append(("ovs invalid", "3.10: RPKI invalid against the VRPs of the rtr sessions"))
        hostnames = [c.host for c in rp.rtr.caches if not c.is_address]
        if hostnames:
            raise ValueError(
                f"OpenBGPD's rtr sessions need an IP address, not the name {hostnames[0]!r}: "
                "list the cache by address in [[render.rtr_caches]]"
            )

    peer_rules: list[dict[str, Any]] = []
    for peer in rp.peers:
        lines: list[tuple[str, str]] = []
        if g.check_first_as and not peer.route_server:
            lines.append((f"deny quick from AS {peer.asn} peer-as != {peer.asn}", "X-FIRST-AS"))
        named = [(f"peer_as{peer.asn}_accept", peer.asn, peer.accept, "accept list")]
        named += [
            (f"peer_as{peer.asn}_member_as{m}", m, ps, f"route-server member AS{m}")
            for m, ps in peer.members
        ]
        for name, first, prefixes, what in named:
            if not prefixes:
                lines.append(("", f"{what}: empty, nothing accepted"))
                continue
            sets.append(_set(name, prefixes))
            gate = f" peer-as {first}" if peer.route_server else ""
            lines.append((f"allow from AS {peer.asn}{gate} prefix-set {name}", what))
        peer_rules.append({"asn": peer.asn, "name": safe_text(peer.name), "lines": lines})

    sessions = [
        {
            "peer": peer.asn,
            "name": safe_text(s.name),
            "exchange": safe_text(s.exchange) if s.exchange else None,
            "address": check_neighbor(s, g.families),
            "descr": safe_text(f"AS{peer.asn} {peer.name}", DESCR_MAX),
            "max_prefix": peer.max_prefix,
        }
        for peer in rp.peers
        for s in peer.sessions
    ]
    roas = [
        f"{r.prefix}{f' maxlen {r.max_length}' if r.max_length > r.prefix.length else ''}"
        f" source-as {r.asn}"
        for r in (rp.roas if rp.rtr is None else ())
    ]
    env = template_env()
    ctx: dict[str, Any] = {
        "h": header(rp, "openbgpd"),
        "g": g,
        "peers": peers,
        "sets": sets,
        "roas": roas,
        "rtr": rp.rtr,
        "rules": rules,
        "peer_rules": peer_rules,
        "sessions": sessions,
    }
    return {
        name: env.get_template(f"openbgpd/{name}.j2").render(ctx)
        for name in ("sets.conf", "sessions.conf", "filters.conf")
    }


def _as_range(first: int, last: int) -> str:
    return f"AS {first}" if first == last else f"AS {first} - {last}"
