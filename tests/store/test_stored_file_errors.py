"""Bad stored-snapshot files give a clear InputError naming the file; failed saves keep the old.

Every damaged file here is made from a real stored snapshot (the Arrow form): cut short,
a bit flipped, a wrong magic number, lengths and offsets far past the end, a header or a
segment replaced (with a checksum that matches, so Arrow's and the tables' own checks
are reached), or a file that is something else altogether.
"""

from __future__ import annotations

import json
import os
import pickle
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from stored_samples import refused, sample

from routesieve.model import AsSet, OrgHandle, Prefix, Vrp
from routesieve.snapshot import Snapshot
from routesieve.store.arrow_file import MAGIC, serialize, write_container
from routesieve.store.arrow_layout import to_batches
from routesieve.store.snapshot_file import SUFFIX, load_stored_snapshot, save_snapshot

SRC = Path(__file__).resolve().parents[2] / "src"
PREAMBLE = struct.Struct("<16sQII")


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    return save_snapshot(sample(), tmp_path / f"good{SUFFIX}")


def parts(path: Path) -> tuple[dict[str, Any], int, bytes]:
    """The header of a stored file, where its segments start, and the file's bytes."""
    data = path.read_bytes()
    _, length, _, _ = PREAMBLE.unpack_from(data)
    header = json.loads(data[PREAMBLE.size : PREAMBLE.size + length])
    return header, -(-(PREAMBLE.size + length) // 64) * 64, data


def rewrite_header(path: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    """Change the header of a stored file, with a header checksum that matches."""
    header, start, data = parts(path)
    edit(header)
    text = json.dumps(header).encode("ascii")
    out = PREAMBLE.pack(MAGIC, len(text), zlib.crc32(text), 0) + text
    out += bytes(-len(out) % 64) + data[start:]
    path.write_bytes(out)


def segment_at(path: Path, name: str) -> tuple[int, int]:
    """Where a segment lies in the file: (offset, length)."""
    header, start, _ = parts(path)
    offset, length, _ = header["segments"][name]
    return start + offset, length


def replace_batch(path: Path, name: str, batch: pa.RecordBatch) -> None:
    """Store ``batch`` as segment ``name`` of a file made from :func:`sample`."""
    header, batches = to_batches(sample(10))
    batches[name] = batch
    write_container(path, header, batches)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    assert "cannot read" in refused(tmp_path / f"none{SUFFIX}")


def test_a_folder_is_not_a_snapshot(tmp_path: Path) -> None:
    assert "cannot read" in refused(tmp_path)


@pytest.mark.parametrize("keep", [0, 1, 15, 16, 31, 100, 0.5, 0.99, -22, -1])
def test_a_truncated_file_is_refused(stored: Path, keep: float) -> None:
    data = stored.read_bytes()
    cut = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    stored.write_bytes(data[:cut])
    message = refused(stored)
    assert "cut short" in message or (cut < len(MAGIC) and "not a stored snapshot" in message)


@pytest.mark.parametrize("where", ["vrps", "route_objects", "bogons"])
@pytest.mark.parametrize("at", [0.0, 0.5, 0.999])
def test_a_flipped_bit_in_a_segment_is_caught_by_its_checksum(
    stored: Path, where: str, at: float
) -> None:
    offset, length = segment_at(stored, where)
    data = bytearray(stored.read_bytes())
    data[offset + int(length * at)] ^= 0x04
    stored.write_bytes(bytes(data))
    assert f"segment {where!r} is damaged (CRC-32 mismatch)" in refused(stored)


@pytest.mark.parametrize("at", [len(MAGIC), 20, 24, 28, PREAMBLE.size, PREAMBLE.size + 40])
def test_a_flipped_bit_in_the_preamble_or_header_is_caught(stored: Path, at: int) -> None:
    data = bytearray(stored.read_bytes())
    data[at] ^= 0x10
    stored.write_bytes(bytes(data))
    message = refused(stored)
    assert "header is damaged (CRC-32 mismatch)" in message or "cut short" in message


def test_a_wrong_magic_number_is_refused(stored: Path) -> None:
    data = bytearray(stored.read_bytes())
    data[3] ^= 0x01
    stored.write_bytes(bytes(data))
    assert "not a stored snapshot" in refused(stored)


def test_a_header_length_far_past_the_end_is_refused_at_once(stored: Path) -> None:
    data = bytearray(stored.read_bytes())
    struct.pack_into("<Q", data, len(MAGIC), (1 << 64) - 1)
    stored.write_bytes(bytes(data))
    assert "a header of 18446744073709551615 bytes declared" in refused(stored)


@pytest.mark.parametrize(
    ("place", "said"),
    [
        ([0, 1 << 62, 0], "ends at byte"),
        ([1 << 62, 100, 0], "ends at byte"),
        ([64 * 10**30, 100, 0], "ends at byte"),
        ([0, -5, 0], "bad place"),
        ([0, 1.5, 0], "bad place"),
        ("everything", "bad place"),
        ([3, 10, 0], "not a multiple of 64"),
    ],
)
def test_segment_lengths_and_offsets_past_the_end_are_refused(
    stored: Path, place: Any, said: str
) -> None:
    rewrite_header(stored, lambda h: h["segments"].update(vrps=place))
    assert said in refused(stored)


def test_a_segment_that_is_not_arrow_is_refused_even_with_a_good_checksum(stored: Path) -> None:
    offset, length = segment_at(stored, "vrps")
    data = bytearray(stored.read_bytes())
    data[offset : offset + length] = bytes(range(256)) * (length // 256) + bytes(length % 256)
    stored.write_bytes(bytes(data))
    rewrite_header(
        stored, lambda h: h["segments"]["vrps"].__setitem__(2, zlib.crc32(data[offset:][:length]))
    )
    assert "segment 'vrps' is not a sound Arrow IPC file" in refused(stored)


def test_an_arrow_file_of_two_batches_is_refused(stored: Path, tmp_path: Path) -> None:
    _, batches = to_batches(sample(10))
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, batches["vrps"].schema) as writer:
        writer.write_batch(batches["vrps"])
        writer.write_batch(batches["vrps"])
    two = sink.getvalue().to_pybytes()
    _, start, data = parts(stored)
    data += bytes(-len(data) % 64)
    stored.write_bytes(data + two)  # appended, and the vrps segment pointed at it
    place = [len(data) - start, len(two), zlib.crc32(two)]
    rewrite_header(stored, lambda h: h["segments"].update(vrps=place))
    assert "segment 'vrps' is not a sound Arrow IPC file (2 record batches, not 1)" in refused(
        stored
    )


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"route: 192.0.2.0/24\norigin: AS64500\nsource: RIPE\n",
        b'{"roas": []}',
        pickle.dumps(sample(3)),  # the first stored form: refused, never unpickled
        b"ARROW1\x00\x00",  # a plain Arrow IPC file is not a snapshot either
    ],
    ids=["empty", "rpsl", "json", "old-pickle", "plain-arrow"],
)
def test_foreign_files_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / f"foreign{SUFFIX}"
    path.write_bytes(content)
    assert "not a stored snapshot (neither the Arrow form nor the older .npz one)" in refused(path)


