"""Fixtures shared by every test folder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the shared helpers of the tests that run real daemons (tests/support/daemon_lab.py)
sys.path.insert(0, str(Path(__file__).resolve().parent / "support"))
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real outside data files of /work/shared/data (see SOURCES.md there)."""
    if not SHARED.is_dir():
        pytest.skip(f"shared test data not found at {SHARED}")
    return SHARED


@pytest.fixture(autouse=True, scope="session")
def _parse_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write the user's cache of parsed data files."""
    import os

    os.environ["ROUTESIEVE_CACHE_DIR"] = str(tmp_path_factory.mktemp("parse-cache"))
