"""Fixtures of the router collector tests: real FRR, OpenBGPD and GoBGP on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from routers_lab import A, B, Processes, h


@pytest.fixture(scope="module")
def module_procs() -> Iterator[Processes]:
    running = Processes()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def lab_addresses() -> Iterator[None]:
    with h.loopback_addresses([A, B]):
        yield
