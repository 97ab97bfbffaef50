"""Choosing the stored snapshot a command uses, and telling which sources are stale.

:func:`choose_snapshot` implements the rule of the README: the newest stored snapshot
whose sources fingerprint matches the configuration; with URL sources (or ``--offline``)
there must be one; with local files only, it is used when every file is still as it was
when the snapshot was made (same size and modification time), and otherwise the files are
read as they always were.

A source's age is the larger of the time since its copy was fetched (or confirmed
unchanged) and the time since the date its data gives itself (an rpki-client
``buildtime``, a RIR statistics date, PeeringDB's ``generated``). HTTP ``Last-Modified``
is not used: IANA's registries rightly go unchanged for months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from routesieve.config import Config
from routesieve.problems import InputError
from routesieve.sync.plan import fingerprint
from routesieve.sync.records import Manifest, SourceState, file_stamp, load_manifest

SNAPSHOT_SUFFIX = ".arrow"
"""The stored snapshots ``sync`` writes: the Arrow form of :mod:`routesieve.store`."""
OLD_SNAPSHOT_SUFFIX = ".snapshot"
"""Those it wrote before (the ``.npz`` form): still chosen when newest, loaded, pruned."""
MANIFEST_GLOB = "snapshot-*.json"


@dataclass(frozen=True)
class StaleSource:
    key: str
    location: str
    status: str
    age_hours: float
    limit_hours: int

    def __str__(self) -> str:
        kept = " (the last good copy, kept after a failed fetch)" if self.status != "ok" else ""
        return (
            f"sources.{self.key} {self.location} is {self.age_hours:.0f} hours old{kept}; "
            f"the limit is {self.limit_hours} hours ([sync.max_age_hours]); "
            "run 'routesieve sync'"
        )


@dataclass(frozen=True)
class Chosen:
    """A stored snapshot file and its manifest."""

    path: Path
    manifest: Manifest


class NoSnapshot(Exception):
    """No stored snapshot can be used where one is needed; the message says what to do."""


def list_manifests(folder: Path) -> list[tuple[Path, Manifest | None]]:
    """Every manifest in ``folder``, newest first (None for one that cannot be read)."""
    found: list[tuple[Path, Manifest | None]] = []
    for path in folder.glob(MANIFEST_GLOB) if folder.is_dir() else ():
        try:
            found.append((path, load_manifest(path)))
        except InputError:
            found.append((path, None))
    found.sort(key=lambda pm: (pm[1].created_at if pm[1] else 0, pm[0].name), reverse=True)
    return found


def matching(config: Config) -> list[Chosen]:
    """The stored snapshots made for ``config``'s sources, newest first."""
    folder = config.state_dir / "snapshots"
    wanted = fingerprint(config)
    return [
        Chosen(folder / m.snapshot, m)
        for _, m in list_manifests(folder)
        if m is not None and m.fingerprint == wanted and (folder / m.snapshot).is_file()
    ]


def choose_snapshot(config: Config, *, offline: bool) -> list[Chosen]:
    """The stored snapshots to try, best first; empty means: read the local files.

    Raises :class:`NoSnapshot` when one is needed (URL sources, ``--offline``) and none
    matches the configuration.
    """
    found = matching(config)
    folder = config.state_dir / "snapshots"
    if not found and offline:
        raise NoSnapshot(
            f"--offline: no stored snapshot for this configuration in {folder} "
            "(run 'routesieve sync' first)"
        )
    if not found and config.sources.urls():
        key, url = config.sources.urls()[0]
        raise NoSnapshot(
            f"sources.{key} is a URL ({url}) and there is no stored snapshot for this "
            f"configuration in {folder}: run 'routesieve sync --config {config.path}' first"
        )
    if offline or config.sources.urls():
        return found
    return [c for c in found if _files_unchanged(c.manifest)]


def _files_unchanged(manifest: Manifest) -> bool:
    """True when every local file the snapshot was made from is still as it was read."""
    return all(
        s.file_stamp is not None and s.file_stamp == file_stamp(Path(s.location))
        for s in manifest.sources
        if s.status == "local"
    )


def age_hours(source: SourceState, now: float) -> float | None:
    """How old a source's copy is, in hours (see the module text); None if unknown."""
    ages: list[float] = []
    if source.fetched_at is not None:
        ages.append((now - source.fetched_at) / 3600)
    if source.generated:
        try:
            when = datetime.fromisoformat(source.generated.replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            ages.append((now - when.timestamp()) / 3600)
    return max(ages) if ages else None


def stale_sources(manifest: Manifest, now: float) -> tuple[StaleSource, ...]:
    """The fetched sources of ``manifest`` older than their limit (local files never are)."""
    out: list[StaleSource] = []
    for s in manifest.sources:
        if s.status == "local":
            continue
        age = age_hours(s, now)
        if age is not None and age > s.max_age_hours:
            out.append(StaleSource(s.key, s.location, s.status, age, s.max_age_hours))
    return tuple(out)
