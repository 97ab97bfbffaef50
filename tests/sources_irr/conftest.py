"""The session's IRRd (see irrd_lab.py): started once, stopped at the end."""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from daemon_lab import Processes
from irrd_excerpt import EXCERPT_SETS, LARGE_SET
from irrd_lab import IrrdLab, IrrdUnavailable, start_irrd, stop_all


@pytest.fixture(scope="session")
def irrd(shared_data: Path) -> Iterator[IrrdLab]:
    """A real IRRd 4 on 127.0.0.1 loaded with an excerpt of the real RIPE files.

    Its folder is made in /tmp by hand, not by pytest: PostgreSQL runs as ``postgres``
    and cannot enter pytest's private temporary folders.
    """
    folder = Path(tempfile.mkdtemp(prefix="routesieve-irrd-"))
    folder.chmod(0o755)
    procs = Processes()

    def clean() -> None:
        stop_all(folder, procs)
        shutil.rmtree(folder, ignore_errors=True)

    try:
        lab = start_irrd(shared_data, folder, procs, roots=(*EXCERPT_SETS, LARGE_SET))
    except IrrdUnavailable as exc:
        clean()
        pytest.skip(f"IRRd cannot be installed here: {exc}")
    except BaseException:
        clean()
        raise
    try:
        yield lab
    finally:
        clean()
