"""Verdicts written by ``routesieve evaluate`` as a user runs it (a real process): the
partitioned dataset of a two-worker ``LocalCluster`` run, or one Parquet/Arrow file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROUTESIEVE = [sys.executable, "-m", "routesieve.cli"]


def evaluate_to(config: Path, routes: Path, output: Path, *options: str) -> Path:
    """``routesieve evaluate --config C --routes R --output O OPTIONS``; returns ``output``."""
    command = [*ROUTESIEVE, "evaluate", "--config", str(config), "--routes", str(routes)]
    done = subprocess.run(
        [*command, "--output", str(output), *options],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return output


def cluster_dataset(config: Path, routes: Path, output: Path) -> Path:
    """The dataset folder of ``evaluate --cluster local:2 --output DIR``."""
    return evaluate_to(config, routes, output, "--cluster", "local:2")
