"""The as-sets and org handles of a snapshot as Arrow record batches, and back to objects.

Tens of thousands of each, with lists inside (an as-set's members, a handle's prefixes):
as JSON in the header they were most of a load's time (parsing, then checking every
value's type). As record batches their types are Arrow's, checked once per column, and
the objects are built from whole columns at a time:

* ``as_sets``: ``name`` (text), ``members`` (list of text), ``source`` (dictionary);
* ``org_handles``: ``org`` (text), ``source`` (dictionary), ``prefixes`` (list of
  ``struct<version: uint8, hi: uint64, lo: uint64, length: uint8>``, the prefix columns of
  :class:`~routesieve.columnar.PrefixArray`), ``asn`` (``int64``, null for none); read
  back as an :class:`~routesieve.columnar.org_handles.OrgHandleTable` (columns, no
  object per handle).

Text as in :mod:`routesieve.store.arrow_text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain, pairwise
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar import PrefixArray, StringColumn
from routesieve.columnar.org_handles import OrgHandleTable
from routesieve.model import AsSet, OrgHandle
from routesieve.store.arrow_text import (
    dictionary,
    is_dictionary,
    is_text,
    string_column,
    text_array,
    texts,
)

PREFIX = pa.struct(
    [("version", pa.uint8()), ("hi", pa.uint64()), ("lo", pa.uint64()), ("length", pa.uint8())]
)


def as_set_batch(sets: Sequence[AsSet]) -> pa.RecordBatch:
    members = [s.members for s in sets]
    return pa.record_batch(
        [
            text_array([s.name for s in sets]),
            pa.ListArray.from_arrays(
                _offsets(members), text_array(list(chain.from_iterable(members)))
            ),
            dictionary(StringColumn.of((s.source for s in sets), len(sets))),
        ],
        names=["name", "members", "source"],
    )


def org_handle_batch(handles: Sequence[OrgHandle]) -> pa.RecordBatch:
    prefixes = [h.prefixes for h in handles]
    flat = PrefixArray.of(list(chain.from_iterable(prefixes)))
    columns = [pa.array(getattr(flat, name)) for name in PREFIX.names]
    return pa.record_batch(
        [
            text_array([h.org for h in handles]),
            dictionary(StringColumn.of((h.source for h in handles), len(handles))),
            pa.ListArray.from_arrays(
                _offsets(prefixes), pa.StructArray.from_arrays(columns, fields=list(PREFIX))
            ),
            pa.array([h.asn for h in handles], pa.int64()),
        ],
        names=["org", "source", "prefixes", "asn"],
    )


def as_sets_of(batch: pa.RecordBatch) -> tuple[AsSet, ...]:
    """The as-sets of ``batch``; ``ValueError`` when it is not a sound ``as_sets`` batch."""
    _check(batch, {"name": is_text, "members": _is_text_list, "source": is_dictionary})
    names = texts(batch.column("name"))
    members = _groups(batch.column("members"), texts(batch.column("members").flatten()))
    sources = string_column("source", batch.column("source"))
    return tuple(map(AsSet, names, members, sources.values(0, len(sources))))


def org_handles_of(batch: pa.RecordBatch) -> OrgHandleTable:
    """The org handles of ``batch`` as columns (no object per handle or prefix);
    ``ValueError`` when it is not a sound batch."""
    _check(
        batch,
        {
            "org": is_text,
            "source": is_dictionary,
            "prefixes": lambda t: t == pa.list_(PREFIX),
            "asn": lambda t: t == pa.int64(),
        },
        nullable={"asn"},
    )
    listed = batch.column("prefixes")
    parts = listed.flatten().flatten()  # the struct's columns, as PREFIX names them
    offsets = listed.offsets.to_numpy().astype(np.int64)
    orgs = pc.dictionary_encode(batch.column("org"))
    return OrgHandleTable(
        StringColumn(
            orgs.indices.to_numpy(zero_copy_only=False).astype(np.uint32),
            tuple(texts(orgs.dictionary)),
        ),
        string_column("source", batch.column("source")),
        batch.column("asn").fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64),
        offsets[:-1] - offsets[0],
        np.diff(offsets),
        PrefixArray(*(part.to_numpy(zero_copy_only=True) for part in parts)),
    )


def _offsets(lists: Sequence[Sequence[Any]]) -> pa.Array:
    ends = np.cumsum([len(x) for x in lists], dtype=np.int64)
    if len(ends) and ends[-1] >= 1 << 31:
        raise ValueError(f"{ends[-1]} items in lists, more than an Arrow list holds")
    return pa.array(np.concatenate([[0], ends]).astype(np.int32))


def _groups(listed: pa.ListArray, flat: list[Any]) -> list[tuple[Any, ...]]:
    """``flat`` cut into one tuple per row of ``listed`` (a list column)."""
    ends: list[int] = listed.offsets.to_numpy().tolist()
    first = ends[0]
    return [tuple(flat[a - first : b - first]) for a, b in pairwise(ends)]


def _is_text_list(kind: pa.DataType) -> bool:
    return bool(pa.types.is_list(kind) and is_text(kind.value_type))


def _check(
    batch: pa.RecordBatch, kinds: dict[str, Any], nullable: frozenset[str] | set[str] = frozenset()
) -> None:
    """Exactly these columns, of these types, no nulls (but in ``nullable``), all sound."""
    if batch.schema.names != list(kinds):
        raise ValueError(f"columns {batch.schema.names}, not {list(kinds)}")
    for name, ok in kinds.items():
        column = batch.column(name)
        if not ok(column.type):
            raise ValueError(f"column {name!r} of type {column.type}")
        inner = [column]
        if pa.types.is_list(column.type):
            inner.append(column.flatten())
        elif pa.types.is_dictionary(column.type):
            inner.append(column.dictionary)
        if any(part.null_count for part in inner[name in nullable :]):
            raise ValueError(f"column {name!r} holds nulls")
    try:
        batch.validate(full=True)  # offsets, UTF-8, dictionary codes: small batches
    except pa.ArrowException as exc:
        raise ValueError(f"unsound columns ({exc})") from None
