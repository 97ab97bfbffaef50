"""A whole :class:`~routesieve.snapshot.Snapshot` saved to one file and loaded back.

First version: a pickle of the snapshot, written atomically. Loading a full-size
snapshot this way takes several seconds; a columnar form replaces it.
"""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

from routesieve.problems import InputError
from routesieve.snapshot import Snapshot
from routesieve.sources.fetched import write_atomically


def save_snapshot(snapshot: Snapshot, path: Path) -> Path:
    """Write ``snapshot`` to ``path`` atomically; returns ``path``."""
    write_atomically(path, [pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL)])
    return path


def load_stored_snapshot(path: Path) -> Snapshot:
    """The snapshot saved at ``path``; a missing or damaged file raises ``InputError``."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as fh:
            snapshot = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        raise InputError.at(str(path), f"cannot load the stored snapshot: {exc}") from None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(snapshot, Snapshot):
        raise InputError.at(str(path), "not a stored routesieve snapshot")
    return snapshot
