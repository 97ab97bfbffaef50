"""A cache of parsed data files, so that a second run does not parse them again.

Parsing a million route objects or VRPs from text takes tens of seconds; loading the
parsed objects back takes about a second. An entry is keyed by the file's absolute path,
size and modification time, the reader function, the routesieve version and
``CACHE_FORMAT``, so a changed file, another reader or a new release is parsed afresh.
Entries are written atomically and only ever read from the cache folder of the user
running routesieve.

``ROUTESIEVE_CACHE_DIR`` names the folder (default: ``$XDG_CACHE_HOME/routesieve`` or
``~/.cache/routesieve``); ``ROUTESIEVE_CACHE_DIR=off`` switches the cache off.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from routesieve import __version__

T = TypeVar("T")

CACHE_FORMAT = 2
"""Raised whenever what a reader returns changes shape (2: readers fill column tables),
so that an entry written by an earlier build of the same version is never handed back."""


def cache_dir() -> Path | None:
    setting = os.environ.get("ROUTESIEVE_CACHE_DIR")
    if setting is not None:
        return None if setting.strip().lower() in ("", "off", "0", "no") else Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "routesieve"


def _key(path: Path, kind: str) -> str | None:
    """The entry of ``path`` read as ``kind`` (the kind names the reader function too)."""
    try:
        st = path.stat()
    except OSError:
        return None  # the reader reports the missing file, with its name
    raw = f"{__version__}|{CACHE_FORMAT}|{kind}|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _entry(path: Path, kind: str, read: Callable[[Path], T]) -> Path | None:
    """Where the result of ``read(path)`` is cached (None: no cache, or no such file)."""
    folder = cache_dir()
    if folder is None:
        return None
    key = _key(path, f"{kind}|{read.__module__}.{read.__qualname__}")
    return None if key is None else folder / f"{key}.pickle"


def is_cached(path: str | Path, kind: str, read: Callable[[Path], T]) -> bool:
    """Whether :func:`cached` would load ``read(path)`` rather than call it (an entry
    can still turn out unreadable; then it is parsed again)."""
    entry = _entry(Path(path), kind, read)
    return entry is not None and entry.is_file()


def cached(path: str | Path, kind: str, read: Callable[[Path], T]) -> T:
    """``read(path)``, or its result from the cache when the file has not changed."""
    file = Path(path)
    entry = _entry(file, kind, read)
    if entry is None:
        return read(file)
    folder = entry.parent
    collecting = gc.isenabled()
    gc.disable()  # millions of new tuples: the collector would walk them again and again
    try:
        with entry.open("rb") as fh:
            result: T = pickle.load(fh)
        return result
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass  # not cached yet, or written by something else: parse again
    finally:
        if collecting:
            gc.enable()
    result = read(file)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry-", dir=folder)
    except OSError:
        return result  # a cache that cannot be written only costs time
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except (OSError, pickle.PicklingError):
        Path(tmp).unlink(missing_ok=True)
    return result
