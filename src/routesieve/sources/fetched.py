"""What every fetcher of outside data gives back, and how it writes what it fetched.

A fetcher (HTTP file, RTR server, IRR whois server, PeeringDB API) turns one configured
URL into one local file in a format a reader of :mod:`routesieve.sources` already reads
(rpki-client JSON, RPSL text, RIR statistics, PeeringDB API JSON). It writes that file
only when the whole fetch succeeded, atomically, so the last good copy stays in place
when a service is down; and it raises :class:`FetchError` naming the source otherwise.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Fetched:
    """One successful fetch.

    ``location`` is the URL as configured, without credentials; ``path`` the file written;
    ``fetched_at`` a Unix time; ``generated`` what the source says about its own age
    (an RTR serial, an rpki-client build time, a Last-Modified header), if anything;
    ``count`` the number of items fetched, when the fetcher knows it. ``etag`` and
    ``last_modified`` are the HTTP validators of the copy, for the next conditional GET.
    """

    location: str
    path: Path
    fetched_at: int
    generated: str | None = None
    count: int | None = None
    note: str = ""
    etag: str | None = None
    last_modified: str | None = None


class FetchError(Exception):
    """A source that could not be fetched: unreachable, refused, timed out, truncated."""

    def __init__(self, location: str, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}")


def write_atomically(dest: Path, chunks: Iterable[bytes], *, fsync: bool = False) -> int:
    """Write ``chunks`` to ``dest`` through a temporary file renamed into place.

    Returns the number of bytes written. If anything fails (the iterator included), the
    previous ``dest`` is left untouched and the temporary file is removed. With ``fsync``
    the file is on the disk before the rename, and the rename after it.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", dir=dest.parent)
    size = 0
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                size += fh.write(chunk)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if fsync:
        folder = os.open(dest.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return size
