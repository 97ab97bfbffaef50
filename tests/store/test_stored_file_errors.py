"""Bad stored-snapshot files give a clear InputError naming the file; failed saves keep the old.

Every damaged file here is made from a real stored snapshot: cut short, a byte flipped,
a member replaced, or a file that is something else altogether.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from routesieve.model import Prefix, RouteObject, Vrp
from routesieve.problems import InputError
from routesieve.snapshot import Provenance, Snapshot
from routesieve.store.layout import to_arrays
from routesieve.store.npz_file import write_npz
from routesieve.store.snapshot_file import SUFFIX, load_stored_snapshot, save_snapshot

SRC = Path(__file__).resolve().parents[2] / "src"


def sample(n: int = 2000, asn: int = 64500) -> Snapshot:
    prefixes = [Prefix(6, (0x2001_0DB8 << 96) | (i << 64), 64) for i in range(n)]
    return Snapshot(
        as_of=1_750_000_000,
        vrps=tuple(Vrp(p, 64, asn + i % 7, "ripe", 1_800_000_000) for i, p in enumerate(prefixes)),
        route_objects=tuple(RouteObject(p, asn, "RIPE") for p in prefixes),
        provenance=(Provenance("rpki", "/data/vrps.json", "2026-11-26", n),),
    )


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    return save_snapshot(sample(), tmp_path / f"good{SUFFIX}")


def refused(path: Path) -> str:
    """The message of the InputError loading ``path`` raises; it names the file."""
    with pytest.raises(InputError) as caught:
        load_stored_snapshot(path)
    message = str(caught.value)
    assert str(path) in message
    assert "Traceback" not in message
    return message


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert "cannot read" in refused(tmp_path / f"none{SUFFIX}")


def test_a_folder_is_not_a_snapshot(tmp_path: Path) -> None:
    assert "cannot read" in refused(tmp_path)


@pytest.mark.parametrize("keep", [0, 1, 100, 0.5, 0.99, -22, -1])
def test_a_truncated_file_is_refused(stored: Path, keep: float) -> None:
    data = stored.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    stored.write_bytes(data[:cut])
    message = refused(stored)
    assert "cut short or damaged" in message or (cut < 4 and "not a numpy archive" in message)


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


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"route: 192.0.2.0/24\norigin: AS64500\nsource: RIPE\n",
        b'{"roas": []}',
        pickle.dumps(sample(3)),  # the first stored form: refused, never unpickled
    ],
    ids=["empty", "rpsl", "json", "old-pickle"],
)
def test_foreign_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / f"foreign{SUFFIX}"
    path.write_bytes(content)
    assert "not a numpy archive" in refused(path)


def test_an_ordinary_numpy_archive_is_not_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "other.npz"
    np.savez(path, x=np.arange(10))
    assert "not a stored snapshot" in refused(path)


def test_a_compressed_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / f"compressed{SUFFIX}"
    np.savez_compressed(path, **to_arrays(sample(10)))
    assert "compressed" in refused(path)


def test_an_object_array_is_refused_without_unpickling_it(tmp_path: Path) -> None:
    arrays = to_arrays(sample(10))
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, evil=np.array([os.getcwd], dtype=object))
    path = tmp_path / f"evil{SUFFIX}"
    path.write_bytes(buffer.getvalue())
    assert "not a plain column of numbers" in refused(path)


def rewrite_meta(path: Path, old: bytes, new: bytes) -> None:
    arrays = to_arrays(sample(10))
    raw = arrays["meta"].tobytes()
    assert old in raw
    arrays["meta"] = np.frombuffer(raw.replace(old, new), np.uint8)
    np.savez(path, **arrays)


def test_another_format_version_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / f"v2{SUFFIX}"
    rewrite_meta(path, b'"version":1', b'"version":2')
    message = refused(path)
    assert "format version 2" in message and "run sync again" in message


def test_another_header_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / f"other{SUFFIX}"
    rewrite_meta(path, b'"format":"routesieve-snapshot"', b'"format":"something-else"')
    assert "not a stored routesieve snapshot" in refused(path)


def test_a_count_that_does_not_match_its_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / f"count{SUFFIX}"
    rewrite_meta(path, b'"vrps":10', b'"vrps":11')
    assert "vrps hold 10 items, not 11" in refused(path)


def test_a_missing_column_is_refused(tmp_path: Path) -> None:
    arrays = to_arrays(sample(10))
    del arrays["route_objects.origin"]
    path = tmp_path / f"short{SUFFIX}"
    np.savez(path, **arrays)
    assert "missing 'route_objects.origin'" in refused(path)


def test_a_column_of_the_wrong_type_or_length_is_refused(tmp_path: Path) -> None:
    arrays = to_arrays(sample(10))
    arrays["vrps.asn"] = arrays["vrps.asn"].astype(np.int64)
    np.savez(tmp_path / f"type{SUFFIX}", **arrays)
    assert "VrpTable.asn: not a column of u4" in refused(tmp_path / f"type{SUFFIX}")
    arrays = to_arrays(sample(10))
    arrays["vrps.max_length"] = arrays["vrps.max_length"][:-1]
    np.savez(tmp_path / f"length{SUFFIX}", **arrays)
    assert "9 rows, not 10" in refused(tmp_path / f"length{SUFFIX}")


def test_a_string_code_past_its_table_is_refused(tmp_path: Path) -> None:
    arrays = to_arrays(sample(10))
    arrays["vrps.ta"] = arrays["vrps.ta"] + 1
    np.savez(tmp_path / f"codes{SUFFIX}", **arrays)
    assert "past the end of its table" in refused(tmp_path / f"codes{SUFFIX}")


def test_a_value_the_columns_cannot_hold_fails_the_save_and_keeps_the_old_file(
    stored: Path,
) -> None:
    before = stored.read_bytes()
    too_big = Snapshot(as_of=0, vrps=(Vrp(Prefix.parse("192.0.2.0/24"), 24, 1, "", 1 << 70),))
    with pytest.raises(ValueError, match="cannot store the vrps"):
        save_snapshot(too_big, stored)
    assert stored.read_bytes() == before
    assert sorted(p.name for p in stored.parent.iterdir()) == [stored.name]


SAVE_WITH_A_FILE_SIZE_LIMIT = """
import resource, signal, sys
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from test_stored_file_errors import sample
from routesieve.store.snapshot_file import save_snapshot
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
try:
    save_snapshot(sample(20_000, asn=65000), Path(sys.argv[1]))
except OSError as exc:
    print("failed:", exc.strerror)
"""


def test_a_save_that_fails_midway_leaves_the_previous_file(stored: Path) -> None:
    before = stored.read_bytes()
    assert len(before) < 200_000
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SAVE_WITH_A_FILE_SIZE_LIMIT,
            str(stored),
            str(Path(__file__).parent),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert done.returncode == 0, done.stderr
    assert "failed: File too large" in done.stdout
    assert stored.read_bytes() == before
    assert sorted(p.name for p in stored.parent.iterdir()) == [stored.name]  # no temp left
    assert load_stored_snapshot(stored) == sample()


def test_a_snapshot_stored_before_aspa_existed_loads_with_none(tmp_path: Path) -> None:
    """The header of a file written before ASPA records were stored has no "aspas" key."""
    arrays = to_arrays(sample(10))
    meta = json.loads(arrays["meta"].tobytes().decode("ascii"))
    del meta["aspas"]
    del meta["counts"]["aspas"]
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("ascii"), np.uint8)
    path = tmp_path / f"old{SUFFIX}"
    write_npz(path, arrays)
    loaded = load_stored_snapshot(path)
    assert tuple(loaded.aspas) == () and len(loaded.vrps) == 10
