"""CPU time per step of a reader or writer: named functions wrapped in this process only.

``StepTimers([(module_or_class, "name"), ...])`` replaces each function by one that adds
its CPU time (``time.process_time``, every thread of the process) to a total under its
name (a name the code does not have is left out, so that an older tree can be timed
with the same list); ``report()`` prints the totals, largest first. Steps that call one another are
counted in both (a caller's time includes its callees'). For benchmarks only.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any


class StepTimers:
    def __init__(self, steps: Iterable[tuple[Any, str]]) -> None:
        self.totals: Counter[str] = Counter()
        for owner, name in steps:
            self._wrap(owner, name)

    def _wrap(self, owner: Any, name: str) -> None:
        func: Callable[..., Any] | None = getattr(owner, name, None)
        if func is None:  # a step another tree (an anchor) does not have
            return
        label = f"{getattr(owner, '__name__', owner)}.{name}".rsplit(".", 2)
        key = ".".join(label[-2:])
        totals = self.totals

        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                totals[key] += time.process_time() - start

        setattr(owner, name, timed)

    def clear(self) -> None:
        self.totals.clear()

    def report(self, indent: str = "    ") -> None:
        for key, seconds in self.totals.most_common():
            print(f"{indent}{key:40} {seconds:7.3f} s cpu")
