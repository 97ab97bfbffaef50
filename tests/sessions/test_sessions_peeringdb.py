"""The PeeringDB flags, with an in-memory record source (the PeerRecords interface): a
first check records the record as at setup; a change in a watched field is named; a
record without a usable contact is flagged; a failing source is reported, not raised."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from routesieve.sessions.peeringdb_watch import ClientRecords, check_peer


class Records:
    """PeerRecords from dictionaries, as a test double of the PeeringDB API."""

    def __init__(self) -> None:
        self.nets: dict[int, dict[str, Any]] = {}
        self.pocs: dict[int, list[dict[str, Any]]] = {}
        self.fail = False

    def network(self, asn: int) -> Mapping[str, Any] | None:
        if self.fail:
            raise ConnectionError("connection refused")
        return self.nets.get(asn)

    def contacts(self, asn: int) -> Sequence[Mapping[str, Any]]:
        return self.pocs.get(asn, [])


def _records() -> Records:
    r = Records()
    r.nets[65010] = {
        "id": 1,
        "asn": 65010,
        "name": "Peer",
        "irr_as_set": "AS-PEER",
        "info_prefixes6": 10,
        "updated": "2026-01-01T00:00:00Z",
    }
    r.pocs[65010] = [{"role": "NOC", "email": "noc@example.net", "visible": "Public"}]
    return r


def test_first_check_records_the_setup_fingerprint(tmp_path: Path) -> None:
    check = check_peer(_records(), tmp_path, 65010, "Peer")
    assert (check.in_peeringdb, check.contact_missing, check.changed) == (True, False, False)
    stored = json.loads((tmp_path / "peeringdb-65010.json").read_text())
    assert stored["asn"] == 65010 and len(stored["fingerprint"]) == 64
    assert stored["fields"]["net.irr_as_set"] == "AS-PEER"


def test_a_changed_record_is_flagged_with_the_fields(tmp_path: Path) -> None:
    records = _records()
    check_peer(records, tmp_path, 65010, "Peer")
    records.nets[65010]["updated"] = "2026-06-01T00:00:00Z"  # not watched
    assert check_peer(records, tmp_path, 65010, "Peer").changed is False
    records.nets[65010]["irr_as_set"] = "AS-OTHER"
    records.pocs[65010][0]["email"] = "new@example.net"
    check = check_peer(records, tmp_path, 65010, "Peer")
    assert check.changed is True
    assert check.changed_fields == ("contacts", "net.irr_as_set")
    # the operator takes the new record as the reference
    assert check_peer(records, tmp_path, 65010, "Peer", rebaseline=True).changed is False
    assert check_peer(records, tmp_path, 65010, "Peer").changed is False


def test_missing_contact_and_missing_record_are_flagged(tmp_path: Path) -> None:
    records = _records()
    records.pocs[65010] = [{"role": "Policy", "email": "", "phone": " "}]
    assert check_peer(records, tmp_path, 65010, "Peer").contact_missing is True
    records.pocs[65010] = []
    assert check_peer(records, tmp_path, 65010, "Peer").contact_missing is True
    gone = check_peer(records, tmp_path, 65099, "Nobody")
    assert gone.in_peeringdb is False and gone.changed is None


def test_failing_source_and_broken_state_file_are_reported(tmp_path: Path) -> None:
    records = _records()
    records.fail = True
    check = check_peer(records, tmp_path, 65010, "Peer")
    assert check.in_peeringdb is None and "connection refused" in check.error
    records.fail = False
    (tmp_path / "peeringdb-65010.json").write_text("{not json")
    broken = check_peer(records, tmp_path, 65010, "Peer")
    assert broken.changed is None and "peeringdb-65010.json" in broken.error


def test_client_records_ask_contacts_by_net_id() -> None:
    class Api:
        def network(self, asn: int) -> Mapping[str, Any] | None:
            return {"id": 77, "asn": asn} if asn == 65010 else None

        def pocs(self, net_id: int) -> Sequence[Mapping[str, Any]]:
            return [{"net_id": net_id, "email": "x@example.net"}]

    records = ClientRecords(Api())
    assert records.contacts(65010) == [{"net_id": 77, "email": "x@example.net"}]
    assert records.contacts(65011) == []
