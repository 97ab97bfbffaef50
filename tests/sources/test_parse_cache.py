"""The cache of parsed data files: used when the file is unchanged, never when it changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from routesieve.sources.parse_cache import cached


def counting_reader(calls: list[Path]):  # type: ignore[no-untyped-def]
    def read(path: Path) -> str:
        calls.append(path)
        return path.read_text()

    return read


def test_unchanged_file_is_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUTESIEVE_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "vrps.json"
    data.write_text("first")
    calls: list[Path] = []
    assert cached(data, "rpki", counting_reader(calls)) == "first"
    assert cached(data, "rpki", counting_reader(calls)) == "first"
    assert len(calls) == 1


def test_changed_file_is_parsed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTESIEVE_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "vrps.json"
    data.write_text("first")
    calls: list[Path] = []
    cached(data, "rpki", counting_reader(calls))
    data.write_text("second!")
    os.utime(data, ns=(1, 1))  # even a file whose time went backwards is read again
    assert cached(data, "rpki", counting_reader(calls)) == "second!"
    assert len(calls) == 2


def test_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTESIEVE_CACHE_DIR", "off")
    data = tmp_path / "vrps.json"
    data.write_text("x")
    calls: list[Path] = []
    cached(data, "rpki", counting_reader(calls))
    cached(data, "rpki", counting_reader(calls))
    assert len(calls) == 2


def test_damaged_cache_entry_is_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("ROUTESIEVE_CACHE_DIR", str(cache))
    data = tmp_path / "vrps.json"
    data.write_text("x")
    calls: list[Path] = []
    cached(data, "rpki", counting_reader(calls))
    for entry in cache.iterdir():
        entry.write_bytes(b"not a pickle")
    assert cached(data, "rpki", counting_reader(calls)) == "x"
    assert len(calls) == 2


def test_missing_file_is_left_to_the_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUTESIEVE_CACHE_DIR", str(tmp_path / "cache"))

    def read(path: Path) -> str:
        raise FileNotFoundError(path)

    with pytest.raises(FileNotFoundError):
        cached(tmp_path / "gone.json", "rpki", read)


def read_upper(path: Path) -> str:
    return path.read_text().upper()


def read_lower(path: Path) -> str:
    return path.read_text().lower()


def test_an_entry_of_another_reader_is_never_handed_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader replaced by one that returns another shape (the delegation reader that
    became a table reader) under the same kind: the old entry is not used."""
    monkeypatch.setenv("ROUTESIEVE_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "delegated-ripencc-extended-latest"
    data.write_text("Mixed")
    assert cached(data, "rir", read_upper) == "MIXED"
    assert cached(data, "rir", read_lower) == "mixed"
    assert cached(data, "rir", read_upper) == "MIXED"
