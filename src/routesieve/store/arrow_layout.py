"""How a :class:`~routesieve.snapshot.Snapshot` is laid out as Arrow record batches.

Each big data set (VRPs, route objects, bogons, IP and ASN delegations) is one record
batch whose columns are its table's (:mod:`routesieve.columnar`): numbers as Arrow
integers of the same width, a prefix as four columns (``prefix.version``,
``prefix.hi``, ``prefix.lo``, ``prefix.length``), a string column as an Arrow dictionary
(unsigned codes, and the distinct strings as ``string``; as ``binary``, UTF-8 with lone
surrogates kept, when a string is not valid Unicode). Loaded, every column is a
read-only numpy view of the Arrow buffer (``to_numpy(zero_copy_only=True)``): of the
memory-mapped file, no copy. The as-sets and org handles are record batches too
(:mod:`routesieve.store.arrow_objects`); the small rest goes into the JSON header, as in
the ``.npz`` form (:func:`routesieve.store.layout.small_parts`). docs/snapshots.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa

from routesieve.columnar import ColumnTable, PrefixArray
from routesieve.snapshot import Snapshot
from routesieve.store.arrow_file import Batches
from routesieve.store.arrow_objects import (
    as_set_batch,
    as_sets_of,
    org_handle_batch,
    org_handles_of,
)
from routesieve.store.arrow_text import Seen, dictionary, string_column
from routesieve.store.layout import (
    FORMAT,
    TABLES,
    small_parts,
    tables_of,
    with_small_parts,
)

T = TypeVar("T")
VERSION = 2
"""The format version of the Arrow form (the ``.npz`` form is version 1)."""


def to_batches(snapshot: Snapshot) -> tuple[dict[str, Any], Batches]:
    """The JSON header, and one record batch per big data set, the as-sets and the org
    handles of ``snapshot``.

    Raises ``ValueError`` (naming the data set) for a value its column cannot hold.
    """
    batches: Batches = {}
    for name, table in tables_of(snapshot).items():
        names, arrays = zip(*_columns(table, ""), strict=True)
        batches[name] = pa.record_batch(list(arrays), names=list(names))
    batches["as_sets"] = as_set_batch(snapshot.as_sets)
    batches["org_handles"] = org_handle_batch(snapshot.org_handles)
    return {"format": FORMAT, "version": VERSION, **small_parts(snapshot, objects=False)}, batches


def from_batches(header: dict[str, Any], batches: Batches) -> Snapshot:
    """The snapshot of ``batches`` and ``header``; ``ValueError``/``KeyError``/``TypeError``."""
    unknown = set(batches) - set(TABLES) - {"as_sets", "org_handles"}
    if unknown:
        raise ValueError(f"unexpected data set {sorted(unknown)[0]!r}")
    seen: Seen = []
    tables = {name: _table(cls, batches[name], seen) for name, cls in TABLES.items()}
    objects = (
        _objects("as_sets", as_sets_of, batches),
        _objects("org_handles", org_handles_of, batches),
    )
    return with_small_parts(tables, header, objects)


def _objects(name: str, read: Callable[[pa.RecordBatch], T], batches: Batches) -> T:
    try:
        return read(batches[name])
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def _columns(table: ColumnTable[Any], prefix: str) -> Iterator[tuple[str, pa.Array]]:
    for field, kind in table.KINDS.items():
        column = getattr(table, field)
        if kind == "prefix":
            yield from _columns(column, f"{prefix}{field}.")
        elif kind == "strings":
            yield f"{prefix}{field}", dictionary(column)
        else:
            yield f"{prefix}{field}", pa.array(column)  # a view of the numpy column


def _table(cls: type[ColumnTable[Any]], batch: pa.RecordBatch, seen: Seen) -> ColumnTable[Any]:
    wanted = dict(_kinds(cls, ""))
    found = batch.schema.names
    if len(set(found)) != len(found) or set(found) != set(wanted):
        extra = sorted(set(found) - set(wanted)) or ["(a column twice)"]
        missing = sorted(set(wanted) - set(found))
        raise ValueError(
            f"{cls.__name__}: " + (f"no column {missing[0]!r}" if missing else f"column {extra[0]}")
        )
    return _build(cls, batch, "", seen)


def _kinds(cls: type[ColumnTable[Any]], prefix: str) -> Iterator[tuple[str, str]]:
    for field, kind in cls.KINDS.items():
        if kind == "prefix":
            yield from _kinds(PrefixArray, f"{prefix}{field}.")
        else:
            yield f"{prefix}{field}", kind


def _build(
    cls: type[ColumnTable[Any]], batch: pa.RecordBatch, prefix: str, seen: Seen
) -> ColumnTable[Any]:
    columns: dict[str, Any] = {}
    for field, kind in cls.KINDS.items():
        name = f"{prefix}{field}"
        if kind == "prefix":
            columns[field] = _build(PrefixArray, batch, f"{name}.", seen)
            continue
        column = batch.column(name)
        if column.null_count:
            raise ValueError(f"column {name!r} holds nulls")
        if kind == "strings":
            columns[field] = string_column(name, column, seen)
        elif column.type != pa.from_numpy_dtype(np.dtype(kind)):
            raise ValueError(f"column {name!r} of type {column.type}, not {np.dtype(kind)}")
        else:
            columns[field] = column.to_numpy(zero_copy_only=True)
    return cls(**columns)
