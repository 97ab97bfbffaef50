"""A column of values with few distinct ones (sessions, raw prefix texts, communities):
a code per row into a tuple of the values."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from routesieve.columnar.arrays import U32, Bools, Index, T


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
        codes = [p.codes.astype(np.int64) + s for p, s in zip(parts, shift.tolist(), strict=True)]
        return Coded(
            np.concatenate(codes).astype(np.uint32) if codes else np.empty(0, np.uint32),
            tuple(v for p in parts for v in p.values),
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