def test_a_plain_arrow_ipc_file_is_not_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "table.arrow"
    path.write_bytes(serialize(pa.record_batch({"x": pa.array(np.arange(10))})).to_pybytes())
    assert "not a stored snapshot" in refused(path)


def test_another_format_version_is_refused_with_advice(stored: Path) -> None:
    rewrite_header(stored, lambda h: h.update(version=3))
    message = refused(stored)
    assert "format version 3" in message and "run sync again" in message


def test_another_header_format_is_refused(stored: Path) -> None:
    rewrite_header(stored, lambda h: h.update(format="something-else"))
    assert "not a stored routesieve snapshot" in refused(stored)


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda h: h["counts"].update(vrps=2001), "vrps hold 2000 items, not 2001"),
        (lambda h: h["counts"].update(nothing=1), "a count of 'nothing', which is no data set"),
        (lambda h: h.update(counts=[1]), "the counts are not a JSON object"),
        (lambda h: h.update(as_of="soon"), "'soon' is not a whole number"),
        (lambda h: h.pop("provenance"), "missing 'provenance'"),
        (lambda h: h["segments"].pop("bogons"), "missing 'bogons'"),
        (lambda h: h["segments"].update(extra=h["segments"]["vrps"]), "data set 'extra'"),
        (lambda h: h.update(segments=None), "the header lists no segments"),
        (lambda h: h.update(aspas=[[64500, ["AS1"], None]]), "str where int belongs"),
        (
            lambda h: h.update(exchange_prefixes=[[[4, 1 << 40, 24], "X", None]]),
            "bad prefix [4, 1099511627776, 24]",
        ),
    ],
)
def test_an_unsound_header_is_refused(
    stored: Path, edit: Callable[[dict[str, Any]], None], said: str
) -> None:
    rewrite_header(stored, edit)
    assert said in refused(stored)


