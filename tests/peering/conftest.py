"""The PeeringDB replay server (tests/support/peeringdb_replay.py) as a fixture."""

import sys
from pathlib import Path

import pytest
from peeringdb_replay import peeringdb as peeringdb  # the fixture, re-exported

# bird_harness (tests/outputs) wraps rendered files into a whole bird.conf for `bird -p`
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outputs"))


@pytest.fixture(autouse=True)
def _own_answer_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test its own PeeringDB answer cache: a port reused by a later replay server
    must not find an earlier test's answers."""
    monkeypatch.setenv("ROUTESIEVE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
