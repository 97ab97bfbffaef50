"""What the readers' fast paths share: a file's lines as one Arrow array, and columns.

A fast path reads a whole file as bytes, splits it into lines without making a Python
string per line (:func:`file_lines`), picks out the regular lines or objects with Arrow's
compiled regular expressions, and converts their fields to columns in bulk: prefixes
through :func:`prefix_columns` (the same ``inet_pton`` the per-item code calls, mapped
over the whole list in C), strings through :func:`string_column`. Whatever it does not
recognise goes to the reader's per-item code, so hostile input behaves as before; these
helpers only say which rows they could not convert (an ``ok`` mask), never why.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar.arrays import Bools, ColumnTable, Index, PrefixArray, StringColumn
from routesieve.problems import InputError
from routesieve.sources._common import DECODE_ERRORS
from routesieve.textio import open_binary

T = TypeVar("T", bound=ColumnTable[Any])
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Bytes2D = npt.NDArray[np.uint8]

_ONES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
_BATCH = 65_536  # addresses converted per call: a bad one costs a per-item pass of this many


@dataclass(frozen=True)
class Lines:
    """A file's lines: ``text`` (an Arrow large-string array, each line with its ``\\n``)
    and ``data``, the file's bytes the lines point into. Line ``i`` is line ``i + 1``."""

    text: Any  # pa.LargeStringArray
    data: bytes
    starts: I64  # byte offset of each line, and the end of the data last

    def __len__(self) -> int:
        return len(self.starts) - 1

    def first_bytes(self) -> npt.NDArray[np.uint8]:
        """The first byte of every line (every line has at least one)."""
        raw = np.frombuffer(self.data, np.uint8)
        out: npt.NDArray[np.uint8] = raw[self.starts[:-1]]
        return out

    def sizes(self) -> I64:
        out: I64 = np.diff(self.starts)
        return out

    def decoded(self, first: int, stop: int) -> list[str]:
        """Lines ``first`` to ``stop - 1`` (0-based) as text, line ends kept."""
        chunk = self.data[self.starts[first] : self.starts[stop]].decode()
        parts = chunk.split("\n")
        if parts[-1] == "":
            parts.pop()
            return [p + "\n" for p in parts]
        return [p + "\n" for p in parts[:-1]] + [parts[-1]]


def read_bytes(path: str | Path) -> bytes | None:
    """The decompressed bytes of a file, or None when reading them fails in any way (the
    per-item path then reads the file again and reports the failure as it always has)."""
    try:
        with open_binary(path) as fh:
            return fh.read()
    except (InputError, *DECODE_ERRORS):
        return None


