"""RPSL (IRR database dump) files: :func:`read_rpsl` reads plain route objects in bulk
(:mod:`routesieve.sources.rpsl_bulk`) and the rest object by object
(:mod:`routesieve.sources.rpsl_objects`, which holds the splitter and the reader)."""

from __future__ import annotations

from pathlib import Path

from routesieve.sources.bulk import read_bytes
from routesieve.sources.rpsl_bulk import read_rpsl_bulk
from routesieve.sources.rpsl_objects import (
    KIND,
    MAX_OBJECT_CHARS,
    WANTED,
    ObjectReader,
    RpslData,
    RpslObject,
    iter_objects,
    read_rpsl_per_object,
    value,
)

__all__ = [
    "KIND",
    "MAX_OBJECT_CHARS",
    "WANTED",
    "ObjectReader",
    "RpslData",
    "RpslObject",
    "iter_objects",
    "read_rpsl",
    "read_rpsl_per_object",
    "value",
]


def read_rpsl(path: str | Path) -> RpslData:
    """Read an RPSL dump (any mix of classes, compressed or not).

    Route objects written plainly (one attribute a line, lower-case names, one word a
    value) are read in bulk (:mod:`routesieve.sources.rpsl_bulk`); every other object,
    and every file the bulk reader cannot split as the text reader would, object by
    object, streaming, as before.
    """
    data = read_bytes(path)
    if data is not None:
        found = read_rpsl_bulk(path, data)
        if found is not None:
            return found
    del data
    return read_rpsl_per_object(path)