def test_a_header_that_is_not_json_is_refused(stored: Path) -> None:
    _, start, data = parts(stored)
    text = b"{" + b"x" * 100
    out = PREAMBLE.pack(MAGIC, len(text), zlib.crc32(text), 0) + text
    stored.write_bytes(out + bytes(-len(out) % 64) + data[start:])
    assert "the header is not JSON" in refused(stored)


def batch_of(name: str, change: Callable[[dict[str, pa.Array]], None]) -> pa.RecordBatch:
    """The record batch of data set ``name`` of :func:`sample`, its columns changed."""
    _, batches = to_batches(sample(10))
    columns = dict(zip(batches[name].schema.names, batches[name].columns, strict=True))
    change(columns)
    return pa.record_batch(list(columns.values()), names=list(columns))


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda c: c.pop("asn"), "VrpTable: no column 'asn'"),
        (lambda c: c.pop("prefix.hi"), "VrpTable: no column 'prefix.hi'"),
        (lambda c: c.update(more=c["asn"]), "VrpTable: column more"),
        (
            lambda c: c.update(asn=c["asn"].cast(pa.int64())),
            "column 'asn' of type int64, not uint32",
        ),
        (
            lambda c: c.update(asn=pa.array([1, None, *range(8)], pa.uint32())),
            "column 'asn' holds nulls",
        ),
        (lambda c: c.update(ta=pa.array(["ripe"] * 10)), "not a dictionary of strings"),
        (
            lambda c: c.update(
                ta=pa.DictionaryArray.from_arrays(pa.array([0] * 10, pa.int8()), ["ripe"])
            ),
            "not a dictionary of strings",
        ),
        (
            lambda c: c.update(
                ta=pa.DictionaryArray.from_arrays(
                    pa.array([0] * 10, pa.uint8()), pa.array([None], pa.string())
                )
            ),
            "a null among its strings",
        ),
        (
            lambda c: c.update(**{"prefix.version": pa.array(np.full(10, 5, np.uint8))}),
            "prefix version other than 4 or 6",
        ),
        (
            lambda c: c.update(max_length=pa.array(np.full(10, 200, np.uint8))),
            "a VRP maxLength over 128",
        ),
    ],
)
def test_an_unsound_column_is_refused(
    tmp_path: Path, change: Callable[[dict[str, pa.Array]], None], said: str
) -> None:
    path = tmp_path / f"bad{SUFFIX}"
    replace_batch(path, "vrps", batch_of("vrps", change))
    assert said in refused(path)


def test_a_string_code_past_its_table_is_refused(tmp_path: Path) -> None:
    """Arrow's cheap validation does not look at dictionary codes; the table does."""
    codes = pa.array(np.full(10, 3, np.uint8))
    bad = pa.DictionaryArray.from_buffers(
        pa.dictionary(pa.uint8(), pa.string()), 10, codes.buffers(), pa.array(["ripe"])
    )
    path = tmp_path / f"codes{SUFFIX}"
    replace_batch(path, "vrps", batch_of("vrps", lambda c: c.update(ta=bad)))
    assert "past the end of its table" in refused(path)


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
from stored_samples import sample
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


def test_a_loaded_snapshot_is_a_view_of_the_file_not_a_copy(stored: Path) -> None:
    loaded = load_stored_snapshot(stored)
    asn = loaded.vrps.asn  # type: ignore[attr-defined]
    assert not asn.flags.writeable and not asn.flags.owndata
    data = stored.read_bytes()
    offset, length = segment_at(stored, "vrps")
    # the column's bytes are found in the vrps segment of the file, in the same order
    assert data[offset : offset + length].find(asn.tobytes()) >= 0


