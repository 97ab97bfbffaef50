"""Large data files read two at a time (sources/load.py ``read_sources``, with the second
process of sources/read_worker.py): the same data, the same errors, whatever happens to
the second process."""

from __future__ import annotations

import pickle
import sys
from pathlib import Path

import pytest

from routesieve.problems import InputError, Problem
from routesieve.sources import load
from routesieve.sources.load import needs_parsing, read_source, read_sources
from routesieve.textio import DamagedFile

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
ENTRIES = [
    ("rpki", DATA / "rpki" / "stayrtr_test.rpki.json"),
    ("irr", DATA / "irr" / "ripe-nonauth.db.route.gz"),
    ("rir", DATA / "rir" / "delegated-lacnic-extended-latest.xz"),
]


@pytest.fixture
def every_file_is_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(load, "PARSE_BYTES", 0)
    monkeypatch.setenv("ROUTESIEVE_CACHE_DIR", "off")


def _entries() -> list[tuple[str, Path]]:
    return list(ENTRIES)


def _same(a: load.SourceData, b: load.SourceData) -> None:
    assert a.kind == b.kind and a.provenance == b.provenance and a.problems == b.problems
    assert list(a.vrps) == list(b.vrps)
    assert list(a.route_objects) == list(b.route_objects)
    assert list(a.ip_delegations) == list(b.ip_delegations)
    assert list(a.asn_delegations) == list(b.asn_delegations)
    assert a.as_sets == b.as_sets and a.org_handles == b.org_handles and a.aspas == b.aspas


@pytest.mark.usefixtures("every_file_is_large")
def test_files_read_in_a_second_process_equal_those_read_here() -> None:
    entries = _entries()
    two = read_sources(entries, processes=2)
    one = read_sources(entries, processes=1)
    assert [p.kind for p in two] == ["rpki", "irr", "rir"]
    assert len(two[0].vrps) and len(two[1].route_objects) and len(two[2].ip_delegations)
    for a, b in zip(two, one, strict=True):
        _same(a, b)


@pytest.mark.usefixtures("every_file_is_large")
def test_unusable_file_read_by_the_second_process_is_named_as_here(tmp_path: Path) -> None:
    bad = tmp_path / "vrps.json"
    bad.write_text('{"roas": [')  # cut short
    entries = [("rpki", bad), *_entries()[1:]]  # the RPSL file is the largest: read here
    with pytest.raises(InputError) as here:
        read_sources(entries, processes=1)
    with pytest.raises(InputError) as there:
        read_sources(entries, processes=2)
    assert str(there.value) == str(here.value) and str(bad) in str(there.value)
    assert there.value.problems == here.value.problems


@pytest.mark.usefixtures("every_file_is_large")
def test_second_process_that_dies_leaves_the_reading_to_this_one(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")
    entries = _entries()
    got = read_sources(entries, processes=2)
    for a, b in zip(got, [read_source(*e) for e in entries], strict=True):
        _same(a, b)
    assert "second reading process failed" in caplog.text


def test_small_or_cached_files_stay_in_this_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ROUTESIEVE_CACHE_DIR", str(tmp_path / "cache"))
    rpki, irr = _entries()[0], _entries()[1]
    assert not needs_parsing(*rpki)  # under PARSE_BYTES
    monkeypatch.setattr(load, "PARSE_BYTES", 0)
    assert needs_parsing(*rpki) and needs_parsing(*irr)
    read_source(*rpki)
    read_source(*irr)
    # read_source and needs_parsing name the same cached readers
    assert not needs_parsing(*rpki) and not needs_parsing(*irr)


def test_input_errors_survive_pickling_with_their_problems_and_kind() -> None:
    plain = InputError([Problem("a.json", 3, "bad line"), Problem("a.json", 9, "worse")])
    again = pickle.loads(pickle.dumps(plain))
    assert type(again) is InputError and again.problems == plain.problems
    assert str(again) == str(plain)
    damaged = DamagedFile("b.xz", "damaged xz file", 120, 4096)
    back = pickle.loads(pickle.dumps(damaged))
    assert type(back) is DamagedFile and (back.offset, back.produced) == (120, 4096)
    assert str(back) == str(damaged) and back.problems == damaged.problems
