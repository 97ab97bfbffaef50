"""A local cache of PeeringDB API answers, one JSON file per query URL.

Repeated runs within ``max_age`` seconds do not ask PeeringDB again; older answers are
refreshed with a conditional request (``If-None-Match`` / ``If-Modified-Since``) so an
unchanged answer costs no transfer; and when PeeringDB cannot be reached, the client
falls back to the cached answer, however old, with a warning. A cache file that cannot
be read is ignored (and overwritten by the next good answer): the cache only saves work.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from routesieve.sources.fetched import write_atomically


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    """One stored answer: the ``data`` list and what a conditional request needs."""

    url: str
    fetched_at: float
    data: tuple[dict[str, Any], ...]
    etag: str | None = None
    last_modified: str | None = None

    def age(self, now: float | None = None) -> float:
        return (time.time() if now is None else now) - self.fetched_at


class AnswerCache:
    """Answers stored under ``folder``, keyed by the query URL (never by the API key)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _file(self, url: str) -> Path:
        return self.folder / (hashlib.sha256(url.encode()).hexdigest()[:32] + ".json")

    def get(self, url: str) -> CachedAnswer | None:
        try:
            doc = json.loads(self._file(url).read_text(encoding="utf-8"))
            data = doc["data"]
            if doc["url"] != url or not isinstance(data, list):
                return None
            if not all(isinstance(obj, dict) for obj in data):
                return None
            return CachedAnswer(
                url,
                float(doc["fetched_at"]),
                tuple(data),
                doc.get("etag") if isinstance(doc.get("etag"), str) else None,
                doc.get("last_modified") if isinstance(doc.get("last_modified"), str) else None,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, answer: CachedAnswer) -> None:
        doc = {
            "url": answer.url,
            "fetched_at": answer.fetched_at,
            "etag": answer.etag,
            "last_modified": answer.last_modified,
            "data": list(answer.data),
        }
        # a cache that cannot be written only costs a new query next time
        with contextlib.suppress(OSError):
            write_atomically(self._file(answer.url), [json.dumps(doc).encode()])