def file_lines(data: bytes) -> Lines | None:
    """The lines of UTF-8 text split at ``\\n``, or None when the text reader would see
    them differently: bytes that are not UTF-8 (it replaces them) or a lone ``\\r`` (it
    ends a line there). ``\\r\\n`` ends stay on the line, as the text reader keeps them."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    raw = np.frombuffer(data, np.uint8)
    ends = np.flatnonzero(raw == 10) + 1
    last = [len(data)] if len(data) and (not len(ends) or ends[-1] != len(data)) else []
    starts = np.concatenate(([0], ends, last)).astype(np.int64)
    text = pa.LargeStringArray.from_buffers(
        len(starts) - 1, pa.py_buffer(starts.tobytes()), pa.py_buffer(data)
    )
    if not data.isascii():
        try:
            text.validate(full=True)  # UTF-8, checked in place (no 100 MB decoded copy)
        except pa.ArrowInvalid:
            return None
    return Lines(text, data, starts)


def joined(text: Any) -> bytes:
    """The concatenation of an Arrow string array without nulls, as bytes."""
    if text.null_count:
        raise ValueError("a null in text to join")
    values = pa.array(text, pa.large_string()) if text.type != pa.large_string() else text
    offsets = np.frombuffer(values.buffers()[1], np.int64)[values.offset :]
    start, stop = int(offsets[0]), int(offsets[len(values)])
    return bytes(memoryview(values.buffers()[2])[start:stop])


def first_per_group(groups: I64, flags: Bools, count: int) -> I64:
    """For each group ``0..count-1`` the first row with ``flags`` set, or -1. ``groups``
    is sorted (the group of each row, rows in file order)."""
    rows = np.flatnonzero(flags)
    out = np.full(count, -1, np.int64)
    ids = groups[rows]
    keep = np.ones(len(rows), np.bool_)
    keep[1:] = ids[1:] != ids[:-1]
    out[ids[keep]] = rows[keep]
    return out


def windows(raw: npt.NDArray[np.uint8], start: I64, stop: I64, width: int) -> Bytes2D:
    """The bytes ``raw[start:stop]`` of each row, from column 0, zeros after ``stop``
    (``stop - start`` is at most ``width``; ``raw`` ends with ``width`` spare bytes)."""
    rows = np.lib.stride_tricks.as_strided(raw, (len(raw) - width + 1, width), (1, 1))
    out: Bytes2D = rows[start]
    out[np.arange(width)[None, :] >= (stop - start)[:, None]] = 0
    return out


def padded(data: bytes, spare: int = 256) -> npt.NDArray[np.uint8]:
    """The bytes of ``data`` as an array, with ``spare`` zero bytes after them."""
    out = np.zeros(len(data) + spare, np.uint8)
    out[: len(data)] = np.frombuffer(data, np.uint8)
    return out


def digits(window: Bytes2D) -> U64:
    """The number that the one run of ASCII digits in each row makes (a pattern has made
    sure there is at most one, of at most 19 digits); 0 for a row without digits."""
    digit = (window >= 48) & (window <= 57)
    first = np.argmax(digit, axis=1)
    count = digit.sum(axis=1)
    value = np.zeros(len(window), np.uint64)
    rows = np.arange(len(window))
    for k in range(int(count.max()) if len(count) else 0):
        more = k < count
        column = np.minimum(first + k, window.shape[1] - 1)
        d = window[rows, column].astype(np.uint64) - np.uint64(48)
        value = np.where(more, value * np.uint64(10) + d, value)
    return value


def texts(window: Bytes2D) -> Any:
    """The text of each row of ASCII bytes (zeros at the end dropped) as an Arrow array."""
    rows, width = window.shape
    fixed = np.ascontiguousarray(window).view(f"S{max(width, 1)}").reshape(rows)
    return pa.array(fixed, pa.binary()).cast(pa.string())


def _pack(family: int, addresses: list[str]) -> tuple[bytes, Bools]:
    """``inet_pton`` of every address, packed, and which ones it accepted (refused ones
    are packed as zeros). The same function the per-item readers call, so the same
    addresses are accepted."""
    width = 4 if family == socket.AF_INET else 16
    ok = np.ones(len(addresses), np.bool_)
    parts: list[bytes] = []
    convert = partial(socket.inet_pton, family)
    for start in range(0, len(addresses), _BATCH):
        batch = addresses[start : start + _BATCH]
        try:
            parts.append(b"".join(map(convert, batch)))
            continue
        except (OSError, ValueError):
            pass
        one: list[bytes] = []
        for j, text in enumerate(batch):
            try:
                one.append(convert(text))
            except (OSError, ValueError):
                ok[start + j] = False
                one.append(bytes(width))
        parts.append(b"".join(one))
    return b"".join(parts), ok


def prefix_columns(addresses: Any, lengths: U64) -> tuple[PrefixArray, Bools]:
    """Prefixes from address text (an Arrow string array) and lengths, as
    :func:`routesieve.sources._common.strict_prefix` reads ``address/length``: IPv6 when
    the address holds a ``:``, the length at most the family's bits, no host bits set.
    Rows it refuses are ``False`` in the mask (and zero in the columns)."""
    n = len(addresses)
    v6 = pc.match_substring(addresses, ":").to_numpy(zero_copy_only=False)
    hi = np.zeros(n, np.uint64)
    lo = np.zeros(n, np.uint64)
    ok = np.ones(n, np.bool_)
    rows4 = np.flatnonzero(~v6)
    rows6 = np.flatnonzero(v6)
    if len(rows4):
        packed, good = _pack(socket.AF_INET, addresses.take(rows4).to_pylist())
        value = np.frombuffer(packed, ">u4").astype(np.uint64)
        hi[rows4] = value << np.uint64(32)
        ok[rows4] = good
    if len(rows6):
        packed, good = _pack(socket.AF_INET6, addresses.take(rows6).to_pylist())
        pair = np.frombuffer(packed, ">u8").astype(np.uint64).reshape(-1, 2)
        hi[rows6] = pair[:, 0]
        lo[rows6] = pair[:, 1]
        ok[rows6] = good
    bits = np.where(v6, 128, 32)
    ok &= lengths <= bits
    length = np.minimum(lengths, bits).astype(np.int64)
    # host bits: below ``length`` in the 128-bit value hi:lo (IPv4 sits at the top of hi)
    in_hi = np.minimum(length, 64)
    hi_mask = np.where(in_hi >= 64, np.uint64(0), _ONES >> np.minimum(in_hi, 63).astype(np.uint64))
    in_lo = np.clip(length - 64, 0, 64)
    lo_mask = np.where(in_lo >= 64, np.uint64(0), _ONES >> np.minimum(in_lo, 63).astype(np.uint64))
    lo_mask = np.where(length <= 64, _ONES, lo_mask)
    ok &= ((hi & hi_mask) == 0) & ((lo & lo_mask) == 0)
    prefixes = PrefixArray(
        np.where(v6, 6, 4).astype(np.uint8),
        np.where(ok, hi, np.uint64(0)),
        np.where(ok, lo, np.uint64(0)),
        np.where(ok, length, 0).astype(np.uint8),
    )
    return prefixes, ok


def string_column(text: Any) -> StringColumn:
    """A :class:`StringColumn` of an Arrow string array without nulls, names in the order
    they first appear (as :meth:`StringColumn.of` numbers them)."""
    coded = pc.dictionary_encode(text)
    names = tuple(coded.dictionary.to_pylist())
    return _narrow(coded.indices.to_numpy(zero_copy_only=False).astype(np.uint32), names)


def _narrow(codes: npt.NDArray[np.uint32], names: tuple[str, ...]) -> StringColumn:
    if len(names) <= 1 << 8:
        return StringColumn(codes.astype(np.uint8), names)
    if len(names) <= 1 << 16:
        return StringColumn(codes.astype(np.uint16), names)
    return StringColumn(codes, names)


def _concat_strings(columns: Sequence[StringColumn]) -> StringColumn:
    table: dict[str, int] = {}
    parts = []
    for column in columns:
        remap = np.fromiter(
            (table.setdefault(name, len(table)) for name in column.names),
            np.uint32,
            len(column.names),
        )
        parts.append(remap[column.codes] if len(column.names) else column.codes.astype(np.uint32))
    codes = np.concatenate(parts) if parts else np.zeros(0, np.uint32)
    return _narrow(codes.astype(np.uint32), tuple(table))


def concat(kind: type[T], tables: Sequence[T]) -> T:
    """The rows of ``tables`` one after the other, as one table of type ``kind``."""
    fields: dict[str, Any] = {}
    for name, what in kind.KINDS.items():
        columns = [getattr(t, name) for t in tables]
        if what == "prefix":
            fields[name] = concat(PrefixArray, columns)
        elif what == "strings":
            fields[name] = _concat_strings(columns)
        else:
            fields[name] = np.concatenate(columns).astype(np.dtype(what))
    return kind(**fields)


def in_order(kind: type[T], tables: Sequence[T], keys: Sequence[Index]) -> T:
    """The rows of ``tables`` sorted by their ``keys`` (the place of each row in the file;
    rows of equal keys keep their order, those of earlier tables first)."""
    if len(tables) == 1:
        return tables[0]
    whole = concat(kind, tables)
    order = np.argsort(np.concatenate(keys), kind="stable")
    if np.array_equal(order, np.arange(len(order))):
        return whole
    return whole.take(order)
