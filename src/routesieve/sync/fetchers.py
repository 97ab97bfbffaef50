"""The one table that says how each kind of URL is fetched: :data:`FETCHERS`.

A fetcher takes a :class:`FetchJob` and writes its file(s) into ``job.incoming`` (an empty
folder), returning each file as ``(kind, Fetched)`` where ``kind`` is the reader to use
(a ``[sources]`` key: ``rpki``, ``irr``, ``peeringdb_ixlan``...). It raises
:class:`~routesieve.sources.fetched.FetchError` when the source cannot be fetched. Every
method the configuration accepts (``config/urls.py``) has its entry.

Files come over HTTP(S) (:mod:`routesieve.sources.http_fetch`), VRPs from an RTR cache
(:mod:`routesieve.sources.rtr`), as-sets and route objects from an IRR whois server
(:mod:`routesieve.sources.irr`), exchange LANs from the PeeringDB API
(:mod:`routesieve.sources.peeringdb`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from routesieve.config import SourceUrl
from routesieve.sources.fetched import Fetched
from routesieve.sources.http_fetch import fetch_http
from routesieve.sources.irr.fetch import fetch_whois
from routesieve.sources.peeringdb.fetch import fetch_exchange_lans
from routesieve.sources.rtr.fetch import RtrSecurity, fetch_rtr
from routesieve.sync.plan import PlanEntry

Outputs = tuple[tuple[str, Fetched], ...]
_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class FetchJob:
    """Everything a fetcher may need for one source."""

    entry: PlanEntry
    url: SourceUrl
    incoming: Path  # the empty folder to write into
    previous: dict[str, Fetched]  # the last good copy of each output, by kind
    timeout: float
    max_bytes: int
    as_sets: tuple[str, ...] = ()
    asns: tuple[int, ...] = ()
    ix_ids: tuple[int, ...] = ()
    max_depth: int = 10
    max_members: int = 100_000
    strict_origin: bool = False  # rule 4.4 compares origins: fetch route objects per AS
    versions: tuple[int, ...] = (4, 6)  # the address families routed
    rtr_security: RtrSecurity | None = None  # rtrs:// and rtr+ssh://: CA file, SSH files


Fetcher = Callable[[FetchJob], Outputs]


def file_name(url: str) -> str:
    """The last part of the URL's path, made safe for a file name (``data`` if none)."""
    last = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
    name = _NAME.sub("_", last).strip("._")
    return name[:100] if name and name != "record.json" else "data"


def _http(job: FetchJob) -> Outputs:
    dest = job.incoming / file_name(job.url.text)
    kind = job.entry.key
    fetched = fetch_http(
        job.url.text,
        dest,
        timeout=job.timeout,
        previous=job.previous.get(kind),
        max_bytes=job.max_bytes,
    )
    return ((kind, fetched),)


def _rtr(job: FetchJob) -> Outputs:
    dest = job.incoming / "vrps.json"
    fetched = fetch_rtr(job.url.text, dest, timeout=job.timeout, security=job.rtr_security)
    return (("rpki", fetched),)


def _whois(job: FetchJob) -> Outputs:
    fetched = fetch_whois(
        job.url.text,
        job.incoming / "irr.rpsl",
        as_sets=job.as_sets,
        asns=job.asns,
        max_depth=job.max_depth,
        max_members=job.max_members,
        timeout=job.timeout,
        strict_origin=job.strict_origin,
        versions=job.versions,
    )
    return (("irr", fetched),)


def _peeringdb(job: FetchJob) -> Outputs:
    ixlan, ixpfx = fetch_exchange_lans(job.url.text, job.incoming, job.ix_ids, timeout=job.timeout)
    return (("peeringdb_ixlan", ixlan), ("peeringdb_ixpfx", ixpfx))


# method (URL scheme, or "peeringdb-api" for [sources] peeringdb) -> fetcher
FETCHERS: dict[str, Fetcher] = {
    "https": _http,
    "http": _http,
    "rtr": _rtr,
    "rtrs": _rtr,
    "rtr+ssh": _rtr,
    "whois": _whois,
    "peeringdb-api": _peeringdb,
}
