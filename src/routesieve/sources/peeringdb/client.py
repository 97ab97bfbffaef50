"""A small client of the PeeringDB REST API (``/api/<object>``), over httpx.

It asks only for the objects routesieve uses (``net``, ``ix``, ``ixlan``, ``ixpfx``,
``netixlan``, ``poc``), always with ``depth=0``, and returns each answer's ``data`` list.
Long id lists are sent as ``field__in=`` queries in batches of :data:`BATCH` ids, so a
URL stays short and the number of queries small (PeeringDB limits anonymous queries).

Everything PeeringDB can do wrong becomes a :class:`FetchError` naming the URL and what
happened: a rate limit that does not end (HTTP 429 is retried after ``Retry-After``,
at most ``max_retries`` times), a server error or an HTML error page, an answer that is
not JSON or not a PeeringDB answer, a timeout. With a ``cache_dir``, answers are kept
(see :mod:`.cache`): fresh ones are reused, old ones revalidated, and when PeeringDB is
down the cached answer is used with a warning in :attr:`PeeringDbClient.warnings`.
The API key (argument or ``PEERINGDB_API_KEY``) is sent as ``Authorization: Api-Key``
and never appears in a URL, a message or the cache.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import time
from collections.abc import Collection, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from routesieve import __version__
from routesieve.numbers import is_digits
from routesieve.sources.fetched import FetchError
from routesieve.sources.peeringdb.cache import AnswerCache, CachedAnswer

OBJECTS = frozenset({"net", "ix", "ixlan", "ixpfx", "netixlan", "poc"})
BATCH = 150
USER_AGENT = f"routesieve/{__version__} (+https://www.peeringdb.com/asn/214312)"
DEFAULT_URL = "https://www.peeringdb.com/api"
MAX_WAIT = 60.0  # the longest Retry-After honoured; a longer one fails at once
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)

Filter = str | int | Collection[str | int]


def api_url(base_url: str) -> str:
    """``https://www.peeringdb.com`` or ``…/api`` (with or without ``/``) -> ``…/api``."""
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {base_url!r}")
    if parts.username or parts.password:
        raise ValueError("give the PeeringDB API key in PEERINGDB_API_KEY, not in the URL")
    return url if url.endswith("/api") else url + "/api"


def _one_line(text: str, limit: int = 120) -> str:
    clean = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


