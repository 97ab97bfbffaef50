"""Each command imports what it uses: `evaluate` from a stored snapshot with a JSON-lines
routes file loads no source parser, no other route reader, no network client and no
Parquet writer; `--version` and `evaluate --help` load none of the heavy libraries.

Every probe runs in a new interpreter, so what it finds in ``sys.modules`` is what that
one command imported."""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import click
from click.testing import CliRunner

from routesieve.cli import main
from routesieve.cli.commands import COMMAND_MODULES, COMMANDS

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))

PROBE = """
import json, sys
from routesieve.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("MODULES:" + json.dumps([code, sorted(sys.modules)]))
"""

#: What `evaluate` from a stored snapshot and a JSON-lines file has no use for.
NOT_FOR_STORED_EVALUATE = (
    # the sources' parsers: a stored snapshot is loaded as columns, nothing is parsed
    "routesieve.sources.load",
    "routesieve.sources.rpsl",
    "routesieve.sources.rpki",
    "routesieve.sources.rir",
    "routesieve.sources.iana",
    "routesieve.sources.peeringdb_files",
    "routesieve.sources.read_worker",
    # the other route readers
    "routesieve.collect.bgpdump",
    "routesieve.collect.mrt",
    "routesieve.collect.replay",
    # network clients and servers
    "httpx",
    "asyncio",
    "routesieve.sources.peeringdb",
    "routesieve.sources.rtr",
    "routesieve.sources.irr",
    "routesieve.sources.http_fetch",
    "routesieve.sync.one_source",
    "routesieve.web",
    # other output formats
    "pyarrow.parquet",
    "pyarrow.dataset",
    "routesieve.outputs.report",
)

#: What a command that only prints its usage or version has no use for.
NOT_FOR_USAGE = ("numpy", "pyarrow", "pydantic", "routesieve.config", "routesieve.engine")


def run_probe(*args: str) -> tuple[int, str, set[str]]:
    """``routesieve ARGS`` in a new interpreter: its exit code, standard output and every
    module it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    out, _, found = done.stdout.rpartition("MODULES:")
    code, modules = json.loads(found)
    return code, out, set(modules)


def loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """The modules of ``names`` (or inside their packages) that were loaded."""
    return sorted(m for m in modules if any(m == n or m.startswith(f"{n}.") for n in names))


def test_evaluate_from_a_stored_snapshot_imports_no_parser_reader_or_client(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "example"
    shutil.copytree(EXAMPLE, folder)
    config = folder / "routesieve.toml"
    synced = CliRunner().invoke(main, ["sync", "--config", str(config)])
    assert synced.exit_code == 0, synced.output

    code, out, modules = run_probe(
        "evaluate",
        "--config",
        str(config),
        "--offline",
        "--routes",
        str(folder / "routes.jsonl"),
        "--format",
        "jsonl",
    )

    assert code in (0, None)
    assert len(out.splitlines()) == 31  # it did decide every route
    assert "routesieve.store.snapshot_file" in modules  # read from the stored snapshot
    assert loaded(modules, NOT_FOR_STORED_EVALUATE) == []


def test_evaluate_of_the_source_files_imports_their_parsers_when_needed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "example"
    shutil.copytree(EXAMPLE, folder)
    code, _, modules = run_probe(
        "evaluate",
        "--config",
        str(folder / "routesieve.toml"),
        "--routes",
        str(folder / "routes.jsonl"),
        "--format",
        "jsonl",
        "--output",
        str(tmp_path / "verdicts.jsonl"),
    )
    assert code in (0, None)
    assert {"routesieve.sources.load", "routesieve.sources.rpsl"} <= modules


def test_version_and_usage_import_no_numpy_arrow_pydantic_or_engine() -> None:
    for args in (["--version"], ["--help"], ["evaluate", "--help"]):
        code, _, modules = run_probe(*args)
        assert code == 0
        assert loaded(modules, NOT_FOR_USAGE) == [], args


def test_the_list_of_commands_loads_no_command_module() -> None:
    code, out, modules = run_probe("--help")
    assert code == 0
    assert set(COMMAND_MODULES) <= {
        line.split()[0] for line in out.split("Commands:")[1].splitlines() if line
    }
    command_modules = tuple(f"routesieve.cli.{m}" for m in set(COMMAND_MODULES.values()))
    assert loaded(modules, command_modules) == []


def test_each_listed_summary_is_the_commands_own() -> None:
    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"routesieve.cli.{module}")
    ctx = click.Context(main)
    for name, (_, summary) in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command is not None
        listed = click.Command(name, help=summary).get_short_help_str(limit=1000)
        assert listed == command.get_short_help_str(limit=1000), name


def test_the_second_reading_process_imports_no_configuration_or_engine() -> None:
    # what `python -m routesieve.sources.read_worker` imports to read its files
    probe = (
        "import json, sys\n"
        "import routesieve.sources.read_worker\n"
        "from routesieve.sources.load import read_source\n"
        "print('MODULES:' + json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300
    )
    modules = set(json.loads(done.stdout.rsplit("MODULES:", 1)[1]))
    assert "routesieve.sources.rpsl" in modules
    assert loaded(modules, ("pydantic", "routesieve.config", "routesieve.engine", "click")) == []
