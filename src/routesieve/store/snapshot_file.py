"""A whole :class:`~routesieve.snapshot.Snapshot` saved to one file and loaded back fast.

The file is an uncompressed numpy ``.npz`` archive (suffix :data:`SUFFIX`): the big data
sets as numpy columns, the rest as a JSON header (:mod:`routesieve.store.layout`, and
docs/snapshots.md). Loading reads the columns into column-backed tables
(:mod:`routesieve.columnar`) without building a Python object per VRP or route object,
so a full-size snapshot loads in about a second where unpickling took many; the engine
indexes those columns directly.
"""

from __future__ import annotations

import gc
from pathlib import Path

from routesieve.problems import InputError
from routesieve.snapshot import Snapshot
from routesieve.store.layout import from_arrays, read_meta, to_arrays
from routesieve.store.npz_file import read_npz, write_npz

SUFFIX = ".snapshot.npz"
"""The suffix stored snapshots are given by convention (any name works)."""


def save_snapshot(snapshot: Snapshot, path: Path) -> Path:
    """Write ``snapshot`` to ``path`` atomically; returns ``path``.

    The previous file at ``path`` stays as it was until the new one is complete. Raises
    ``ValueError`` for a value a column cannot hold (an AS number over 32 bits, say) and
    ``OSError`` when the file cannot be written.
    """
    write_npz(path, to_arrays(snapshot))
    return path


def load_stored_snapshot(path: Path) -> Snapshot:
    """The snapshot saved at ``path``.

    A missing, unreadable, truncated or damaged file, a file that is not a stored
    snapshot, or one written in another format version raises ``InputError`` naming it.
    """
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of small objects (as-sets, handles): no need to scan
    try:
        arrays = read_npz(path)
        snapshot = from_arrays(arrays, read_meta(arrays))
    except OSError as exc:
        raise InputError.at(str(path), f"cannot read the stored snapshot: {exc}") from None
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError.at(str(path), f"not a usable stored snapshot: {detail}") from None
    finally:
        if collecting:
            gc.enable()
    return snapshot
