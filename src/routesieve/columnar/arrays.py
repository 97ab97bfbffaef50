"""The parts every column-backed table is made of: a base ``Sequence``, prefixes, strings.

A table is a frozen dataclass whose fields are numpy columns of equal length: plain
arrays, a :class:`PrefixArray` (four arrays) or a :class:`StringColumn` (codes into a
tuple of distinct strings). ``KINDS`` names each field's kind (a numpy dtype, ``prefix``
or ``strings``) so that one piece of code can check, take from, compare and store every
table. Items are built only on demand, in bulk (``rows``) or alone (``row``).
"""

from __future__ import annotations

import operator
from abc import abstractmethod
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Self, TypeVar, overload

import numpy as np
import numpy.typing as npt

from routesieve.prefix import Prefix

T = TypeVar("T")
U8 = npt.NDArray[np.uint8]
U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
Codes = npt.NDArray[np.unsignedinteger[Any]]
Index = npt.NDArray[np.integer[Any]]
Bools = npt.NDArray[np.bool_]

NO_EXPIRY = int(np.iinfo(np.int64).max)
"""What an ``expires`` column holds for "never expires" (``None``): it is later than any
``as_of``, so ``expires >= as_of`` keeps such rows without a special case."""

CHUNK = 65_536  # items built at a time while iterating: bounded memory, bulk speed
_LOW64 = (1 << 64) - 1
_new_prefix = partial(tuple.__new__, Prefix)  # a Prefix from a 3-tuple, in C


class ColumnTable(Sequence[T]):
    """A read-only sequence of items kept as numpy columns (see the module docstring).

    Equal to any sequence holding equal items in the same order (a tuple included), and
    hashed like the tuple of its items, so a :class:`~routesieve.snapshot.Snapshot` holding
    tables compares and hashes as one holding tuples.
    """

    KINDS: ClassVar[dict[str, str]]

    def __post_init__(self) -> None:
        size = -1
        for name, kind in self.KINDS.items():
            column = getattr(self, name)
            if kind == "prefix":
                ok = isinstance(column, PrefixArray)
            elif kind == "strings":
                ok = isinstance(column, StringColumn)
            else:
                ok = isinstance(column, np.ndarray) and column.ndim == 1
                ok = ok and column.dtype == np.dtype(kind)
            if not ok:
                raise ValueError(f"{type(self).__name__}.{name}: not a column of {kind}")
            if size >= 0 and len(column) != size:
                raise ValueError(f"{type(self).__name__}.{name}: {len(column)} rows, not {size}")
            size = len(column)
        self.check_values()

    def check_values(self) -> None:
        """Raise ``ValueError`` for values the items cannot hold (columns from outside)."""

    @abstractmethod
    def rows(self, start: int, stop: int) -> list[T]:
        """Items ``start`` to ``stop - 1``, built in bulk."""

    @abstractmethod
    def row(self, i: int) -> T:
        """Item ``i`` (0 <= i < len), built alone: indexing one item must stay cheap."""

    def __len__(self) -> int:
        return len(getattr(self, next(iter(self.KINDS))))

    def take(self, idx: Index) -> Self:
        """The table of the rows at ``idx``, in that order."""
        cols = {name: getattr(self, name) for name in self.KINDS}
        return type(self)(**{name: col.take(idx) for name, col in cols.items()})

    def same_columns(self, other: Self) -> bool:
        for name in self.KINDS:
            mine, theirs = getattr(self, name), getattr(other, name)
            if isinstance(mine, np.ndarray):
                if not np.array_equal(mine, theirs):
                    return False
            elif not mine.same_columns(theirs):
                return False
        return True

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Self: ...
    def __getitem__(self, i: int | slice) -> T | Self:
        if isinstance(i, slice):
            return self.take(np.arange(len(self))[i])
        n = len(self)
        j = operator.index(i)
        if j < 0:
            j += n
        if not 0 <= j < n:
            raise IndexError(f"{type(self).__name__} index {i} out of range ({n} rows)")
        return self.row(j)

    def __iter__(self) -> Iterator[T]:
        n = len(self)
        for start in range(0, n, CHUNK):
            yield from self.rows(start, min(n, start + CHUNK))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes | bytearray):
            return NotImplemented
        if len(self) != len(other):
            return False
        if type(other) is type(self) and self.same_columns(other):
            return True
        return all(a == b for a, b in zip(self, other, strict=True))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(<{len(self)} rows>)"


