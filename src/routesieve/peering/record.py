"""What PeeringDB says about a network that asks to peer, cleaned into plain values.

:func:`peer_record` takes the raw ``net``, ``netixlan`` and ``poc`` objects of the API
and keeps only what passed :mod:`routesieve.peering.sanitize`; what was dropped is
listed in ``dropped`` so the operator sees it. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from routesieve.peering.sanitize import (
    as_set_names,
    count,
    email_address,
    ipv6_address,
    name_text,
    one_line,
    web_url,
)

ROLE_ORDER = ("Policy", "NOC", "Technical")


@dataclass(frozen=True, slots=True)
class Contact:
    role: str
    name: str
    email: str | None


@dataclass(frozen=True, slots=True)
class Connection:
    """The network on one exchange LAN: ``ipv6`` is None when it has no usable one."""

    ix_id: int
    ipv6: str | None
    has_ipv4: bool
    operational: bool


@dataclass(frozen=True, slots=True)
class PeerRecord:
    asn: int
    net_id: int
    name: str
    as_sets: tuple[str, ...]
    info_ipv6: bool
    info_prefixes6: int | None
    policy_general: str
    policy_url: str | None
    contacts: tuple[Contact, ...]
    connections: tuple[Connection, ...]
    dropped: tuple[str, ...] = ()

    @property
    def has_ipv6_anywhere(self) -> bool:
        return any(c.ipv6 for c in self.connections)


def _role_rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)


def contacts_of(pocs: Iterable[Mapping[str, Any]]) -> tuple[tuple[Contact, ...], list[str]]:
    """Public contacts, Policy first, then NOC, then Technical, then the others."""
    out: list[Contact] = []
    dropped: list[str] = []
    for poc in pocs:
        if poc.get("status", "ok") != "ok" or poc.get("visible", "Public") != "Public":
            continue
        role = one_line(poc.get("role"), 20) or "contact"
        mail = email_address(poc.get("email"))
        if poc.get("email") and mail is None:
            dropped.append(f"{role} contact email {one_line(poc.get('email'), 60)!r}: malformed")
        out.append(Contact(role, name_text(poc.get("name")), mail))
    out.sort(key=lambda c: _role_rank(c.role))
    return tuple(out), dropped


def peer_record(
    net: Mapping[str, Any],
    netixlans: Iterable[Mapping[str, Any]],
    pocs: Iterable[Mapping[str, Any]],
) -> PeerRecord:
    """The cleaned record of the network ``net``."""
    asn = int(net["asn"])
    dropped: list[str] = []
    sets, bad_sets = as_set_names(net.get("irr_as_set"))
    dropped += [f"as-set {name!r}: not an as-set name" for name in bad_sets]
    connections: list[Connection] = []
    for nix in netixlans:
        ix_id = nix.get("ix_id")
        if nix.get("status", "ok") != "ok" or not isinstance(ix_id, int):
            continue
        raw6 = nix.get("ipaddr6")
        v6 = ipv6_address(raw6)
        if raw6 and v6 is None:
            dropped.append(f"ix {ix_id} address {one_line(raw6, 60)!r}: not an IPv6 address")
        operational = nix.get("operational") is not False
        connections.append(Connection(ix_id, v6, bool(nix.get("ipaddr4")), operational))
    url = web_url(net.get("policy_url"))
    if net.get("policy_url") and url is None:
        dropped.append(f"policy URL {one_line(net.get('policy_url'), 60)!r}: not an http(s) URL")
    contacts, bad_contacts = contacts_of(pocs)
    return PeerRecord(
        asn=asn,
        net_id=int(net["id"]),
        name=name_text(net.get("name")) or f"AS{asn}",
        as_sets=sets,
        info_ipv6=net.get("info_ipv6") is True,
        info_prefixes6=count(net.get("info_prefixes6")),
        policy_general=one_line(net.get("policy_general"), 40),
        policy_url=url,
        contacts=contacts,
        connections=tuple(connections),
        dropped=tuple(dropped + bad_contacts),
    )
