"""Commands load their modules on first use: `evaluate` does not import the web stack,
the peering workflow or the report site, and every command is still listed."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from routesieve.cli import main
from routesieve.cli.common import COMMAND_MODULES

PROBE = """
import sys
from routesieve.cli import main
try:
    main(["evaluate", "--help"])
except SystemExit:
    pass
heavy = ("fastapi", "hypercorn", "routesieve.web", "routesieve.outputs.report",
         "routesieve.peering", "routesieve.service", "paramiko", "dask")
print("LOADED:", *sorted(m for m in sys.modules if m.split(".")[0] in heavy or m in heavy))
"""


def test_evaluate_imports_no_web_report_or_peering_module() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert "Usage:" in done.stdout
    loaded = done.stdout.split("LOADED:")[1].split()
    assert loaded == []


def test_help_lists_every_command_of_every_module() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line}
    assert listed == set(COMMAND_MODULES)


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["evalute"])
    assert result.exit_code == 2
    assert "No such command" in result.output
