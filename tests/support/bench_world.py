"""The bench generator (``bench/generate.py``) at a small, fixed size, for tests.

``--scale 0.1`` writes about 28,600 received routes, 85,000 VRPs and 108,000 route
objects in a second: the same kinds of routes and data as the full bench set (a full
table, bilateral peers, route-server members, bogons, prepend storms, malformed lines,
nested and looping as-sets), small enough for ``make test``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

GENERATE = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
SCALE = 0.1
SEED = 214312
AS_OF = 1_764_000_000  # 2025-11-24: the VRPs that expire in 2023 are ignored, 2031 kept


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("routesieve_bench_generate", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def write_bench_world(out: Path, scale: float = SCALE, seed: int = SEED) -> Path:
    """Write the generated files into ``out``; returns the configuration's path."""
    generate = _generator()  # a fresh module: scale() changes its sizes
    generate.scale(scale)
    generate.build(seed, out)
    return out / "routesieve.toml"
