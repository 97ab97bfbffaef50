"""Helpers of the sync tests: made-for-test data, configurations, the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from routesieve.cli import main

DATA = Path(__file__).resolve().parent / "data"


def fresh_rpki(shared_data: Path, buildtime: str) -> bytes:
    """The real rpki-client JSON of stayrtr's tests with its ``buildtime`` set to
    ``buildtime`` (the only change), so that its age can be chosen by a test."""
    text = (shared_data / "rpki" / "stayrtr_test.rpki.json").read_text(encoding="utf-8")
    return re.sub(r'"buildtime": "[^"]+"', f'"buildtime": "{buildtime}"', text, count=1).encode()


def write_config(folder: Path, sources: str, extra: str = "") -> Path:
    """A small configuration (AS214312, one exchange on PeeringDB ix 1) with ``sources``
    as its ``[sources]`` table and ``extra`` appended (e.g. a ``[sync]`` table)."""
    path = folder / "routesieve.toml"
    path.write_text(
        "[local]\nasn = 214312\n\n"
        '[[exchanges]]\nname = "Equinix Ashburn"\npeeringdb_ix = 1\n\n'
        f"[sources]\n{sources}\n{extra}",
        encoding="utf-8",
    )
    return path


def run(*args: str) -> tuple[int, str, str]:
    """``routesieve ARGS`` in this process: exit code, standard output, standard error."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr
