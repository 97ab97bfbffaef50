"""Fixtures of the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from report.example_data import example_copy, make_hostile, run_cli


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return example_copy(tmp_path / "example")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the example with markup in names; returns the site folder."""
    base = tmp_path_factory.mktemp("hostile")
    folder = example_copy(base / "example")
    make_hostile(folder)
    site = base / "site"
    result = run_cli(
        "report",
        "--config",
        str(folder / "routesieve.toml"),
        "--routes",
        str(folder / "routes.jsonl"),
        "--html",
        str(site),
    )
    assert result.exit_code == 0, result.output
    return site
