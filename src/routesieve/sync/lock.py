"""One writer at a time in a state folder: :func:`state_lock`.

``routesieve sync`` (and ``routesieve run``) write source copies, records and snapshots
into the ``[sync] folder``; two of them at once would replace each other's copies
half-way. The lock is ``fcntl.flock`` on ``<folder>/routesieve.lock``: the kernel drops
it when its holder exits, however it exits, so a crashed sync never leaves a stale lock.
The holder writes its pid, command and start time into the file, so a refused second
writer can say who holds it.

A holder must not take the lock again in the same process (``flock`` locks are per open
file: a second open would wait for the first): take it once, around everything.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = "routesieve.lock"
POLL = 0.2  # seconds between two tries while waiting


class StateLocked(Exception):
    """Another process holds the lock of the state folder; the message names it."""

    def __init__(self, path: Path, holder: str, waited: float) -> None:
        self.path, self.holder, self.waited = path, holder, waited
        after = f" after waiting {waited:g} s" if waited else ""
        super().__init__(
            f"the state folder {path.parent} is in use by {holder} (lock {path}){after}; "
            "try again when it has finished"
        )


@contextlib.contextmanager
def state_lock(folder: Path, *, wait: float | None) -> Iterator[Path]:
    """Hold the lock of ``folder`` (made if missing) for the ``with`` block; yields the
    lock file's path.

    ``wait`` is how long to wait for another holder to finish, in seconds: 0 refuses at
    once, None waits as long as it takes. Raises :class:`StateLocked` naming the holder's
    pid when the wait is over.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if wait is not None and waited >= wait:
                    raise StateLocked(path, _holder(fd), round(waited, 1)) from None
                time.sleep(POLL if wait is None else max(0.0, min(POLL, wait - waited)))
        os.ftruncate(fd, 0)
        since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
        os.pwrite(fd, f"{os.getpid()}\n{since}\n{command[:200]}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    """``pid 1234 (routesieve sync --config x.toml, since 2026-…)``, from the lock file."""
    try:
        lines = os.pread(fd, 1024, 0).decode("utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    if not lines or not lines[0].strip().isdigit():
        return "another process (pid not written yet)"
    pid = lines[0].strip()
    detail = ", ".join(x for x in (lines[2] if len(lines) > 2 else "", "since " + lines[1]) if x)
    return f"pid {pid} ({detail})" if len(lines) > 1 else f"pid {pid}"
