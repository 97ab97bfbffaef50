"""Writing and reading stored runs.

A run is one gzip-compressed JSON-lines file, ``run-<UTC time>.jsonl.gz`` (names sort by
time): a header line ``{"routesieve_run": 1, "time": ..., "config": ..., "routes": [...],
"provenance": [...]}``, then one verdict a line as ``Verdict.to_json`` writes it. It is
written under a temporary name and renamed whole; the oldest runs beyond ``keep`` are
deleted. ``read_run`` also takes the verdict JSON lines of ``evaluate --format jsonl``
(no header), compressed or not.
"""

from __future__ import annotations

import gzip
import os
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from routesieve.config import Config
from routesieve.model import Verdict
from routesieve.outputs.diff import Seen
from routesieve.problems import InputError
from routesieve.snapshot import Provenance
from routesieve.textio import open_binary

PREFIX, SUFFIX = "run-", ".jsonl.gz"
FORMAT = 1
DEFAULT_KEEP = 30


@dataclass(frozen=True, slots=True)
class StoredRun:
    """A run read back: its header (``None`` for plain verdict JSON lines) and its routes."""

    path: Path
    header: dict[str, Any] | None
    routes: tuple[Seen, ...]

    @property
    def time(self) -> str | None:
        return None if self.header is None else str(self.header.get("time"))


def runs_dir(config: Config) -> Path:
    """``<state folder>/runs``: the state folder of ``[sync] folder``."""
    return config.state_dir / "runs"


def provenance_json(p: Provenance) -> dict[str, Any]:
    return {
        "kind": p.kind,
        "location": p.location,
        "generated": p.generated,
        "count": p.count,
        "note": p.note,
    }


def save_run(
    verdicts: Iterable[Verdict],
    folder: Path,
    when: datetime,
    *,
    config_path: Path,
    route_files: Sequence[Path],
    provenance: Sequence[Provenance],
    keep: int = DEFAULT_KEEP,
) -> Path:
    """Write one run; returns its path. ``when`` must be timezone-aware UTC."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{PREFIX}{when.strftime('%Y%m%dT%H%M%SZ')}{SUFFIX}"
    header = {
        "routesieve_run": FORMAT,
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "config": str(config_path),
        "routes": [str(p) for p in route_files],
        "provenance": [provenance_json(p) for p in provenance],
    }
    fd, tmp = tempfile.mkstemp(prefix=".run-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            out.write(orjson.dumps(header) + b"\n")
            for v in verdicts:
                out.write(orjson.dumps(v.to_json()) + b"\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in list_runs(folder)[: -max(keep, 1)]:
        old.unlink(missing_ok=True)
    return target


def list_runs(folder: Path) -> list[Path]:
    """The stored runs in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX)
    )


def newest_run(folder: Path) -> Path | None:
    found = list_runs(folder)
    return found[-1] if found else None


def read_run(path: Path) -> StoredRun:
    """A stored run or a verdict JSON-lines file. A missing, truncated or damaged file
    raises ``InputError`` naming the file and the line."""
    header: dict[str, Any] | None = None
    routes: list[Seen] = []
    line_no = 0
    try:
        with open_binary(path) as fh:
            for line_no, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    item = orjson.loads(raw)
                except orjson.JSONDecodeError as exc:
                    raise InputError.at(str(path), f"not JSON: {exc}", line_no) from None
                if not isinstance(item, dict):
                    raise InputError.at(str(path), "not a JSON object", line_no)
                if "routesieve_run" in item:
                    if line_no != 1 or item["routesieve_run"] != FORMAT:
                        raise InputError.at(str(path), "unexpected run header", line_no)
                    header = item
                    continue
                try:
                    routes.append(Seen.from_json(item))
                except (KeyError, TypeError, ValueError) as exc:
                    raise InputError.at(
                        str(path), f"not a routesieve verdict (missing or bad {exc})", line_no
                    ) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError.at(
            str(path), f"cannot read (damaged or truncated?): {exc}", line_no + 1
        ) from None
    if header is None and not routes:
        raise InputError.at(str(path), "no verdicts in the file")
    return StoredRun(path, header, tuple(routes))
