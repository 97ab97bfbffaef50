"""Fixtures of the router collector tests: real FRR, OpenBGPD and GoBGP on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture(scope="module")
def lab_dir(
    module_procs: Processes, lab_addresses: None, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Processes, Path]:
    """The processes of this module's lab and a fresh folder, the addresses on ``lo``."""
    return module_procs, tmp_path_factory.mktemp("lab")
