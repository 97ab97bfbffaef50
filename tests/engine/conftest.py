"""Engine tests run against both engines: the fast one and the simple reference."""

from __future__ import annotations

import importlib.util

import pytest
from engine_builders import Engine

FAST_MODULE = "routesieve.engine.evaluate"


@pytest.fixture(params=["fast", "reference"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The ``evaluate`` function of each engine."""
    if request.param == "reference":
        from routesieve.engine.reference import evaluate as reference_evaluate

        return reference_evaluate
    # TODO(lead): remove this skip once routesieve.engine.evaluate has landed.
    if importlib.util.find_spec(FAST_MODULE) is None:
        pytest.skip(f"fast engine {FAST_MODULE} is not written yet")
    from routesieve.engine.evaluate import evaluate as fast_evaluate

    return fast_evaluate
