"""Problems found while reading outside input, always with the file and the place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

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

    @staticmethod
    def at(file: str, message: str, line: int | None = None) -> InputError:
        return InputError([Problem(file, line, message)])


@dataclass(frozen=True, slots=True)
class ReadResult(Generic[T]):
    """What a reader produced: the items, the problems it skipped, and where it all came from."""

    items: tuple[T, ...]
    problems: tuple[Problem, ...]
    provenance: Provenance
