"""The columnar verdict writers attempt no failing import while they write.

Arrow's conversion of Python objects by type inference (``pa.array`` of a list without a
type, a Python ``str`` passed to a compute kernel) tries ``import dateutil`` each time;
without python-dateutil installed that import fails, is not cached, and scans sys.path:
over a thousand times in one write of the bench set. The writers pass typed scalars and
arrays instead; this keeps it so.
"""

from __future__ import annotations

import builtins
import io
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from test_fast_matches_reference import World, worlds

from routesieve.engine.evaluate import evaluate
from routesieve.outputs.verdict_arrow import write_arrow, write_parquet
from routesieve.outputs.verdict_formats import write_csv, write_jsonl


@contextmanager
def failed_imports() -> Iterator[list[str]]:
    """The names of the imports that fail inside the block."""
    failed: list[str] = []
    real = builtins.__import__

    def spy(name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return real(name, *args, **kwargs)
        except ImportError:
            failed.append(name)
            raise

    builtins.__import__ = spy
    try:
        yield failed
    finally:
        builtins.__import__ = real


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_columnar_writers_attempt_no_failing_import(world: World) -> None:
    routes, snapshot, policy = world
    result = evaluate(routes, snapshot, policy)
    assert result.decisions is not None
    with tempfile.TemporaryDirectory() as tmp:
        _write_each_twice(result, Path(tmp))


def _write_each_twice(result: Any, folder: Path) -> None:
    writers: list[Callable[[], int]] = [
        lambda: write_jsonl(result, io.StringIO()),
        lambda: write_csv(result, io.StringIO()),
        lambda: write_parquet(result, folder / "v.parquet"),
        lambda: write_arrow(result, folder / "v.arrow"),
    ]
    for write in writers:
        write()  # modules a writer imports on first use are imported by now
        with failed_imports() as failed:
            assert write() == len(result)
        assert failed == []
