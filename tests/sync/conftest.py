"""Fixtures of the sync tests: a running local HTTP server (tests/support/http_lab.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from http_lab import HttpLab, http_lab


@pytest.fixture
def lab() -> Iterator[HttpLab]:
    with http_lab() as running:
        yield running
