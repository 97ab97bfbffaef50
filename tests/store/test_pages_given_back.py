"""A stored snapshot's pages are let go again while it lives, and never after."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pyarrow as pa
from test_mapped_pages import _resident_kb

from routesieve.columnar import heap


class _Owner:
    """Stands for a snapshot: what the registration lives as long as."""


def _mapped(tmp_path: Path) -> tuple[Path, pa.Buffer, np.ndarray, np.ndarray]:
    values = np.random.default_rng(11).integers(0, 1 << 62, 1 << 20, dtype=np.int64)
    path = tmp_path / "snapshot.bin"
    path.write_bytes(values.tobytes())
    with pa.memory_map(str(path)) as mapped:
        data = mapped.read_buffer()
    return path, data, np.frombuffer(data, np.int64), values


def test_giving_memory_back_drops_the_pages_of_a_live_snapshot(tmp_path: Path) -> None:
    path, data, view, values = _mapped(tmp_path)
    owner = _Owner()
    heap.drop_pages_while([owner, (1, 2)], data, data.address, data.size)
    assert int(view.sum(dtype=np.uint64)) == int(values.sum(dtype=np.uint64))  # all read
    before = _resident_kb(path)
    heap.give_back_free_memory()
    assert _resident_kb(path) < before // 2
    assert np.array_equal(view, values)  # read again from the file


def test_a_snapshot_let_go_is_forgotten_and_its_mapping_released(tmp_path: Path) -> None:
    path, data, view, _ = _mapped(tmp_path)
    first, second = _Owner(), _Owner()  # two tables of one snapshot
    heap.drop_pages_while([first, second], data, data.address, data.size)
    held = len(heap._MAPPED)
    del first, data, view
    gc.collect()
    assert len(heap._MAPPED) == held  # one table still lives: the registration too
    del second
    gc.collect()
    assert len(heap._MAPPED) == held - 1
    assert _resident_kb(path) == 0 and str(path) not in Path("/proc/self/maps").read_text()
    heap.give_back_free_memory()  # nothing of it is touched


def test_evaluate_gives_arrow_the_system_allocator() -> None:
    before = pa.default_memory_pool()
    try:
        heap.return_memory_promptly()
        assert pa.default_memory_pool().backend_name == "system"
    finally:
        pa.set_memory_pool(before)
