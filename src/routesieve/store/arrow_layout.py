"""How a :class:`~routesieve.snapshot.Snapshot` is laid out as Arrow record batches.

Each big data set (VRPs, route objects, bogons, IP and ASN delegations) is one record
batch whose columns are its table's (:mod:`routesieve.columnar`): numbers as Arrow
integers of the same width, a prefix as four columns (``prefix.version``,
``prefix.hi``, ``prefix.lo``, ``prefix.length``), a string column as an Arrow dictionary
(unsigned codes, and the distinct strings as ``string``; as ``binary``, UTF-8 with lone
surrogates kept, when a string is not valid Unicode). Loaded, every column is a
read-only numpy view of the Arrow buffer (``to_numpy(zero_copy_only=True)``): of the
memory-mapped file, no copy. The small rest goes into the JSON header, as in the
``.npz`` form (:func:`routesieve.store.layout.small_parts`). docs/snapshots.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa

from routesieve.columnar import ColumnTable, PrefixArray, StringColumn
from routesieve.snapshot import Snapshot
from routesieve.store.arrow_file import Batches
from routesieve.store.layout import (
    FORMAT,
    TABLES,
    small_parts,
    tables_of,
    with_small_parts,
)

VERSION = 2
"""The format version of the Arrow form (the ``.npz`` form is version 1)."""


def to_batches(snapshot: Snapshot) -> tuple[dict[str, Any], Batches]:
    """The JSON header and one record batch per big data set of ``snapshot``.

    Raises ``ValueError`` (naming the data set) for a value its column cannot hold.
    """
    batches: Batches = {}
    for name, table in tables_of(snapshot).items():
        names, arrays = zip(*_columns(table, ""), strict=True)
        batches[name] = pa.record_batch(list(arrays), names=list(names))
    return {"format": FORMAT, "version": VERSION, **small_parts(snapshot)}, batches


def from_batches(header: dict[str, Any], batches: Batches) -> Snapshot:
    """The snapshot of ``batches`` and ``header``; ``ValueError``/``KeyError``/``TypeError``."""
    unknown = set(batches) - set(TABLES)
    if unknown:
        raise ValueError(f"unexpected data set {sorted(unknown)[0]!r}")
    tables = {name: _table(cls, batches[name]) for name, cls in TABLES.items()}
    return with_small_parts(tables, header)


def _columns(table: ColumnTable[Any], prefix: str) -> Iterator[tuple[str, pa.Array]]:
    for field, kind in table.KINDS.items():
        column = getattr(table, field)
        if kind == "prefix":
            yield from _columns(column, f"{prefix}{field}.")
        elif kind == "strings":
            yield f"{prefix}{field}", _dictionary(column)
        else:
            yield f"{prefix}{field}", pa.array(column)  # a view of the numpy column


def _dictionary(column: StringColumn) -> pa.DictionaryArray:
    try:
        names = pa.array(column.names, pa.string())
    except UnicodeEncodeError:  # lone surrogates (text that was not valid UTF-8)
        raw = [n.encode("utf-8", "surrogatepass") for n in column.names]
        names = pa.array(raw, pa.binary())
    return pa.DictionaryArray.from_arrays(pa.array(column.codes), names)


def _table(cls: type[ColumnTable[Any]], batch: pa.RecordBatch) -> ColumnTable[Any]:
    wanted = dict(_kinds(cls, ""))
    found = batch.schema.names
    if len(set(found)) != len(found) or set(found) != set(wanted):
        extra = sorted(set(found) - set(wanted)) or ["(a column twice)"]
        missing = sorted(set(wanted) - set(found))
        raise ValueError(
            f"{cls.__name__}: " + (f"no column {missing[0]!r}" if missing else f"column {extra[0]}")
        )
    return _build(cls, batch, "")


def _kinds(cls: type[ColumnTable[Any]], prefix: str) -> Iterator[tuple[str, str]]:
    for field, kind in cls.KINDS.items():
        if kind == "prefix":
            yield from _kinds(PrefixArray, f"{prefix}{field}.")
        else:
            yield f"{prefix}{field}", kind


def _build(cls: type[ColumnTable[Any]], batch: pa.RecordBatch, prefix: str) -> ColumnTable[Any]:
    columns: dict[str, Any] = {}
    for field, kind in cls.KINDS.items():
        name = f"{prefix}{field}"
        if kind == "prefix":
            columns[field] = _build(PrefixArray, batch, f"{name}.")
            continue
        column = batch.column(name)
        if column.null_count:
            raise ValueError(f"column {name!r} holds nulls")
        if kind == "strings":
            columns[field] = _strings(name, column)
        elif column.type != pa.from_numpy_dtype(np.dtype(kind)):
            raise ValueError(f"column {name!r} of type {column.type}, not {np.dtype(kind)}")
        else:
            columns[field] = column.to_numpy(zero_copy_only=True)
    return cls(**columns)


def _strings(name: str, column: pa.Array) -> StringColumn:
    kind = column.type
    if not (
        pa.types.is_dictionary(kind)
        and pa.types.is_unsigned_integer(kind.index_type)
        and (pa.types.is_string(kind.value_type) or pa.types.is_binary(kind.value_type))
    ):
        raise ValueError(f"column {name!r} of type {kind}, not a dictionary of strings")
    values = column.dictionary
    if values.null_count:
        raise ValueError(f"column {name!r}: a null among its strings")
    # offsets inside the data, valid UTF-8: what to_pylist trusts (the codes are checked
    # by StringColumn, the other columns' buffer sizes by RecordBatch.validate)
    try:
        values.validate(full=True)
    except pa.ArrowException as exc:
        raise ValueError(f"column {name!r}: unsound strings ({exc})") from None
    names = values.to_pylist()
    if pa.types.is_binary(kind.value_type):
        names = [n.decode("utf-8", "surrogatepass") for n in names]
    return StringColumn(column.indices.to_numpy(zero_copy_only=True), tuple(names))
