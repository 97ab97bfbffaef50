"""Fixtures of the BIRD collection tests: real BIRD 2 and GoBGP daemons on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bird_collect_lab import LabError, Processes, require_daemons


@pytest.fixture(scope="module")
def daemons() -> None:
    """BIRD 2 and GoBGP installed (Debian packages), or the test fails with the reason."""
    try:
        require_daemons()
    except (LabError, OSError) as exc:
        pytest.fail(f"BIRD 2 and GoBGP are needed and could not be installed: {exc}")


@pytest.fixture(scope="module")
def module_procs() -> Iterator[Processes]:
    running = Processes()
    yield running
    running.stop()
