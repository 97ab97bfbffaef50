"""Fixtures of the RTR client tests: a real StayRTR on loopback serving a copy of the
shared StayRTR test cache (19 real ROAs, 3 BGPsec router keys, ASPA records)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from rtr_lab import LabError, StayRtr, require_stayrtr


@pytest.fixture(scope="session")
def stayrtr_installed() -> None:
    try:
        require_stayrtr()
    except (LabError, OSError) as exc:
        pytest.fail(f"StayRTR is needed and could not be installed: {exc}")


@pytest.fixture
def cache_file(shared_data: Path, tmp_path: Path) -> Path:
    """A copy of stayrtr_test.rpki.json in tmp_path, for the test to change."""
    path = tmp_path / "cache.json"
    shutil.copyfile(shared_data / "rpki" / "stayrtr_test.rpki.json", path)
    return path


@pytest.fixture
def cache_roas(cache_file: Path) -> list[dict[str, Any]]:
    roas: list[dict[str, Any]] = json.loads(cache_file.read_text())["roas"]
    return roas


@pytest.fixture
def stayrtr(stayrtr_installed: None, tmp_path: Path) -> Iterator[Callable[..., StayRtr]]:
    """Start StayRTR on a cache file: ``stayrtr(cache, "-refresh", "1", host="::1")``."""
    started: list[StayRtr] = []

    def start(cache: Path, *args: str, host: str = "127.0.0.1") -> StayRtr:
        log = tmp_path / f"stayrtr-{len(started)}.log"
        server = StayRtr(cache, log, host, tuple(args))
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
