"""Whether a peer's PeeringDB record still lists a contact, and whether it changed since
its session was set up.

The records come through :class:`PeerRecords`, a two-method interface, so that any
PeeringDB reader fits (the API client of :mod:`routesieve.sources.peeringdb` through
:class:`ClientRecords`, or a test's dictionary). The first time a peer is checked, a
fingerprint of the fields that matter to a peering (names, as-set, prefix counts, policy,
contacts) is written to ``<folder>/peeringdb-<asn>.json``: that is the record as it was
when the session was set up. Later checks compare with it and name the fields that
differ; :func:`record_baseline` takes the current record as the new reference once the
operator has looked at the change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from routesieve.sessions.status import PeerCheck
from routesieve.sources.fetched import write_atomically

NETWORK_FIELDS = (
    "name",
    "aka",
    "website",
    "irr_as_set",
    "info_type",
    "info_prefixes4",
    "info_prefixes6",
    "policy_general",
    "policy_url",
    "status",
)
CONTACT_FIELDS = ("role", "name", "email", "phone", "url", "visible")


class PeerRecords(Protocol):
    """Where PeeringDB records come from: the ``net`` object of an AS (None when PeeringDB
    has none) and its points of contact (``poc`` objects)."""

    def network(self, asn: int) -> Mapping[str, Any] | None: ...

    def contacts(self, asn: int) -> Sequence[Mapping[str, Any]]: ...


class PeeringDbApi(Protocol):
    """The shape of ``PeeringDbClient``: ``network(asn)`` and ``pocs(net_id)``."""

    def network(self, asn: int) -> Mapping[str, Any] | None: ...

    def pocs(self, net_id: int) -> Sequence[Mapping[str, Any]]: ...


class ClientRecords:
    """:class:`PeerRecords` over a PeeringDB API client (contacts are asked by net id)."""

    def __init__(self, client: PeeringDbApi) -> None:
        self.client = client
        self._ids: dict[int, int | None] = {}

    def network(self, asn: int) -> Mapping[str, Any] | None:
        net = self.client.network(asn)
        ident = net.get("id") if net is not None else None
        self._ids[asn] = ident if isinstance(ident, int) else None
        return net

    def contacts(self, asn: int) -> Sequence[Mapping[str, Any]]:
        if asn not in self._ids:
            self.network(asn)
        ident = self._ids.get(asn)
        return self.client.pocs(ident) if ident is not None else []


def record_fields(
    network: Mapping[str, Any], contacts: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The compared part of a record: the network fields, and the contacts sorted."""
    fields = {f"net.{key}": network.get(key) for key in NETWORK_FIELDS}
    people = sorted(
        ({key: c.get(key) for key in CONTACT_FIELDS} for c in contacts),
        key=lambda c: json.dumps(c, sort_keys=True, default=str),
    )
    fields["contacts"] = people
    return fields


def fingerprint(fields: Mapping[str, Any]) -> str:
    """A SHA-256 of the fields written canonically (sorted keys, no blanks)."""
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def has_contact(contacts: Sequence[Mapping[str, Any]]) -> bool:
    """True when some contact has an email address or a phone number."""
    return any(
        str(c.get("email") or "").strip() or str(c.get("phone") or "").strip() for c in contacts
    )


def baseline_path(folder: Path, asn: int) -> Path:
    return folder / f"peeringdb-{asn}.json"


def record_baseline(
    folder: Path, asn: int, fields: Mapping[str, Any], now: datetime | None = None
) -> str:
    """Write the reference record of ``asn``; returns its time (ISO 8601, UTC)."""
    when = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    body = {"asn": asn, "recorded_at": when, "fingerprint": fingerprint(fields), "fields": fields}
    text = json.dumps(body, sort_keys=True, indent=1, default=str) + "\n"
    write_atomically(baseline_path(folder, asn), [text.encode()])
    return when


def check_peer(
    records: PeerRecords, folder: Path, asn: int, name: str, rebaseline: bool = False
) -> PeerCheck:
    """The PeeringDB checks of peer ``asn``; a first check (or ``rebaseline``) records the
    reference. A records source that fails gives a check with ``error``, never a raise."""
    try:
        network = records.network(asn)
        contacts = list(records.contacts(asn)) if network is not None else []
    except Exception as exc:  # any reader may be plugged in: its failure is reported
        return PeerCheck(asn, name, None, None, None, error=f"PeeringDB: {exc}")
    if network is None:
        return PeerCheck(asn, name, False, None, None, error="no PeeringDB record for this AS")
    fields = record_fields(network, contacts)
    missing = not has_contact(contacts)
    path = baseline_path(folder, asn)
    try:
        if rebaseline or not path.exists():
            when = record_baseline(folder, asn, fields)
            return PeerCheck(asn, name, True, missing, False, (), when)
        stored = json.loads(path.read_text(encoding="utf-8"))
        old = stored["fields"]
        when = str(stored["recorded_at"])
        if not isinstance(old, dict):
            raise TypeError("'fields' is not an object")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return PeerCheck(asn, name, True, missing, None, error=f"{path}: unusable ({exc})")
    if fingerprint(old) == fingerprint(fields):
        return PeerCheck(asn, name, True, missing, False, (), when)
    # compare through JSON, as stored (tuples and lists, ints and their text alike)
    now = json.loads(json.dumps(fields, default=str))
    changed = tuple(sorted(k for k in set(old) | set(now) if old.get(k) != now.get(k)))
    return PeerCheck(asn, name, True, missing, True, changed, when)