class PeeringDbClient:
    """Queries to one PeeringDB API; use as a context manager (or call :meth:`close`)."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 30.0,
        cache_dir: os.PathLike[str] | str | None = None,
        max_retries: int = 4,
        cache_max_age: float = 3600.0,
        max_wait: float = MAX_WAIT,
    ) -> None:
        self.base_url = api_url(base_url)
        self.timeout = timeout
        self.max_retries = max_retries
        self.cache_max_age = cache_max_age
        self.max_wait = max_wait
        self.warnings: list[str] = []
        key = api_key if api_key is not None else os.environ.get("PEERINGDB_API_KEY", "")
        self._keyed = bool(key.strip())
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self._keyed:
            headers["Authorization"] = f"Api-Key {key.strip()}"
        self._http = httpx.Client(timeout=timeout, headers=headers, follow_redirects=True)
        self._cache = AnswerCache(Path(cache_dir)) if cache_dir is not None else None

    def __enter__(self) -> PeeringDbClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # ---- queries ----

    def get(self, obj: str, **filters: Filter) -> list[dict[str, Any]]:
        """The ``data`` of ``/api/<obj>?<filters>&depth=0``. One ``…__in`` filter may
        hold any number of values: it is sent in batches and the answers joined."""
        if obj not in OBJECTS:
            raise ValueError(f"unsupported PeeringDB object {obj!r}")
        lists = [k for k in filters if k.endswith("__in")]
        if len(lists) > 1:
            raise ValueError("at most one __in filter per query")
        if not lists:
            return list(self._query(obj, filters))
        key = lists[0]
        given = filters[key]
        values = list(dict.fromkeys([given] if isinstance(given, str | int) else given))
        out: list[dict[str, Any]] = []
        seen: set[Any] = set()
        for start in range(0, len(values), BATCH):
            batch = {**filters, key: values[start : start + BATCH]}
            for item in self._query(obj, batch):
                if item.get("id") not in seen:
                    seen.add(item.get("id"))
                    out.append(item)
        return out

    def network(self, asn: int) -> dict[str, Any] | None:
        """The ``net`` object of ``asn``, or None when PeeringDB has no record of it."""
        found = self.get("net", asn=asn)
        if found and not any(net.get("asn") == asn for net in found):
            raise FetchError(
                self.url("net", {"asn": asn}), f"asked for AS{asn}, answered with another network"
            )
        return next((net for net in found if net.get("asn") == asn), None)

    def netixlans(self, net_id: int) -> list[dict[str, Any]]:
        """The network's connections to exchange LANs (its addresses on them)."""
        return self.get("netixlan", net_id=net_id)

    def pocs(self, net_id: int) -> list[dict[str, Any]]:
        """The network's public contacts (an anonymous query sees only the public ones)."""
        return self.get("poc", net_id=net_id)

    def exchange_lans(
        self, ix_ids: Iterable[int]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The ``ixlan`` objects of the exchanges and the ``ixpfx`` prefixes of those LANs."""
        ixlans = self.get("ixlan", ix_id__in=sorted(set(ix_ids)))
        ids = sorted({lan["id"] for lan in ixlans if isinstance(lan.get("id"), int)})
        return ixlans, (self.get("ixpfx", ixlan_id__in=ids) if ids else [])

    # ---- one query: cache, HTTP, checks ----

    def url(self, obj: str, filters: dict[str, Filter]) -> str:
        params: list[tuple[str, str]] = []
        for key in sorted(filters):
            value = filters[key]
            if isinstance(value, bool):
                raise ValueError(f"filter {key}: write booleans as 0 or 1")
            text = value if isinstance(value, str | int) else ",".join(map(str, value))
            params.append((key, str(text)))
        params.append(("depth", "0"))
        return f"{self.base_url}/{obj}?{urlencode(params, safe=',')}"

    def _query(self, obj: str, filters: dict[str, Filter]) -> tuple[dict[str, Any], ...]:
        url = self.url(obj, filters)
        cached = self._cache.get(url) if self._cache else None
        if cached is not None and cached.age() < self.cache_max_age:
            return cached.data
        try:
            answer = self._fetch(url, cached)
        except FetchError as err:
            if cached is None:
                raise
            hours = cached.age() / 3600
            self.warnings.append(f"{err}; using the answer cached {hours:.1f} hours ago")
            return cached.data
        if self._cache is not None:
            self._cache.put(answer)
        return answer.data

    def _fetch(self, url: str, cached: CachedAnswer | None) -> CachedAnswer:
        conditional: dict[str, str] = {}
        if cached is not None and cached.etag:
            conditional["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            conditional["If-Modified-Since"] = cached.last_modified
        for attempt in range(self.max_retries + 1):
            try:
                resp = self._http.get(url, headers=conditional)
            except httpx.TimeoutException:
                raise FetchError(url, f"no answer within {self.timeout:g} s (timed out)") from None
            except httpx.HTTPError as err:
                raise FetchError(url, f"cannot be fetched: {_one_line(str(err))}") from None
            if resp.status_code == 429:
                wait = _retry_after(resp.headers.get("Retry-After"), attempt)
                if attempt == self.max_retries:
                    raise FetchError(
                        url,
                        f"PeeringDB still answers HTTP 429 (too many requests) after "
                        f"{self.max_retries} retries; try again later"
                        + ("" if self._keyed else ", or set PEERINGDB_API_KEY (higher limits)"),
                    )
                if wait > self.max_wait:
                    raise FetchError(
                        url,
                        f"PeeringDB answers HTTP 429 (too many requests) and asks to wait "
                        f"{wait:.0f} s, longer than {self.max_wait:.0f} s; try again later",
                    )
                time.sleep(wait)
                continue
            if resp.status_code == 304 and cached is not None:
                return CachedAnswer(
                    url, time.time(), cached.data, cached.etag, cached.last_modified
                )
            if resp.status_code in (401, 403):
                raise FetchError(
                    url,
                    f"HTTP {resp.status_code}: PeeringDB refused "
                    + ("the API key (PEERINGDB_API_KEY)" if self._keyed else "the query"),
                )
            if resp.status_code != 200:
                raise FetchError(url, f"HTTP {resp.status_code}: {_describe(resp)}")
            return CachedAnswer(
                url,
                time.time(),
                _data(url, resp),
                resp.headers.get("ETag"),
                resp.headers.get("Last-Modified"),
            )
        raise AssertionError("unreachable: the loop returns or raises")


def _retry_after(header: str | None, attempt: int) -> float:
    """Seconds to wait: ``Retry-After`` (seconds or an HTTP date), else 1, 2, 4 … s."""
    if header:
        text = header.strip()
        if is_digits(text):
            return float(text)
        try:
            when = email.utils.parsedate_to_datetime(text)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    return float(2**attempt)


def _describe(resp: httpx.Response) -> str:
    """What an error answer holds, in a few words: an HTML page's title, a JSON error."""
    body = resp.content[:65536]
    kind = resp.headers.get("Content-Type", "")
    if "html" in kind or body.lstrip()[:1] == b"<":
        title = _TITLE.search(body)
        named = f" ({_one_line(title.group(1).decode('utf-8', 'replace'))})" if title else ""
        return f"an HTML error page{named}, not an API answer"
    try:
        doc = json.loads(body)
    except ValueError:
        return _one_line(body.decode("utf-8", "replace")) or "an empty answer"
    meta = doc.get("meta") if isinstance(doc, dict) else None
    if isinstance(meta, dict) and isinstance(meta.get("error"), str):
        return _one_line(meta["error"])
    return "an error answer"


def _data(url: str, resp: httpx.Response) -> tuple[dict[str, Any], ...]:
    """The ``data`` list of a 200 answer, checked to be a PeeringDB answer."""
    body = resp.content
    if "html" in resp.headers.get("Content-Type", "") or body.lstrip()[:1] == b"<":
        raise FetchError(url, f"HTTP 200 but {_describe(resp)}")
    try:
        doc = json.loads(body)
    except ValueError as err:
        raise FetchError(
            url, f"the answer is not valid JSON ({len(body)} bytes; cut off?): {err}"
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        raise FetchError(url, 'not a PeeringDB answer: no "data" list at the top')
    meta = doc.get("meta")
    if isinstance(meta, dict) and isinstance(meta.get("error"), str):
        raise FetchError(url, f"PeeringDB reports an error: {_one_line(meta['error'])}")
    data: list[Any] = doc["data"]
    for i, obj in enumerate(data):
        if not isinstance(obj, dict) or not isinstance(obj.get("id"), int):
            raise FetchError(url, f"not a PeeringDB answer: data[{i}] is not an object with an id")
    return tuple(data)
