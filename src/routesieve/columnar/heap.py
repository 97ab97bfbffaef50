"""Freed heap memory given back to the system after a stage that made many temporaries.

Reading routes block by block and building the index free hundreds of temporary arrays
and Arrow buffers of a few megabytes each. glibc's ``malloc`` keeps such freed memory
in its heap (the threshold above which it maps an allocation by itself rises to 32 MB
after the first large free), so the process's resident memory stays at its high-water
mark. ``malloc_trim`` hands the free pages back: 30-40 MB after reading the bench set's
routes. Elsewhere (another C library, no ``libc``) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError, TypeError):
        return None
    return trim


def give_back_free_memory() -> None:
    """Return the heap's free pages to the system (glibc); a no-op elsewhere."""
    trim = _trim()
    if trim is not None:
        trim(0)
