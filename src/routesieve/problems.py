"""Problems found while reading outside input, always with the file and the place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from routesieve.snapshot import Provenance

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that could not be read: ``file``, ``line`` (1-based) or other place."""

    file: str
    line: int | None
    message: str
    place: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.place:
            where += f" ({self.place})"
        return f"{where}: {self.message}"


class InputError(Exception):
    """An input that cannot be used at all (missing, unreadable, wrong format).

    The CLI maps it to exit code 1 and prints every problem.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # pickled (from a reading process) by its problems and attributes, not its message
        return (_rebuilt, (type(self), self.problems, dict(self.__dict__)))

    @staticmethod
    def at(file: str, message: str, line: int | None = None) -> InputError:
        return InputError([Problem(file, line, message)])


def _rebuilt(cls: type[InputError], problems: tuple[Problem, ...], state: dict[str, Any]) -> Any:
    exc = cls.__new__(cls)
    InputError.__init__(exc, problems)
    exc.__dict__.update(state)
    return exc


@dataclass(frozen=True, slots=True)
class Accounting:
    """Where every record of one route file went: ``read == routes + sum(skipped)``.

    ``unit`` names what was counted (``lines``; for MRT ``entries``: every RIB entry or
    announced/withdrawn prefix, and every record that carried none). ``routes`` includes
    the ``malformed`` ones (kept for X-MALFORMED); ``skipped`` lists each reason once.
    """

    file: str
    unit: str
    read: int
    routes: int
    malformed: int
    skipped: tuple[tuple[str, int], ...] = ()

    @property
    def skipped_total(self) -> int:
        return sum(n for _, n in self.skipped)

    @property
    def adds_up(self) -> bool:
        return self.read == self.routes + self.skipped_total

    def __str__(self) -> str:
        text = (
            f"{self.file}: {self.read} {self.unit} read, {self.routes} routes "
            f"({self.malformed} malformed, kept as X-MALFORMED), {self.skipped_total} skipped"
        )
        if self.skipped:
            text += " (" + ", ".join(f"{n} {why}" for why, n in self.skipped) + ")"
        if not self.adds_up:
            text += f"; {self.read - self.routes - self.skipped_total} unaccounted"
        return text


def skipped_reasons(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """The non-zero reasons of a count table, in a stable order."""
    return tuple(sorted((why, n) for why, n in counts.items() if n))


@dataclass(frozen=True, slots=True)
class ReadResult(Generic[T]):
    """What a reader produced: the items, the problems it skipped, and where it all came from.

    Route readers add ``accounting``: how every line or record of the file was used.
    """

    items: Sequence[T]  # a tuple, or a column-backed table (routesieve.columnar)
    problems: tuple[Problem, ...]
    provenance: Provenance
    accounting: Accounting | None = None
