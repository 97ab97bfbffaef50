"""Dated snapshots of received routes, written by ``collect`` and read by ``evaluate``.

A snapshot is a gzip-compressed JSON-lines file in the route input format (one route a
line, with its session and communities), named ``routes-<UTC time>.jsonl.gz`` so that
names sort by time. It is written under a temporary name and renamed whole; the oldest
snapshots beyond ``keep`` are deleted.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import orjson

from routesieve.collect.route_lines import route_lines
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.model import Route

PREFIX, SUFFIX = "routes-", ".jsonl.gz"


def route_json(route: Route) -> dict[str, object]:
    line: dict[str, object] = {
        "peer_asn": route.peer_asn,
        "prefix": route.prefix_text,
        "as_path": str(route.as_path),
    }
    if route.session is not None:
        line["session"] = route.session
    if route.communities:
        line["communities"] = list(route.communities)
    if route.problem is not None:
        line["problem"] = route.problem
    return line


def write_snapshot(routes: Iterable[Route], folder: Path, when: datetime, keep: int) -> Path:
    """Write the routes as one dated snapshot; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{PREFIX}{when.strftime('%Y%m%dT%H%M%SZ')}{SUFFIX}"
    fd, tmp = tempfile.mkstemp(prefix=".routes-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
            if isinstance(routes, ReceivedRoutes):  # a column at a time, the same bytes
                out.write(route_lines(routes, route_json))
            else:
                for route in routes:
                    out.write(orjson.dumps(route_json(route)))
                    out.write(b"\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in snapshots(folder)[:-keep]:
        old.unlink(missing_ok=True)
    return target


def snapshots(folder: Path) -> list[Path]:
    """The snapshots in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir() if p.name.startswith(PREFIX) and p.name.endswith(SUFFIX)
    )


def newest(folder: Path) -> Path | None:
    found = snapshots(folder)
    return found[-1] if found else None
