"""Bringing one source up to date: fetch, check by reading, keep, or fall back.

A new copy is fetched into ``<folder>/.incoming/``, put in place (the last good copy
moved aside) and read with the reader of its kind: a file that arrives whole but cannot
be read (an HTML error page served as ``200 OK``, a damaged archive) is put back aside and
is a failure like a timeout.
On any failure the last good copy stays in place and is read instead, and the outcome
says so (``kept-last-good``, with the error); with no earlier copy the source ``failed``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from routesieve.config import Config
from routesieve.problems import InputError, Problem
from routesieve.sources.fetched import Fetched, FetchError
from routesieve.sources.load import SourceData, read_source
from routesieve.sources.rtr.fetch import RtrSecurity
from routesieve.sync.fetchers import FETCHERS, FetchJob
from routesieve.sync.plan import PlanEntry
from routesieve.sync.records import CopyFile, SourceRecord, load_record, save_record

OK, KEPT, FAILED, LOCAL = "ok", "kept-last-good", "failed", "local"


@dataclass(frozen=True)
class SourceOutcome:
    """What happened to one source, and its data when there is a usable copy.

    ``files`` describe the copy in use; ``fetched_at`` is when it was fetched or confirmed
    unchanged; ``generated`` the oldest date its data gives itself; ``note`` says what was
    done (``fetched``, ``unchanged since the last fetch (HTTP 304)``).
    """

    entry: PlanEntry
    status: str
    parts: tuple[SourceData, ...] = ()
    error: str | None = None
    files: tuple[CopyFile, ...] = ()
    note: str = ""

    @property
    def fetched_at(self) -> int | None:
        return min((f.fetched_at for f in self.files), default=None)

    @property
    def generated(self) -> str | None:
        found = [p.provenance.generated for p in self.parts if p.provenance.generated]
        return min(found, default=None)

    @property
    def count(self) -> int:
        return sum(p.provenance.count for p in self.parts)

    @property
    def problems(self) -> tuple[Problem, ...]:
        return tuple(p for part in self.parts for p in part.problems)


def iso(when: int) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_local(entry: PlanEntry) -> SourceOutcome:
    """A source given as a local file: read it as ``load_snapshot`` always did."""
    assert entry.local is not None
    try:
        part = read_source(entry.key, entry.local)
    except InputError as exc:
        return SourceOutcome(entry, FAILED, error=str(exc))
    return SourceOutcome(entry, LOCAL, (part,))


def sync_source(entry: PlanEntry, config: Config, now: int) -> SourceOutcome:
    """Fetch ``entry`` (a URL source) and return its outcome; writes its record."""
    assert entry.folder is not None and entry.url is not None and entry.record_path
    record = load_record(entry.record_path)
    kept = tuple(f for f in (record.files if record else ()) if (entry.folder / f.name).is_file())
    previous = {
        f.kind: Fetched(
            entry.location,
            entry.folder / f.name,
            f.fetched_at,
            f.generated,
            f.count,
            etag=f.etag,
            last_modified=f.last_modified,
        )
        for f in kept
    }
    incoming = entry.folder / ".incoming"
    shutil.rmtree(incoming, ignore_errors=True)
    incoming.mkdir(parents=True)
    settings = config.sync
    job = FetchJob(
        entry=entry,
        url=entry.url,
        incoming=incoming,
        previous=previous,
        timeout=float(settings.timeout_seconds),
        max_bytes=settings.max_megabytes << 20,
        as_sets=tuple(s for p in config.peers for s in p.as_sets),
        asns=tuple(p.asn for p in config.peers),
        ix_ids=tuple(sorted(config.peeringdb_ix_ids())),
        max_depth=config.policy_settings.as_set_max_depth,
        max_members=config.policy_settings.as_set_max_members,
        strict_origin=config.policy_settings.irr_strict_origin,
        versions=tuple(sorted(config.to_policy().families)),
        rtr_security=RtrSecurity(
            settings.rtr.tls_ca_file,
            settings.rtr.ssh_known_hosts,
            settings.rtr.ssh_key,
            settings.rtr.ssh_user,
        ),
    )
    try:
        outcome = _fetch_and_read(job, now)
    except (FetchError, InputError) as exc:
        error = exc.message if isinstance(exc, FetchError) else str(exc)
        outcome = _fall_back(entry, kept, error)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    save_record(
        entry.record_path,
        SourceRecord(
            entry.key,
            entry.location,
            entry.method,
            outcome.status,
            now,
            outcome.error,
            outcome.files if outcome.status == OK else kept,
        ),
    )
    return outcome


def reuse_copy(entry: PlanEntry) -> SourceOutcome | None:
    """The copy in place read again without fetching (``routesieve run``: a source that is
    not due yet), with the status of its last fetch; None when there is no usable copy
    (then the source has to be fetched)."""
    assert entry.folder is not None and entry.record_path
    record = load_record(entry.record_path)
    if record is None or record.status not in (OK, KEPT):
        return None
    kept = tuple(f for f in record.files if (entry.folder / f.name).is_file())
    if not kept:
        return None
    try:
        parts = [read_source(f.kind, entry.folder / f.name) for f in kept]
    except InputError:
        return None
    when = iso(min(f.fetched_at for f in kept))
    if record.status == KEPT:
        label = f"KEPT LAST GOOD COPY of {when} ({record.error})"
        labelled = tuple(_labelled(p, entry, label) for p in parts)
        return SourceOutcome(entry, KEPT, labelled, record.error, kept, f"not due: {label}")
    labelled = tuple(_labelled(p, entry, f"fetched, {when}") for p in parts)
    return SourceOutcome(entry, OK, labelled, None, kept, f"not due: the copy of {when}")


def _fetch_and_read(job: FetchJob, now: int) -> SourceOutcome:
    entry = job.entry
    assert entry.folder is not None
    outputs = FETCHERS[entry.method](job)
    swapped = _swap_in([f.path for _, f in outputs], job.incoming, entry.folder)
    try:
        parts = [read_source(kind, entry.folder / f.path.name) for kind, f in outputs]
    except InputError:
        _swap_back(swapped)
        raise
    files: list[CopyFile] = []
    for (kind, f), part in zip(outputs, parts, strict=True):
        prov = part.provenance
        files.append(
            CopyFile(kind, f.path.name, now, prov.generated, prov.count, f.etag, f.last_modified)
        )
    unchanged = all(f.note.startswith("not modified") for _, f in outputs)
    note = "unchanged since the last fetch (HTTP 304)" if unchanged else "fetched"
    labelled = tuple(_labelled(p, entry, f"{note}, {iso(now)}") for p in parts)
    return SourceOutcome(entry, OK, labelled, None, tuple(files), note)


def _swap_in(paths: list[Path], incoming: Path, folder: Path) -> list[tuple[Path, Path | None]]:
    """Move the new files into place, the copies they replace aside into ``incoming``.

    New files are read where they will stay, so the parse cache (keyed by path, size and
    time) serves the next run; :func:`_swap_back` undoes this when one cannot be read.
    """
    swapped: list[tuple[Path, Path | None]] = []
    for path in paths:
        if path.parent != incoming:
            continue  # unchanged (HTTP 304): already the copy in place
        final = folder / path.name
        backup = incoming / f"{path.name}.previous" if final.exists() else None
        if backup is not None:
            os.replace(final, backup)
        os.replace(path, final)
        swapped.append((final, backup))
    return swapped


def _swap_back(swapped: list[tuple[Path, Path | None]]) -> None:
    for final, backup in swapped:
        if backup is None:
            final.unlink(missing_ok=True)
        else:
            os.replace(backup, final)


def _fall_back(entry: PlanEntry, kept: tuple[CopyFile, ...], error: str) -> SourceOutcome:
    """The last good copy, read again, or a failure when there is none (or it is unusable)."""
    assert entry.folder is not None
    if not kept:
        return SourceOutcome(entry, FAILED, error=f"{error}; no earlier copy to use")
    try:
        parts = [read_source(f.kind, entry.folder / f.name) for f in kept]
    except InputError as exc:
        return SourceOutcome(entry, FAILED, error=f"{error}; the earlier copy is unusable: {exc}")
    when = iso(min(f.fetched_at for f in kept))
    label = f"KEPT LAST GOOD COPY of {when} ({error})"
    labelled = tuple(_labelled(p, entry, label) for p in parts)
    return SourceOutcome(entry, KEPT, labelled, error, kept, f"kept the copy of {when}")


def _labelled(part: SourceData, entry: PlanEntry, status: str) -> SourceData:
    """The part as the snapshot shows it: the URL as location (of its problems too: the
    fetched file's path is an internal detail), the sync status in the note."""
    prov = part.provenance
    note = f"{prov.note}; {status}" if prov.note else status
    problems = tuple(replace(p, file=entry.location) for p in part.problems)
    return replace(
        part, provenance=replace(prov, location=entry.location, note=note), problems=problems
    )
