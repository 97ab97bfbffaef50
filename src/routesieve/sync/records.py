"""The JSON files ``sync`` leaves behind: one record per source, one manifest per snapshot.

A source record (``<state>/sources/<key>/<slug>/record.json``) says what the last attempt
did (``status``: ``ok``, ``kept-last-good`` or ``failed``, with the error) and describes
the last good copy: each file's name, its reader kind, when it was fetched or confirmed
unchanged, the date the data gives itself, its item count and the HTTP validators used
for the next conditional GET.

A manifest (``<state>/snapshots/snapshot-<UTC>.json``) sits beside each stored snapshot:
when it was made, the configuration's sources fingerprint, and per source its location,
status, error, dates, count and age limit. ``evaluate`` and the other commands read
manifests to choose a snapshot and to tell which sources are stale.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from routesieve.problems import InputError
from routesieve.sources.fetched import write_atomically

FORMAT = 1


@dataclass(frozen=True)
class CopyFile:
    """One file of a source's last good copy (``name`` inside the source's folder)."""

    kind: str
    name: str
    fetched_at: int
    generated: str | None = None
    count: int | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class SourceRecord:
    key: str
    location: str
    method: str
    status: str
    checked_at: int
    error: str | None = None
    files: tuple[CopyFile, ...] = ()


@dataclass(frozen=True)
class SourceState:
    """One source as a manifest lists it. ``fetched_at`` is None for a local file."""

    key: str
    location: str
    method: str
    status: str
    max_age_hours: int
    fetched_at: int | None = None
    generated: str | None = None
    count: int = 0
    error: str | None = None
    file_stamp: str | None = None  # a local file's "size:mtime_ns" when it was read


def file_stamp(path: Path) -> str | None:
    """``size:mtime_ns`` of a local file (None if it cannot be read): a changed file has
    another stamp, so a snapshot made from it is no longer used."""
    try:
        st = path.stat()
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


@dataclass(frozen=True)
class Manifest:
    created_at: int
    fingerprint: str
    snapshot: str
    config: str
    sources: tuple[SourceState, ...] = field(default=())


def _dump(path: Path, doc: dict[str, Any]) -> None:
    text = json.dumps({"format": FORMAT, **doc}, indent=1, sort_keys=True) + "\n"
    write_atomically(path, [text.encode()])


def _load(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.at(str(path), f"unreadable sync record: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InputError.at(str(path), f"not a sync record of format {FORMAT}")
    doc.pop("format")
    return doc


def save_record(path: Path, record: SourceRecord) -> None:
    _dump(path, asdict(record))


def load_record(path: Path) -> SourceRecord | None:
    """The record at ``path``; None when there is none or it cannot be used."""
    if not path.is_file():
        return None
    try:
        doc = _load(path)
        files = tuple(CopyFile(**f) for f in doc.pop("files"))
        return SourceRecord(**doc, files=files)
    except (InputError, TypeError, KeyError, AttributeError):
        return None


def save_manifest(path: Path, manifest: Manifest) -> None:
    _dump(path, asdict(manifest))


def load_manifest(path: Path) -> Manifest:
    """The manifest at ``path``; ``InputError`` naming it when it cannot be used."""
    doc = _load(path)
    try:
        sources = tuple(SourceState(**s) for s in doc.pop("sources"))
        return Manifest(**doc, sources=sources)
    except (TypeError, KeyError, AttributeError) as exc:
        raise InputError.at(str(path), f"not a snapshot manifest: {exc}") from None
