"""A column of values with few distinct ones (sessions, communities): a code per row into
a tuple of the values; and a column of texts (raw prefix texts), a code per row into one
buffer of the distinct texts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from routesieve.columnar.arrays import I64, U8, U32, Bools, Index, T


@dataclass(frozen=True, eq=False)
class Coded(Sequence[T]):
    """A column of values with few distinct ones: ``codes`` index into ``values``."""

    codes: U32
    values: tuple[T, ...]

    @staticmethod
    def of(items: Iterable[T], n: int) -> Coded[T]:
        """Code ``n`` values, numbered in the order they first appear."""
        table: dict[T, int] = {}
        codes = np.fromiter((table.setdefault(v, len(table)) for v in items), np.uint32, n)
        return Coded(codes, tuple(table))

    @staticmethod
    def concat(parts: Sequence[Coded[T]]) -> Coded[T]:
        """The rows of each part in turn (values are not merged: they need not be distinct)."""
        if len(parts) == 1:
            return parts[0]
        shift = np.cumsum([0] + [len(p.values) for p in parts[:-1]], dtype=np.int64)
        return Coded(
            _shifted([p.codes for p in parts], shift), tuple(v for p in parts for v in p.values)
        )

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, idx: Index) -> Coded[T]:
        return Coded(self.codes[idx], self.values)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> Coded[T]: ...
    def __getitem__(self, i: int | slice) -> T | Coded[T]:
        if isinstance(i, slice):
            return self.take(np.arange(len(self))[i])
        return self.values[int(self.codes[i])]

    def value(self, i: int) -> T:
        return self.values[self.codes.item(i)]

    def lookup(self) -> npt.NDArray[np.object_]:
        """The values as an object array, to index with ``codes`` in bulk."""
        cached: npt.NDArray[np.object_] | None = self.__dict__.get("_lookup")
        if cached is None:
            cached = np.empty(len(self.values), dtype=object)
            for i, v in enumerate(self.values):  # one by one: a value may be a tuple
                cached[i] = v
            object.__setattr__(self, "_lookup", cached)
        return cached

    def items(self, start: int, stop: int) -> list[T]:
        out: list[T] = self.lookup()[self.codes[start:stop]].tolist()
        return out

    def mask(self, values: Iterable[Any]) -> Bools:
        """Per row: is its value one of ``values``?"""
        wanted = set(values)
        table = np.fromiter((v in wanted for v in self.values), np.bool_, len(self.values))
        return table[self.codes] if len(self.values) else np.zeros(len(self), np.bool_)


@dataclass(frozen=True, eq=False)
class CodedText(Sequence[str]):
    """A column of texts, most of them distinct (the raw prefix texts of received routes):
    ``codes`` index into distinct texts held as one UTF-8 buffer (``data``) cut at
    ``offsets``, not as a Python string each (57 bytes a text: 50 MB a million routes).

    Text that is not valid Unicode (a lone surrogate) is kept with ``surrogatepass``.
    """

    codes: U32
    offsets: I64  # one more than the distinct texts; text k is data[offsets[k]:offsets[k+1]]
    data: U8

    @staticmethod
    def of(items: Iterable[str], n: int) -> CodedText:
        """Code ``n`` texts, numbered in the order they first appear."""
        coded = Coded.of(items, n)
        return CodedText.of_values(coded.codes, coded.values)

    @staticmethod
    def of_values(codes: U32, values: Sequence[str]) -> CodedText:
        encoded = [v.encode("utf-8", "surrogatepass") for v in values]
        offsets = np.zeros(len(encoded) + 1, np.int64)
        np.cumsum(np.fromiter(map(len, encoded), np.int64, len(encoded)), out=offsets[1:])
        return CodedText(codes, offsets, np.frombuffer(b"".join(encoded), np.uint8))

    @staticmethod
    def concat(parts: Sequence[Coded[str] | CodedText]) -> CodedText:
        """The rows of each part in turn (texts are not merged: they need not be distinct)."""
        texts = [
            p if isinstance(p, CodedText) else CodedText.of_values(p.codes, p.values) for p in parts
        ]
        if len(texts) == 1:
            return texts[0]
        shift = np.cumsum([0] + [t.distinct for t in texts[:-1]], dtype=np.int64)
        base = np.cumsum([0] + [len(t.data) for t in texts[:-1]], dtype=np.int64)
        ends = [t.offsets[1:] + b for t, b in zip(texts, base.tolist(), strict=True)]
        return CodedText(
            _shifted([t.codes for t in texts], shift),
            np.concatenate([np.zeros(1, np.int64), *ends]),
            np.concatenate([t.data for t in texts]) if texts else np.empty(0, np.uint8),
        )

    @property
    def distinct(self) -> int:
        return len(self.offsets) - 1

    def text(self, code: int) -> str:
        """The distinct text numbered ``code``."""
        a, b = self.offsets.item(code), self.offsets.item(code + 1)
        return self.data[a:b].tobytes().decode("utf-8", "surrogatepass")

    def __len__(self) -> int:
        return len(self.codes)

    def take(self, idx: Index) -> CodedText:
        return CodedText(self.codes[idx], self.offsets, self.data)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> CodedText: ...
    def __getitem__(self, i: int | slice) -> str | CodedText:
        if isinstance(i, slice):
            return self.take(np.arange(len(self))[i])
        return self.text(int(self.codes[i]))

    def value(self, i: int) -> str:
        return self.text(self.codes.item(i))

    def items(self, start: int, stop: int) -> list[str]:
        return list(map(self.text, self.codes[start:stop].tolist()))


def _shifted(codes: Sequence[U32], shift: I64) -> U32:
    """The codes of each part in turn, part k's raised by ``shift[k]``, made in place in
    the joined column (no 64-bit copy of each part: a million routes, 8 MB less)."""
    if int(shift[-1]) + max((int(c.max()) for c in codes if len(c)), default=0) >= 1 << 32:
        raise ValueError("more than 2**32 distinct values in a coded column")
    out = np.concatenate(codes).astype(np.uint32, copy=False) if codes else np.empty(0, np.uint32)
    start = 0
    for c, s in zip(codes, shift.tolist(), strict=True):
        out[start : start + len(c)] += np.uint32(s)
        start += len(c)
    return out
