"""A second process that reads data files, so that two large files are parsed at once.

Parsing the bench set's files takes about 8 s of one core (VRPs 3 s, RPSL 4 s, RIR
statistics 0.5 s), and the parsers are numpy and Arrow kernels tied together by Python:
threads do not run them side by side (measured slower than one after the other). So
:func:`start` runs ``python -m routesieve.sources.read_worker``, hands it the
``(kind, path)`` pairs as a pickle on its standard input, and the parent parses its own
file meanwhile; :func:`finish` takes back, in order, each file's
:class:`~routesieve.sources.load.SourceData` or the ``InputError`` it raised.

The child's standard output carries only the answer (anything a reader prints goes to
standard error). Only this package's own child is ever unpickled. A child that dies or
answers garbage is no error of the data: :func:`finish` returns None and the caller reads
those files itself.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger("routesieve.sources")

Job = tuple[str, Path]
Answer = tuple[str, Any]  # ("ok", SourceData) or ("error", InputError)


def start(jobs: Sequence[Job]) -> subprocess.Popen[bytes]:
    """The reading process, given its jobs; read the answer with :func:`finish`."""
    # the child imports this very routesieve, wherever it was found
    here = str(Path(__file__).resolve().parents[2])
    paths = [here, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    proc = subprocess.Popen(
        [sys.executable, "-m", "routesieve.sources.read_worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(paths)},
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write(pickle.dumps(list(jobs), protocol=pickle.HIGHEST_PROTOCOL))
        proc.stdin.close()
    except OSError:
        pass  # it died at once: finish() says so
    return proc


def finish(proc: subprocess.Popen[bytes], jobs: Sequence[Job]) -> list[Answer] | None:
    """The answers of ``proc`` in the order of ``jobs``, or None when it gave none."""
    assert proc.stdout is not None
    try:
        raw = proc.stdout.read()
    finally:
        proc.stdout.close()
        code = proc.wait()
    try:
        answers = pickle.loads(raw) if code == 0 else None
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        answers = None
    if not isinstance(answers, list) or len(answers) != len(jobs):
        names = ", ".join(str(path) for _, path in jobs)
        log.warning("the second reading process failed (exit %s): reading %s here", code, names)
        return None
    return answers


def attempt(job: Job) -> Answer:
    """``read_source`` of one job, its ``InputError`` returned rather than raised."""
    from routesieve.problems import InputError
    from routesieve.sources.load import read_source

    try:
        return ("ok", read_source(*job))
    except InputError as exc:
        return ("error", exc)


def main() -> int:
    answer_to = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # what a reader prints must not end up in the answer
    sys.stdout = sys.stderr
    jobs = pickle.load(sys.stdin.buffer)
    answers = [attempt(job) for job in jobs]
    with answer_to:
        pickle.dump(answers, answer_to, protocol=pickle.HIGHEST_PROTOCOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
