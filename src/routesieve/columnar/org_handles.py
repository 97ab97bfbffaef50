"""RPSL org handles as columns: :class:`OrgHandleTable`, a ``Sequence`` of
:class:`~routesieve.model.OrgHandle`.

A handle is an ``org:`` line of an inetnum/inet6num (its prefixes) or of an aut-num (its
AS). Tens of thousands of them, each with a tuple of prefixes, were an object, a tuple
and a ``Prefix`` per prefix; here the org and source are coded strings, the AS a column
(-1 for none) and the prefixes of every handle one :class:`PrefixArray`, each handle a
run of it (``first``, ``n_prefixes``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import ClassVar, Self

import numpy as np

from routesieve.columnar.arrays import I64, ColumnTable, Index, PrefixArray, StringColumn
from routesieve.model import OrgHandle


@dataclass(frozen=True, eq=False, repr=False)
class OrgHandleTable(ColumnTable[OrgHandle]):
    """Org handles; handle i's prefixes are ``entries[first[i]:first[i] + n_prefixes[i]]``."""

    org: StringColumn
    source: StringColumn
    asn: I64  # -1: none
    first: I64
    n_prefixes: I64
    entries: PrefixArray
    KINDS: ClassVar[dict[str, str]] = {
        "org": "strings",
        "source": "strings",
        "asn": "i8",
        "first": "i8",
        "n_prefixes": "i8",
    }

    def check_values(self) -> None:
        if (self.n_prefixes < 0).any() or (self.first < 0).any():
            raise ValueError("an org handle with a negative prefix run")
        if len(self.first) and int((self.first + self.n_prefixes).max()) > len(self.entries):
            raise ValueError("an org handle's prefixes past the end of its entries")
        if (self.asn < -1).any() or (self.asn >= 1 << 32).any():
            raise ValueError("an org handle AS out of range")

    @staticmethod
    def of(handles: Sequence[OrgHandle]) -> OrgHandleTable:
        if isinstance(handles, OrgHandleTable):
            return handles
        n = len(handles)
        count = np.fromiter((len(h.prefixes) for h in handles), np.int64, n)
        return OrgHandleTable(
            StringColumn.of((h.org for h in handles), n),
            StringColumn.of((h.source for h in handles), n),
            np.fromiter((-1 if h.asn is None else h.asn for h in handles), np.int64, n),
            np.cumsum(count) - count,
            count,
            PrefixArray.of(list(chain.from_iterable(h.prefixes for h in handles))),
        )

    def entry_rows(self) -> I64:
        """The row of ``entries`` of each handle's prefixes, handle by handle."""
        sizes = self.n_prefixes
        starts = np.repeat(self.first - (np.cumsum(sizes) - sizes), sizes)
        rows: I64 = starts + np.arange(int(sizes.sum()), dtype=np.int64)
        return rows

    def take(self, idx: Index) -> Self:
        return type(self)(
            self.org.take(idx),
            self.source.take(idx),
            self.asn[idx],
            self.first[idx],
            self.n_prefixes[idx],
            self.entries,
        )

    def same_columns(self, other: Self) -> bool:
        return self is other or (
            super().same_columns(other) and self.entries.same_columns(other.entries)
        )

    def rows(self, start: int, stop: int) -> list[OrgHandle]:
        return [self.row(i) for i in range(start, stop)]

    def row(self, i: int) -> OrgHandle:
        a = self.first.item(i)
        asn = self.asn.item(i)
        return OrgHandle(
            self.org.value(i),
            self.source.value(i),
            tuple(self.entries.rows(a, a + self.n_prefixes.item(i))),
            None if asn < 0 else asn,
        )
