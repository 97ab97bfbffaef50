"""The data flows one way: the engine imports no source, collector, output, config or CLI."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "routesieve"
OUTWARD = ("sources", "collect", "outputs", "config", "cli", "textio")
IO_MODULES = {"os", "io", "socket", "pathlib", "urllib", "http", "subprocess", "time", "datetime"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_engine_imports_nothing_outward() -> None:
    for path in sorted((SRC / "engine").glob("*.py")):
        for name in imports_of(path):
            parts = name.split(".")
            assert not (parts[0] == "routesieve" and len(parts) > 1 and parts[1] in OUTWARD), (
                f"{path.name} imports {name}"
            )


def test_engine_does_no_io_and_reads_no_clock() -> None:
    for path in sorted((SRC / "engine").glob("*.py")):
        for name in imports_of(path):
            assert name.split(".")[0] not in IO_MODULES, f"{path.name} imports {name}"


def test_model_imports_only_the_standard_library() -> None:
    for name in ("prefix.py", "aspath.py", "model.py", "snapshot.py", "policy.py"):
        for imported in imports_of(SRC / name):
            assert imported.split(".")[0] != "routesieve" or imported in (
                "routesieve.numbers",
                "routesieve.prefix",
                "routesieve.aspath",
                "routesieve.model",
                "routesieve.snapshot",
            ), f"{name} imports {imported}"