@dataclass(frozen=True, eq=False, repr=False)
class PrefixArray(ColumnTable[Prefix]):
    """Prefixes as columns, laid out as the engine's cover index wants them.

    ``hi`` holds the top 64 bits of the address (an IPv4 address shifted to the top, so
    that one shift works for both families), ``lo`` the low 64 bits of an IPv6 address.
    """

    version: U8
    hi: U64
    lo: U64
    length: U8
    KINDS: ClassVar[dict[str, str]] = {"version": "u1", "hi": "u8", "lo": "u8", "length": "u1"}

    def check_values(self) -> None:
        v4 = self.version == 4
        if not (v4 | (self.version == 6)).all():
            raise ValueError("prefix version other than 4 or 6")
        if (self.length > np.where(v4, 32, 128)).any():
            raise ValueError("prefix length over 32 (IPv4) or 128 (IPv6)")

    @staticmethod
    def of(prefixes: Collection[Prefix]) -> PrefixArray:
        n = len(prefixes)
        return PrefixArray(
            np.fromiter((p.version for p in prefixes), np.uint8, n),
            np.fromiter(
                ((p.value << 32) if p.version == 4 else (p.value >> 64) for p in prefixes),
                np.uint64,
                n,
            ),
            np.fromiter(
                (0 if p.version == 4 else (p.value & _LOW64) for p in prefixes), np.uint64, n
            ),
            np.fromiter((p.length for p in prefixes), np.uint8, n),
        )

    def rows(self, start: int, stop: int) -> list[Prefix]:
        version = self.version[start:stop]
        hi = self.hi[start:stop]
        values: list[int] = (hi >> np.uint64(32)).tolist()  # right for IPv4 rows
        v6 = np.flatnonzero(version == 6)
        if len(v6):
            lows = self.lo[start:stop][v6].tolist()
            for j, h, lo in zip(v6.tolist(), hi[v6].tolist(), lows, strict=True):
                values[j] = (h << 64) | lo
        lengths = self.length[start:stop].tolist()
        return list(map(_new_prefix, zip(version.tolist(), values, lengths, strict=True)))

    def row(self, i: int) -> Prefix:
        version: int = self.version.item(i)
        hi: int = self.hi.item(i)
        value = hi >> 32 if version == 4 else (hi << 64) | self.lo.item(i)
        return _new_prefix((version, value, self.length.item(i)))


@dataclass(frozen=True, eq=False)
class StringColumn:
    """A column of strings with few distinct values: ``codes`` index into ``names``."""

    codes: Codes
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        if not (isinstance(self.codes, np.ndarray) and self.codes.ndim == 1):
            raise ValueError("string codes are not a column")
        if self.codes.dtype.kind != "u":
            raise ValueError(f"string codes of type {self.codes.dtype}, not unsigned")
        if not set(map(type, self.names)) <= {str}:
            raise ValueError("a string table holds something other than text")
        if len(self.codes) and int(self.codes.max()) >= len(self.names):
            raise ValueError(f"a string code past the end of its table of {len(self.names)}")

    @staticmethod
    def of(values: Iterable[str], n: int) -> StringColumn:
        """Code ``n`` strings; names are numbered in the order they first appear."""
        table: dict[str, int] = {}
        codes = np.fromiter((table.setdefault(v, len(table)) for v in values), np.uint32, n)
        if len(table) <= 1 << 8:
            return StringColumn(codes.astype(np.uint8), tuple(table))
        if len(table) <= 1 << 16:
            return StringColumn(codes.astype(np.uint16), tuple(table))
        return StringColumn(codes, tuple(table))

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, idx: Index) -> StringColumn:
        return StringColumn(self.codes[idx], self.names)

    def same_columns(self, other: StringColumn) -> bool:
        return self.names == other.names and np.array_equal(self.codes, other.codes)

    def objects(self, convert: Callable[[str], Any]) -> npt.NDArray[np.object_]:
        """``convert`` of each name, as an object array to index with ``codes``."""
        out = np.empty(len(self.names), dtype=object)
        for i, name in enumerate(self.names):
            out[i] = convert(name)
        return out

    def values(self, start: int, stop: int) -> list[str]:
        lookup: npt.NDArray[np.object_] | None = self.__dict__.get("_lookup")
        if lookup is None:  # built on first use: loading a snapshot needs none
            lookup = np.empty(len(self.names), dtype=object)
            lookup[:] = self.names
            object.__setattr__(self, "_lookup", lookup)
        out: list[str] = lookup[self.codes[start:stop]].tolist()
        return out

    def value(self, i: int) -> str:
        return self.names[self.codes.item(i)]

    def mask(self, wanted: Callable[[str], bool]) -> Bools:
        """Per row: does its string pass ``wanted`` (called once per distinct string)?"""
        table = np.fromiter((wanted(n) for n in self.names), np.bool_, len(self.names))
        found: Bools = table[self.codes] if len(self.names) else np.zeros(len(self), np.bool_)
        return found

    def recoded(self, convert: Callable[[str], str]) -> StringColumn:
        """The column of ``convert(value)`` for each row (``str.lower``, say), re-coded."""
        table: dict[str, int] = {}
        remap = np.fromiter(
            (table.setdefault(convert(n), len(table)) for n in self.names),
            np.uint32,
            len(self.names),
        )
        return StringColumn(remap[self.codes] if len(self.names) else self.codes, tuple(table))
