"""Dropping the resident pages of a checked snapshot mapping keeps its data readable."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from routesieve.columnar.heap import drop_mapped_pages


def _resident_kb(path: Path) -> int:
    """The resident kB of this process's mappings of ``path`` (``/proc/self/smaps``)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        if "-" in line.split(" ", 1)[0] and len(line.split()) >= 5:
            inside = line.rstrip().endswith(str(path))
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


def test_dropped_pages_of_a_mapped_file_read_back_the_same_bytes(tmp_path: Path) -> None:
    values = np.random.default_rng(7).integers(0, 1 << 62, 1 << 20, dtype=np.int64)
    path = tmp_path / "mapped.bin"
    path.write_bytes(values.tobytes())
    with pa.memory_map(str(path)) as mapped:
        data = mapped.read_buffer()
    view = np.frombuffer(data, np.int64)
    assert int(view.sum(dtype=np.uint64)) == int(values.sum(dtype=np.uint64))  # all read
    before = _resident_kb(path)
    drop_mapped_pages(data.address, data.size)
    assert _resident_kb(path) < before // 2
    assert np.array_equal(view, values)  # read again from the file
