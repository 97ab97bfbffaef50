"""The PeeringDB checks of ``sessions`` through the real API client, against the local
replay of real PeeringDB answers (tests/support/peeringdb_replay.py): a record that
changes after setup is flagged with the changed field; a network without contacts is
flagged; a PeeringDB that fails is reported for that peer, not raised."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from peeringdb_replay import PeeringDbReplay

from routesieve.sessions.peeringdb_watch import ClientRecords, check_peer
from routesieve.sources.peeringdb.client import PeeringDbClient

IONOS = 8560


@pytest.fixture
def replay(shared_data: Path) -> Iterator[PeeringDbReplay]:
    with PeeringDbReplay(shared_data / "peeringdb") as server:
        yield server


def _records(server: PeeringDbReplay) -> ClientRecords:
    return ClientRecords(PeeringDbClient(server.base_url, timeout=5, max_retries=0))


def test_record_changed_since_setup_names_the_field(
    replay: PeeringDbReplay, tmp_path: Path
) -> None:
    first = check_peer(_records(replay), tmp_path, IONOS, "IONOS")
    assert (first.in_peeringdb, first.changed) == (True, False)
    net = replay.find("net", asn=IONOS)[0]
    replay.overlay("net", {"id": net["id"], "irr_as_set": "AS-CHANGED-FOR-TEST"})
    later = check_peer(_records(replay), tmp_path, IONOS, "IONOS")
    assert later.changed is True
    assert "net.irr_as_set" in later.changed_fields


def test_network_without_contacts_is_flagged(replay: PeeringDbReplay, tmp_path: Path) -> None:
    net = replay.find("net", asn=IONOS)[0]
    for poc in replay.find("poc", net_id=net["id"]):
        replay.remove("poc", poc["id"])
    check = check_peer(_records(replay), tmp_path, IONOS, "IONOS")
    assert check.contact_missing is True


def test_peeringdb_failure_is_reported_for_the_peer(
    replay: PeeringDbReplay, tmp_path: Path
) -> None:
    replay.fail_next("502", count=10)
    check = check_peer(_records(replay), tmp_path, IONOS, "IONOS")
    assert check.in_peeringdb is None
    assert check.error is not None and "PeeringDB" in check.error
