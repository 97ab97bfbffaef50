"""Every verdict of a fixed generated world, reason and evidence included, is what it was.

The engine, the readers and the writers may change for speed; their output may not.
The world is the bench generator at a tenth of full size (``tests/support/bench_world.py``),
read from its files, decided, and written as JSON lines; the SHA-256 of that text was
recorded before the columnar work (issue 12). When a change is meant to alter verdicts
(a new rule, a reworded reason), update ``DIGEST`` in the same commit and say why.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from bench_world import AS_OF, write_bench_world

from routesieve.collect.files import read_routes
from routesieve.config import load_config
from routesieve.engine.evaluate import evaluate
from routesieve.outputs.verdict_formats import write_jsonl
from routesieve.sources.load import load_snapshot

ROUTES = 28_656
VERDICTS = 24_966
RULES_SEEN = 18
DIGEST = "222f9cd97bbe479b8167acc82975eb38beb3f82e6b9479f8837ba053d71cf211"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bench_world(tmp_path_factory.mktemp("bench-world"))


def test_verdicts_of_the_generated_world_are_unchanged(world: Path) -> None:
    config = load_config(world)
    snapshot = load_snapshot(config, AS_OF).snapshot
    routes = read_routes(world.parent / "routes.jsonl").items
    assert len(routes) == ROUTES
    result = evaluate(routes, snapshot, config.to_policy())
    text = io.StringIO()
    assert write_jsonl(result, text) == VERDICTS
    assert len({v.rule for v in result}) == RULES_SEEN  # the world exercises most rules
    assert hashlib.sha256(text.getvalue().encode()).hexdigest() == DIGEST
