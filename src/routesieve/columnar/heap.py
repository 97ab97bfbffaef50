"""Memory given back to the system: freed heap pages after a stage that made many
temporaries, and the resident pages of a memory-mapped file once it has been checked.

Reading routes block by block and building the index free hundreds of temporary arrays
and Arrow buffers of a few megabytes each. glibc's ``malloc`` keeps such freed memory
in its heap (the threshold above which it maps an allocation by itself rises to 32 MB
after the first large free), so the process's resident memory stays at its high-water
mark. ``malloc_trim`` hands the free pages back: 30-40 MB after reading the bench set's
routes. Elsewhere (another C library, no ``libc``) this does nothing.

A stored snapshot is memory-mapped and its CRC-32s read every page of it (65 MB on the
bench set), all then counted as resident though the index reads only some columns again;
``madvise(MADV_DONTNEED)`` drops them from this process (the file's pages stay in the
page cache, and a page read again comes back from there): 20 MB less once indexed.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from typing import Any

_MADV_DONTNEED = 4  # Linux


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
    """Return the heap's free pages to the system (glibc); a no-op elsewhere."""
    trim = _libc_function("malloc_trim")
    if trim is not None:
        trim(0)


def drop_mapped_pages(address: int, size: int) -> None:
    """Drop this process's resident pages of a read-only file mapping that starts at
    ``address`` (page-aligned, as ``mmap`` returns it); they are read again when used.
    A no-op off Linux or without ``libc``."""
    advise = _madvise()
    if advise is not None and size > 0:
        advise(address, size, _MADV_DONTNEED)
