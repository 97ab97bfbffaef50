"""Engine tests run against both engines: the fast one and the simple reference."""

from __future__ import annotations

import pytest
from engine_builders import Engine


@pytest.fixture(params=["fast", "reference"])
def engine(request: pytest.FixtureRequest) -> Engine:
    """The ``evaluate`` function of each engine."""
    if request.param == "reference":
        from routesieve.engine.reference import evaluate as reference_evaluate

        return reference_evaluate
    from routesieve.engine.evaluate import evaluate as fast_evaluate

    return fast_evaluate