def test_a_loaded_snapshot_outlives_its_file_being_replaced(stored: Path) -> None:
    """``sync`` renames a new file over the old one: a mapped old file stays whole."""
    loaded = load_stored_snapshot(stored)
    save_snapshot(sample(5, asn=1), stored)
    assert loaded == sample()
    assert load_stored_snapshot(stored) == sample(5, asn=1)


def test_saving_a_loaded_snapshot_again_gives_the_same_file(stored: Path, tmp_path: Path) -> None:
    again = save_snapshot(load_stored_snapshot(stored), tmp_path / f"again{SUFFIX}")
    assert again.read_bytes() == stored.read_bytes()


def test_pyarrow_is_imported_only_when_a_snapshot_is_saved_or_loaded(stored: Path) -> None:
    """Its libraries take about 45 MB: the store itself does not import it until used (the
    readers of JSON lines, VRPs and RPSL, and the verdict tables, use it too)."""
    code = (
        "import sys\nfrom pathlib import Path\n"
        "import routesieve.store.snapshot_file as f\n"
        "print('pyarrow' in sys.modules)\n"
        "f.load_stored_snapshot(Path(sys.argv[1]))\n"
        "print('pyarrow' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(stored)], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.split() == ["False", "True"], done.stderr


def objects_batch(name: str, change: Callable[[dict[str, pa.Array]], None]) -> pa.RecordBatch:
    """The ``as_sets`` or ``org_handles`` batch of a snapshot with both, columns changed."""
    snapshot = Snapshot(
        as_of=0,
        as_sets=(AsSet("AS-X", ("AS1", "AS-Y"), "RIPE"), AsSet("AS-Y", (), "RADB")),
        org_handles=(
            OrgHandle("ORG-A", "RIPE", (Prefix.parse("2001:db8::/32"),), None),
            OrgHandle("ORG-B", "RIPE", (), 64500),
        ),
    )
    _, batches = to_batches(snapshot)
    columns = dict(zip(batches[name].schema.names, batches[name].columns, strict=True))
    change(columns)
    return pa.record_batch(list(columns.values()), names=list(columns))


@pytest.mark.parametrize(
    ("name", "change", "said"),
    [
        ("as_sets", lambda c: c.pop("source"), "as_sets: columns ['name', 'members'], not"),
        ("as_sets", lambda c: c.update(name=pa.array([1, 2])), "column 'name' of type int64"),
        (
            "as_sets",
            lambda c: c.update(members=pa.array([["AS1"], [None]], pa.list_(pa.string()))),
            "column 'members' holds nulls",
        ),
        (
            "as_sets",
            lambda c: c.update(name=pa.array(["AS-X", None])),
            "column 'name' holds nulls",
        ),
        (
            "org_handles",
            lambda c: c.update(prefixes=pa.array([[], []], pa.list_(pa.int64()))),
            "column 'prefixes' of type list<item: int64>",
        ),
        (
            "org_handles",
            lambda c: c.update(asn=pa.array([None, 1], pa.int32())),
            "column 'asn' of type int32",
        ),
    ],
)
def test_unsound_as_sets_or_org_handles_are_refused(
    tmp_path: Path, name: str, change: Callable[[dict[str, pa.Array]], None], said: str
) -> None:
    path = tmp_path / f"objects{SUFFIX}"
    header, batches = to_batches(sample(10))
    batches[name] = objects_batch(name, change)
    header["counts"][name] = 2
    write_container(path, header, batches)
    assert said in refused(path)


def test_an_org_handle_prefix_of_ip_version_5_is_refused(tmp_path: Path) -> None:
    def version_5(columns: dict[str, pa.Array]) -> None:
        listed = columns["prefixes"]
        parts = listed.flatten().flatten()
        parts[0] = pa.array(np.full(len(parts[0]), 5, np.uint8))
        struct = pa.StructArray.from_arrays(parts, fields=list(listed.type.value_type))
        columns["prefixes"] = pa.ListArray.from_arrays(listed.offsets, struct)

    path = tmp_path / f"v5{SUFFIX}"
    header, batches = to_batches(sample(10))
    batches["org_handles"] = objects_batch("org_handles", version_5)
    header["counts"]["org_handles"] = 2
    write_container(path, header, batches)
    assert "org_handles: prefix version other than 4 or 6" in refused(path)
