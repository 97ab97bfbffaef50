"""Fetching one file over HTTP(S): streamed, checked, written whole or not at all.

The body is streamed into a temporary file beside ``dest`` and renamed into place only
when it is complete: a body shorter than its ``Content-Length`` (the server closed
early), an oversize body, a timeout or an HTTP error leaves the previous copy untouched
and raises :class:`~routesieve.sources.fetched.FetchError` naming the URL. Compressed
files (``.gz``, ``.xz``, ``.bz2``) are stored exactly as they come: the readers sniff the
compression, and ``Accept-Encoding: identity`` asks servers not to add their own.

A fetch with a ``previous`` copy is conditional (``If-None-Match`` / ``If-Modified-Since``):
a ``304 Not Modified`` answer keeps that copy and says so in the result's ``note``.
httpx is the client: it streams, follows redirects with a limit (a loop becomes an error),
and has separate connect and read timeouts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx

from routesieve import __version__
from routesieve.numbers import is_digits
from routesieve.sources.fetched import Fetched, FetchError, write_atomically

USER_AGENT = (
    f"routesieve/{__version__} (route filter builder; +https://pypi.org/project/routesieve/)"
)
MAX_REDIRECTS = 5
DEFAULT_MAX_BYTES = 4 << 30
CHUNK = 1 << 20


def fetch_http(
    url: str,
    dest: Path,
    *,
    timeout: float = 60.0,
    previous: Fetched | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Fetched:
    """Download ``url`` into ``dest`` (atomically), or keep ``previous`` on ``304``.

    ``timeout`` bounds connecting and each wait for data (a server that stops sending
    for that long is given up on).
    """
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    usable = previous if previous is not None and previous.path.is_file() else None
    if usable is not None and usable.etag:
        headers["If-None-Match"] = usable.etag
    if usable is not None and usable.last_modified:
        headers["If-Modified-Since"] = usable.last_modified
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                timeout=httpx.Timeout(timeout),
                headers=headers,
            ) as client,
            client.stream("GET", url) as response,
        ):
            return _store(url, dest, response, usable, max_bytes)
    except FetchError:
        raise
    except httpx.TooManyRedirects:
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects (a redirect loop?)") from None
    except httpx.ConnectTimeout:
        raise FetchError(url, f"timed out after {timeout:g} s connecting") from None
    except httpx.TimeoutException:
        raise FetchError(url, f"timed out: no data for {timeout:g} s") from None
    except httpx.ConnectError as exc:
        raise FetchError(url, f"cannot connect (DNS or network): {exc}") from None
    except httpx.RemoteProtocolError as exc:
        raise FetchError(url, f"truncated: the server broke off the transfer: {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(url, f"HTTP transfer failed: {type(exc).__name__}: {exc}") from None
    except OSError as exc:
        raise FetchError(url, f"cannot write {dest}: {exc.strerror or exc}") from None


def _store(
    url: str, dest: Path, response: httpx.Response, previous: Fetched | None, max_bytes: int
) -> Fetched:
    now = int(time.time())
    etag = response.headers.get("ETag")
    last_modified = response.headers.get("Last-Modified")
    if response.status_code == 304:
        if previous is None:
            raise FetchError(url, "HTTP 304 Not Modified, but there is no earlier copy to keep")
        return Fetched(
            location=url,
            path=previous.path,
            fetched_at=now,
            generated=previous.generated,
            count=previous.count,
            note="not modified since the last fetch (HTTP 304): kept that copy",
            etag=etag or previous.etag,
            last_modified=last_modified or previous.last_modified,
        )
    if response.status_code != 200:
        reason = response.reason_phrase or ""
        raise FetchError(url, f"HTTP {response.status_code} {reason}".rstrip())
    expected = _content_length(url, response)
    if expected is not None and expected > max_bytes:
        raise FetchError(url, f"the file is {expected} bytes, over the limit of {max_bytes} bytes")
    size = write_atomically(dest, _body(url, response, expected, max_bytes))
    return Fetched(
        location=url,
        path=dest,
        fetched_at=now,
        generated=_http_date(last_modified),
        note=f"{size} bytes",
        etag=etag,
        last_modified=last_modified,
    )


def _content_length(url: str, response: httpx.Response) -> int | None:
    text = response.headers.get("Content-Length")
    if text is None:
        return None
    if not is_digits(text.strip()):
        raise FetchError(url, f"the server sent a bad Content-Length: {text[:40]!r}")
    return int(text)


def _body(url: str, response: httpx.Response, expected: int | None, limit: int) -> Iterator[bytes]:
    """The raw bytes as sent; an error before the last one leaves no file behind."""
    got = 0
    for chunk in response.iter_raw(CHUNK):
        got += len(chunk)
        if got > limit:
            raise FetchError(url, f"the file is over the limit of {limit} bytes")
        yield chunk
    if expected is not None and got != expected:
        raise FetchError(url, f"truncated: got {got} of {expected} bytes (Content-Length)")


def _http_date(text: str | None) -> str | None:
    """``Last-Modified`` as ISO 8601 UTC, or None when absent or unreadable."""
    if not text:
        return None
    try:
        return parsedate_to_datetime(text).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return None
