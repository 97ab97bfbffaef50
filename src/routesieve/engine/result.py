"""What an evaluation returns: one verdict per merged route, and the warnings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import overload

from routesieve.engine.decisions import Decisions
from routesieve.engine.verdicts import VerdictBuilder
from routesieve.model import Verdict


class _OneByOne:
    """Verdict ``k`` of some decisions. The builder's per-row lists (a few hundred bytes a
    row) are made on the first call: the columnar writers never make them."""

    def __init__(self, decisions: Decisions) -> None:
        self._decisions = decisions

    @cached_property
    def _made(self) -> tuple[list[int], VerdictBuilder]:
        return self._decisions.table.appearance.tolist(), VerdictBuilder(self._decisions)

    def __call__(self, k: int) -> Verdict:
        rows, build = self._made
        return build(rows[k])


class Evaluation(Sequence[Verdict]):
    """The verdicts of one run, in the order each merged route was first received.

    Verdicts are built when asked for and not kept: the engine decides in bulk, and a
    caller that only counts, or streams verdicts out, does not hold every reason text.
    ``decisions`` are the engine's columns behind the verdicts when there are some (the
    columnar writers of ``outputs/`` use them); verdict ``k`` is row
    ``decisions.table.appearance[k]``.
    """

    def __init__(
        self,
        size: int,
        build: Callable[[int], Verdict],
        warnings: Sequence[str] = (),
        decisions: Decisions | None = None,
    ) -> None:
        self._size = size
        self._build = build
        self.warnings: tuple[str, ...] = tuple(warnings)
        self.decisions = decisions

    @staticmethod
    def of(verdicts: Sequence[Verdict], warnings: Sequence[str] = ()) -> Evaluation:
        """An evaluation of ready verdicts (no columns behind them)."""
        items = list(verdicts)
        return Evaluation(len(items), items.__getitem__, warnings)

    @staticmethod
    def of_decisions(decisions: Decisions) -> Evaluation:
        """The verdicts of ``decisions``, built when asked for, in the order received."""
        return Evaluation(
            len(decisions.table.appearance),
            _OneByOne(decisions),
            decisions.warnings,
            decisions=decisions,
        )

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> Verdict: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Verdict]: ...
    def __getitem__(self, index: int | slice) -> Verdict | Sequence[Verdict]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._size))]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError(index)
        return self._build(index)

    def __iter__(self) -> Iterator[Verdict]:
        build = self._build
        for i in range(self._size):
            yield build(i)
