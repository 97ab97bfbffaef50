"""Snapshots stored in the older ``.npz`` form (format version 1) still load, checked.

``sync`` now writes the Arrow form (test_stored_file_errors.py); a state folder kept
from before holds ``.npz`` files, and ``report --snapshots`` may compare an old one with a
new one. They load by the old code path (a copy into memory, CRC-32 per member), and a
damaged one gives an InputError naming the file, as before.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from stored_samples import refused, sample

from routesieve.columnar import VrpTable
from routesieve.snapshot import Snapshot
from routesieve.store.layout import to_arrays
from routesieve.store.npz_file import write_npz
from routesieve.store.snapshot_file import (
    OLD_SUFFIX,
    SUFFIX,
    load_stored_snapshot,
    save_snapshot,
)

SRC = Path(__file__).resolve().parents[2] / "src"


def save_npz(snapshot: Snapshot, path: Path) -> Path:
    """``snapshot`` stored as the code before the Arrow form stored it."""
    write_npz(path, to_arrays(snapshot))
    return path


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    return save_npz(sample(), tmp_path / f"good{OLD_SUFFIX}")


def test_an_old_snapshot_loads_as_it_was_saved(stored: Path) -> None:
    loaded = load_stored_snapshot(stored)
    assert loaded == sample() and loaded.provenance == sample().provenance
    assert isinstance(loaded.vrps, VrpTable)


@pytest.mark.slow
def test_an_old_snapshot_of_real_data_loads_like_the_arrow_form(
    real_snapshot: Snapshot, tmp_path: Path
) -> None:
    old = load_stored_snapshot(save_npz(real_snapshot, tmp_path / f"real{OLD_SUFFIX}"))
    new = load_stored_snapshot(save_snapshot(real_snapshot, tmp_path / f"real{SUFFIX}"))
    assert old == new == real_snapshot
    for name in ("vrps", "route_objects", "bogons", "ip_delegations", "asn_delegations"):
        assert getattr(old, name).same_columns(getattr(new, name)), name


@pytest.mark.parametrize("keep", [0, 1, 100, 0.5, 0.99, -22, -1])
def test_a_truncated_file_is_refused(stored: Path, keep: float) -> None:
    data = stored.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    stored.write_bytes(data[:cut])
    message = refused(stored)
    assert "cut short or damaged" in message or (cut < 4 and "not a stored snapshot" in message)


def test_a_flipped_byte_in_a_column_is_caught_by_its_checksum(stored: Path) -> None:
    with zipfile.ZipFile(stored) as archive:
        info = archive.getinfo("vrps.asn.npy")
    data = bytearray(stored.read_bytes())
    data[info.header_offset + 200 + info.file_size // 2] ^= 0x01
    stored.write_bytes(bytes(data))
    assert "damaged (CRC-32 mismatch)" in refused(stored)


def test_a_flipped_byte_in_the_header_is_caught(stored: Path) -> None:
    with zipfile.ZipFile(stored) as archive:
        info = archive.getinfo("meta.npy")
    data = bytearray(stored.read_bytes())
    data[info.header_offset + 200] ^= 0x20
    stored.write_bytes(bytes(data))
    assert "not a usable stored snapshot" in refused(stored)


def test_an_ordinary_numpy_archive_is_not_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, x=np.arange(10))
    assert "not a stored snapshot" in refused(path)


def test_a_compressed_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / f"compressed{OLD_SUFFIX}"
    np.savez_compressed(path, **to_arrays(sample(10)))
    assert "compressed" in refused(path)


def test_an_object_array_is_refused_without_unpickling_it(tmp_path: Path) -> None:
    arrays = to_arrays(sample(10))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, evil=np.array([os.getcwd], dtype=object))
    path = tmp_path / f"evil{OLD_SUFFIX}"
    path.write_bytes(buffer.getvalue())
    assert "not a plain column of numbers" in refused(path)


def rewrite_meta(path: Path, old: bytes, new: bytes) -> None:
    arrays = to_arrays(sample(10))
    raw = arrays["meta"].tobytes()
    assert old in raw
    arrays["meta"] = np.frombuffer(raw.replace(old, new), np.uint8)
    np.savez(path, **arrays)


def test_another_format_version_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / f"v2{OLD_SUFFIX}"
    rewrite_meta(path, b'"version":1', b'"version":2')
    message = refused(path)
    assert "format version 2" in message and "run sync again" in message


def test_another_header_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / f"other{OLD_SUFFIX}"
    rewrite_meta(path, b'"format":"routesieve-snapshot"', b'"format":"something-else"')
    assert "not a stored routesieve snapshot" in refused(path)


def test_a_count_that_does_not_match_its_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / f"count{OLD_SUFFIX}"
    rewrite_meta(path, b'"vrps":10', b'"vrps":11')
    assert "vrps hold 10 items, not 11" in refused(path)


def test_a_missing_column_is_refused(tmp_path: Path) -> None:
    arrays = to_arrays(sample(10))
    del arrays["route_objects.origin"]
    path = tmp_path / f"short{OLD_SUFFIX}"
    np.savez(path, **arrays)
    assert "missing 'route_objects.origin'" in refused(path)


def test_a_column_of_the_wrong_type_or_length_is_refused(tmp_path: Path) -> None:
    arrays = to_arrays(sample(10))
    arrays["vrps.asn"] = arrays["vrps.asn"].astype(np.int64)
    np.savez(tmp_path / f"type{OLD_SUFFIX}", **arrays)
    assert "VrpTable.asn: not a column of u4" in refused(tmp_path / f"type{OLD_SUFFIX}")
    arrays = to_arrays(sample(10))
    arrays["vrps.max_length"] = arrays["vrps.max_length"][:-1]
    np.savez(tmp_path / f"length{OLD_SUFFIX}", **arrays)
    assert "9 rows, not 10" in refused(tmp_path / f"length{OLD_SUFFIX}")


def test_a_string_code_past_its_table_is_refused(tmp_path: Path) -> None:
    arrays = to_arrays(sample(10))
    arrays["vrps.ta"] = arrays["vrps.ta"] + 1
    np.savez(tmp_path / f"codes{OLD_SUFFIX}", **arrays)
    assert "past the end of its table" in refused(tmp_path / f"codes{OLD_SUFFIX}")


def test_a_snapshot_stored_before_aspa_existed_loads_with_none(tmp_path: Path) -> None:
    """The header of a file written before ASPA records were stored has no "aspas" key."""
    arrays = to_arrays(sample(10))
    meta = json.loads(arrays["meta"].tobytes().decode("ascii"))
    del meta["aspas"]
    del meta["counts"]["aspas"]
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("ascii"), np.uint8)
    path = tmp_path / f"old{OLD_SUFFIX}"
    write_npz(path, arrays)
    loaded = load_stored_snapshot(path)
    assert tuple(loaded.aspas) == () and len(loaded.vrps) == 10
