"""Memory given back to the system: freed heap pages after a stage that made many
temporaries, and the resident pages of a memory-mapped file once it has been checked.

Reading routes block by block and building the index free hundreds of temporary arrays
and Arrow buffers of a few megabytes each. glibc's ``malloc`` keeps such freed memory
in its heap (the threshold above which it maps an allocation by itself rises to 32 MB
after the first large free), so the process's resident memory stays at its high-water
mark. ``malloc_trim`` hands the free pages back: 30-40 MB after reading the bench set's
routes. Elsewhere (another C library, no ``libc``) this does nothing.

Arrow's default pool (mimalloc) keeps the pages its threads freed, so the verdict
writer's batches and the reader's blocks pile up; ``return_memory_promptly`` (set by
``evaluate``) makes the system allocator Arrow's pool, whose freed memory ``malloc``
reuses for numpy and ``malloc_trim`` hands back. (A fixed ``malloc`` mmap threshold,
every large array its own mapping, lowered the peak further but made deciding and
writing two to three times slower: a page fault for every page of every temporary.)

A stored snapshot is memory-mapped and its CRC-32s read every page of it (65 MB on the
bench set), all then counted as resident though the index reads only some columns again;
``madvise(MADV_DONTNEED)`` drops them from this process (the file's pages stay in the
page cache, and a page read again comes back from there): 20 MB less once indexed.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import sys
import weakref
from collections.abc import Sequence
from typing import Any

_MADV_DONTNEED = 4  # Linux
# read-only file mappings whose resident pages give_back_free_memory drops: by key,
# (the object that keeps the mapping, its address, its size), while their owner lives
_MAPPED: dict[int, tuple[object, int, int]] = {}
_keys = itertools.count()


@functools.cache
def _libc_function(name: str) -> Any:
    """The C library's function ``name``, or None (no such library or function).

    Looked up among the symbols the process has loaded (``dlopen(NULL)``: the C library
    Python runs on): ``ctypes.util.find_library`` would run ``ldconfig -p`` and import
    ``tempfile``, ``shutil`` and ``subprocess`` at every start (20-30 ms)."""
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, TypeError, AttributeError):
        return None


def _madvise() -> Any:
    advise = _libc_function("madvise") if sys.platform.startswith("linux") else None
    if advise is not None:
        advise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        advise.restype = ctypes.c_int
    return advise


def give_back_free_memory() -> None:
    """Return the heap's free pages to the system (glibc), and drop the resident pages
    of the file mappings given to ``drop_pages_while``; a no-op elsewhere."""
    trim = _libc_function("malloc_trim")
    if trim is not None:
        trim(0)
    for _, address, size in list(_MAPPED.values()):
        drop_mapped_pages(address, size)


def drop_pages_while(owners: Sequence[object], mapping: object, address: int, size: int) -> None:
    """While any of ``owners`` lives, ``give_back_free_memory`` also drops this
    process's pages of the read-only file mapping at ``address`` (kept mapped by
    ``mapping``, which is held until then: the range is never dropped once unmapped).
    A stored snapshot's columns are read whole to build the index, then only here and
    there: 40 MB of the bench set's are let go after the index is built, and read again
    from the page cache where used. (The owners are the snapshot's tables: a snapshot
    is copied with another date by ``dataclasses.replace``, its tables are not.)"""
    key = next(_keys)
    alive = [o for o in owners if _weak(o)]
    if not alive:
        return
    _MAPPED[key] = (mapping, address, size)
    left = [len(alive)]

    def gone() -> None:
        left[0] -= 1
        if left[0] == 0:
            _MAPPED.pop(key, None)

    for owner in alive:
        weakref.finalize(owner, gone)


def _weak(value: object) -> bool:
    """Whether ``value`` can be referred to weakly (tuples and numbers cannot)."""
    try:
        weakref.ref(value)
    except TypeError:
        return False
    return True


def drop_mapped_pages(address: int, size: int) -> None:
    """Drop this process's resident pages of a read-only file mapping that starts at
    ``address`` (page-aligned, as ``mmap`` returns it); they are read again when used.
    A no-op off Linux or without ``libc``."""
    advise = _madvise()
    if advise is not None and size > 0:
        advise(address, size, _MADV_DONTNEED)


def return_memory_promptly() -> None:
    """Arrow's default pool becomes the system allocator (see the module docstring), for
    the whole process."""
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
