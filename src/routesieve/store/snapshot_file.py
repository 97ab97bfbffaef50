"""A whole :class:`~routesieve.snapshot.Snapshot` saved to one file and loaded back fast.

The file (suffix :data:`SUFFIX`) holds the big data sets as uncompressed Arrow record
batches and the rest as a JSON header (:mod:`routesieve.store.arrow_file`,
:mod:`routesieve.store.arrow_layout`, docs/snapshots.md). Loading memory-maps it: the
column-backed tables (:mod:`routesieve.columnar`) are numpy views of the mapped file,
nothing is copied, and processes that load the same file share its pages. Files of the
older ``.npz`` form (format version 1, :data:`OLD_SUFFIX`) are still read, by copying;
``sync`` writes the Arrow form.
"""

from __future__ import annotations

import dataclasses
import gc
from pathlib import Path

from routesieve.columnar.heap import drop_pages_while
from routesieve.problems import InputError
from routesieve.snapshot import Snapshot
from routesieve.store import layout
from routesieve.store.npz_file import read_npz

SUFFIX = ".snapshot.arrow"
"""The suffix stored snapshots are given by convention (any name works)."""
OLD_SUFFIX = ".snapshot.npz"
"""The suffix of the older ``.npz`` form, still read."""
_ZIP = b"PK\x03\x04"
# pyarrow is imported only to save or load (about 45 MB of libraries): the commands
# that never touch a stored snapshot do not pay for it


def save_snapshot(snapshot: Snapshot, path: Path) -> Path:
    """Write ``snapshot`` to ``path`` atomically; returns ``path``.

    The previous file at ``path`` stays as it was until the new one is complete (and
    flushed to the disk). Raises ``ValueError`` for a value a column cannot hold (an AS
    number over 32 bits, say) and ``OSError`` when the file cannot be written.
    """
    from routesieve.store.arrow_file import write_container
    from routesieve.store.arrow_layout import to_batches

    header, batches = to_batches(snapshot)
    write_container(path, header, batches)
    return path


def load_stored_snapshot(path: Path) -> Snapshot:
    """The snapshot saved at ``path`` (either form, told apart by the first bytes).

    A missing, unreadable, truncated or damaged file, a file that is not a stored
    snapshot, or one written in another format version raises ``InputError`` naming it.
    """
    collecting = gc.isenabled()
    gc.disable()  # tens of thousands of small objects (as-sets, handles): no need to scan
    try:
        with path.open("rb") as fh:
            head = fh.read(len(layout.ARROW_MAGIC))
        if head == layout.ARROW_MAGIC:
            from routesieve.store.arrow_file import read_container
            from routesieve.store.arrow_layout import VERSION, from_batches

            header, batches, mapping = read_container(path)
            snapshot = from_batches(layout.check_format(header, VERSION), batches)
            # pages read to build the index are let go again after it (heap.py)
            tables = [getattr(snapshot, f.name) for f in dataclasses.fields(snapshot)]
            drop_pages_while(tables, mapping, mapping.address, mapping.size)
        elif head[: len(_ZIP)] == _ZIP:
            arrays = read_npz(path)
            snapshot = layout.from_arrays(arrays, layout.read_meta(arrays))
        else:
            raise ValueError(
                "not a stored snapshot (neither the Arrow form nor the older .npz one)"
            )
    except OSError as exc:
        raise InputError.at(str(path), f"cannot read the stored snapshot: {exc}") from None
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError.at(str(path), f"not a usable stored snapshot: {detail}") from None
    finally:
        if collecting:
            gc.enable()
    return snapshot
