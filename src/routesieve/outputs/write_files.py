"""Writing rendered files: each one atomically, never a half-written configuration."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_atomically(folder: Path, files: Mapping[str, str]) -> list[Path]:
    """Write every file into ``folder`` through a temporary file and a rename.

    A reader (or a router reloading) sees either the old file or the new one, whole.
    Returns the paths written, in name order.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in sorted(files):
        if "/" in name or name.startswith("."):
            raise ValueError(f"refusing to write outside {folder}: {name!r}")
        target = folder / name
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(files[name])
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        written.append(target)
    return written
