"""Adding an accepted peer to the configuration file as a small, readable edit.

The file is edited with tomlkit, which keeps the operator's comments, order and layout:
the new peer is one ``[[peers]]`` table appended after the last one, with a comment
saying where it came from, its sessions as inline tables like the bundled example's.
Every value written is a TOML string or integer that tomlkit quotes itself, and every
string has already passed :mod:`routesieve.peering.sanitize`, so nothing from PeeringDB
can add a key or a table. The caller validates the result with the configuration
loader before writing it.
"""

from __future__ import annotations

from typing import Any

import tomlkit
import tomlkit.exceptions
from tomlkit.items import AoT, Array, Table

from routesieve.model import ParseError, parse_asn
from routesieve.peering.proposal import Proposal


class EditError(Exception):
    """The configuration cannot take the new peer (a duplicate, an unusual layout)."""


def _asn_of(value: Any) -> int | None:
    try:
        return parse_asn(value) if isinstance(value, int | str) else None
    except ParseError:
        return None


def session_names(text: str) -> frozenset[str]:
    """Every session name already in the file (new ones must differ)."""
    doc = tomlkit.parse(text).unwrap()
    peers = doc.get("peers", [])
    return frozenset(
        str(s.get("name"))
        for p in (peers if isinstance(peers, list) else [])
        if isinstance(p, dict)
        for s in (p.get("sessions") or [])
        if isinstance(s, dict)
    )


def add_peer(text: str, proposal: Proposal, source: str) -> str:
    """``text`` with ``[[peers]]`` for the proposal appended; ``source`` is said in the
    comment above it (e.g. ``PeeringDB net 291``)."""
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.TOMLKitError as err:
        raise EditError(f"the file is not valid TOML: {err}") from None
    peers = doc.get("peers")
    if peers is not None and not isinstance(peers, AoT):
        raise EditError(
            "peers is written as an inline array, not as [[peers]] tables: add the peer by hand"
        )
    for existing in peers or []:
        if isinstance(existing, Table) and _asn_of(existing.get("asn")) == proposal.asn:
            raise EditError(f"AS{proposal.asn} is already configured as a peer")
    table = tomlkit.table()
    table.add(tomlkit.comment(f"added by 'routesieve peering accept' from {source}"))
    if proposal.record is not None and proposal.record.as_sets:
        published = " ".join(proposal.record.as_sets)
        table.add(tomlkit.comment(f"as_sets left out (rule 1.1); PeeringDB lists {published}"))
    table.add("asn", proposal.asn)
    table.add("name", proposal.name)
    if proposal.max_prefix is not None:
        table.add("max_prefix", proposal.max_prefix)
    sessions: Array = tomlkit.array()
    for s in proposal.sessions:
        entry = tomlkit.inline_table()
        entry.update({"name": s.name, "exchange": s.exchange, "neighbor": s.peer_address})
        sessions.append(entry)
    if proposal.sessions:
        sessions.multiline(True)
    else:
        table.add(tomlkit.comment("direct peering: add the session once the link is agreed"))
    table.add("sessions", sessions)
    table.add(tomlkit.nl())
    if peers is None:
        aot = tomlkit.aot()
        aot.append(table)
        doc.append("peers", aot)
    else:
        peers.append(table)
    return tomlkit.dumps(doc).rstrip("\n") + "\n"
