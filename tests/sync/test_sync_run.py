"""run_sync against a local HTTP server serving the real shared data files."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from http_lab import HttpLab
from sync_helpers import DATA, fresh_rpki, write_config

from routesieve.config import load_config
from routesieve.store.snapshot_file import load_stored_snapshot
from routesieve.sync.one_source import FAILED, KEPT, OK
from routesieve.sync.run import run_sync

NOW_ISO = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def serve_every_kind(lab: HttpLab, shared: Path) -> str:
    """One real file of each kind on the lab server; returns the [sources] table."""
    builtin = Path(__file__).resolve().parents[2] / "src/routesieve/data/iana-as-numbers.csv"
    urls = {
        "rpki": lab.file("vrps.json", fresh_rpki(shared, NOW_ISO)),
        "irr": lab.file("ripe.db.route6.gz", shared / "irr/ripe-nonauth.db.route6.gz"),
        "rir": lab.file("afrinic", shared / "rir/delegated-afrinic-extended-latest.xz"),
        "iana_asn": lab.file("as-numbers.csv", builtin),
        "iana_special": lab.file("v6.csv", DATA / "iana-ipv6-special-registry-excerpt.csv"),
        "full_bogons": lab.file(
            "fullbogons-ipv4.txt", shared / "bogons/teamcymru_fullbogons-ipv4_20240310.txt"
        ),
        "peeringdb_ixpfx": lab.file("ixpfx", shared / "peeringdb/pdb_beta_anon_ixpfx.json.xz"),
        "peeringdb_ixlan": lab.file("ixlan", shared / "peeringdb/pdb_beta_anon_ixlan.json.xz"),
    }
    return "\n".join(f'{key} = "{url}"' for key, url in urls.items())


def test_sync_fetches_each_kind_and_stores_a_snapshot_with_provenance(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    config = load_config(write_config(tmp_path, serve_every_kind(lab, shared_data)))

    result = run_sync(config)

    assert [o.status for o in result.outcomes] == [OK] * 8
    assert result.snapshot_path is not None and result.exit_code(time.time()) == 0
    snapshot = load_stored_snapshot(result.snapshot_path)
    assert len(snapshot.vrps) == 19 and snapshot.route_objects and snapshot.ip_delegations
    assert snapshot.asn_blocks and snapshot.exchange_prefixes
    assert {x.exchange for x in snapshot.exchange_prefixes} == {"Equinix Ashburn"}
    by_kind = {p.kind: p for p in snapshot.provenance}
    assert by_kind["rpki"].location == lab.url("vrps.json")
    assert by_kind["rpki"].generated == NOW_ISO and "fetched" in by_kind["rpki"].note
    assert len(snapshot.bogons) > 500  # the built-in list, the registry, the full bogons
    manifest = json.loads(result.snapshot_path.with_suffix(".json").read_text())
    assert {s["status"] for s in manifest["sources"]} == {"ok"}
    records = sorted((tmp_path / "state" / "sources").glob("*/*/record.json"))
    assert len(records) == 8


def test_a_second_sync_asks_conditionally_and_keeps_the_unchanged_copies(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    config = load_config(write_config(tmp_path, serve_every_kind(lab, shared_data)))
    run_sync(config)

    again = run_sync(config)

    assert all("HTTP 304" in o.note for o in again.outcomes)
    assert "If-None-Match" in lab.hits("vrps.json")[1].headers
    assert again.snapshot_path is not None
    assert len(load_stored_snapshot(again.snapshot_path).vrps) == 19


def test_a_truncated_download_keeps_the_last_good_copy_and_says_so(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    route6 = shared_data / "irr/ripe-nonauth.db.route6.gz"
    url = lab.file("route6.gz", route6)
    config = load_config(write_config(tmp_path, f'irr = "{url}"'))
    first = run_sync(config)
    lab.truncated("route6.gz", route6, sent=5000)

    second = run_sync(config)

    (outcome,) = second.outcomes
    assert outcome.status == KEPT and outcome.error and "truncated" in outcome.error
    assert second.snapshot_path is not None and first.snapshot_path is not None
    kept = load_stored_snapshot(second.snapshot_path)
    assert kept.route_objects == load_stored_snapshot(first.snapshot_path).route_objects
    assert "KEPT LAST GOOD COPY" in kept.provenance[0].note
    (record,) = (tmp_path / "state/sources/irr").glob("*/record.json")
    assert json.loads(record.read_text())["status"] == KEPT


def test_a_page_that_is_not_the_data_is_not_taken_for_a_new_copy(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    url = lab.file("vrps.json", fresh_rpki(shared_data, NOW_ISO))
    config = load_config(write_config(tmp_path, f'rpki = "{url}"'))
    run_sync(config)
    lab.file("vrps.json", b"<html><body>maintenance</body></html>\n")

    (outcome,) = run_sync(config).outcomes

    assert outcome.status == KEPT and "vrps.json" in (outcome.error or "")
    assert outcome.count == 19


def test_a_timeout_with_no_earlier_copy_fails_the_source_and_stores_no_snapshot(
    lab: HttpLab, tmp_path: Path
) -> None:
    url = lab.slow("vrps.json", delay=3)
    sync = "[sync]\ntimeout_seconds = 1\n"
    config = load_config(write_config(tmp_path, f'rpki = "{url}"', sync))

    result = run_sync(config)

    (outcome,) = result.outcomes
    assert outcome.status == FAILED and "timed out" in (outcome.error or "")
    assert result.snapshot_path is None and result.exit_code(time.time()) == 1
    assert not (tmp_path / "state" / "snapshots").exists()


@pytest.mark.parametrize("scheme", ["rtr", "whois"])
def test_an_unreachable_server_with_no_earlier_copy_fails_that_source(
    tmp_path: Path, scheme: str
) -> None:
    from daemon_lab import free_port

    where = f"127.0.0.1:{free_port()}"
    location = f"{scheme}://{where}"
    key = "rpki" if scheme == "rtr" else "irr"
    config = load_config(
        write_config(tmp_path, f'{key} = "{location}"', "[sync]\ntimeout_seconds = 5\n")
    )

    result = run_sync(config)

    (outcome,) = result.outcomes
    assert outcome.status == FAILED
    assert where in (outcome.error or "") and "refused" in (outcome.error or "")
    assert result.snapshot_path is None


def test_only_the_newest_snapshots_are_kept(
    lab: HttpLab, shared_data: Path, tmp_path: Path
) -> None:
    url = lab.file("bogons.txt", shared_data / "bogons/teamcymru_fullbogons-ipv4_20240310.txt")
    config = load_config(write_config(tmp_path, f'full_bogons = "{url}"', "[sync]\nkeep = 2\n"))

    paths = [run_sync(config, now=1_790_000_000 + i).snapshot_path for i in range(3)]

    folder = tmp_path / "state" / "snapshots"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [p.name for p in paths[1:] if p] + [p.with_suffix(".json").name for p in paths[1:] if p]
    )


def test_every_way_the_configuration_can_name_a_source_has_a_fetcher() -> None:
    from routesieve.config.urls import DEFAULT_PORTS
    from routesieve.sync.fetchers import FETCHERS

    assert set(FETCHERS) == {*DEFAULT_PORTS, "peeringdb-api"}
