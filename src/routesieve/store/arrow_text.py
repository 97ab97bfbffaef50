"""Text in the Arrow form of a stored snapshot: plain text columns and dictionaries.

Text is Arrow ``string`` (UTF-8). Python text that is not valid Unicode (lone surrogates:
a file name with bytes that are not UTF-8, kept as ``surrogateescape``) has no UTF-8
form, so a column holding such a value is ``binary`` instead, UTF-8 with the surrogates
kept (``surrogatepass``); readers take either. A string column of a table
(:class:`~routesieve.columnar.StringColumn`) is an Arrow dictionary: its codes, and its
distinct strings as text.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from routesieve.columnar import StringColumn


def text_array(values: Sequence[str]) -> pa.Array:
    try:
        return pa.array(values, pa.string())
    except UnicodeEncodeError:  # lone surrogates
        return pa.array([v.encode("utf-8", "surrogatepass") for v in values], pa.binary())


def texts(array: pa.Array) -> list[str]:
    """The values of a ``string`` or ``binary`` array (checked by the caller)."""
    if pa.types.is_binary(array.type):
        return [v.decode("utf-8", "surrogatepass") for v in array.to_pylist()]
    values: list[str] = array.to_numpy(zero_copy_only=False).tolist()
    return values


def is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_binary(kind))


def is_dictionary(kind: pa.DataType) -> bool:
    """A dictionary of text with unsigned codes (what :func:`dictionary` writes)."""
    return bool(
        pa.types.is_dictionary(kind)
        and pa.types.is_unsigned_integer(kind.index_type)
        and is_text(kind.value_type)
    )


def dictionary(column: StringColumn) -> pa.DictionaryArray:
    """``column`` as an Arrow dictionary array (its codes are not copied)."""
    return pa.DictionaryArray.from_arrays(pa.array(column.codes), text_array(column.names))


Seen = list[tuple[pa.Array, tuple[str, ...]]]
"""Dictionaries read so far, with their strings: a column whose dictionary equals one of
them shares its strings (the RIR opaque ids of the IP and the ASN delegations are one
list of 70,000 texts: 6 MB as Python strings, held once)."""


def string_column(name: str, column: pa.Array, seen: Seen | None = None) -> StringColumn:
    """A dictionary array as a :class:`StringColumn`, its codes a view of the array.

    ``ValueError`` for another type, a null, or distinct strings whose offsets or UTF-8
    are unsound (checked before Python reads them); the codes are checked by
    :class:`StringColumn`. ``seen``: dictionaries read before, to share strings with.
    """
    if not is_dictionary(column.type):
        raise ValueError(f"column {name!r} of type {column.type}, not a dictionary of strings")
    values = column.dictionary
    if column.null_count or values.null_count:
        raise ValueError(f"column {name!r}: a null among its strings")
    try:
        values.validate(full=True)
    except pa.ArrowException as exc:
        raise ValueError(f"column {name!r}: unsound strings ({exc})") from None
    codes = column.indices.to_numpy(zero_copy_only=True)
    for known, strings in seen or ():
        if len(known) == len(values) and known.equals(values):
            return StringColumn(codes, strings)
    strings = tuple(texts(values))
    if seen is not None:
        seen.append((values, strings))
    return StringColumn(codes, strings)
