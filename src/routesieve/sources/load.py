"""Reading every data file a configuration names into one dated ``Snapshot``.

:func:`read_source` is the one place that maps ``(kind, local file)`` to data: the kinds
are the ``[sources]`` keys. :func:`assemble` turns the parts into a snapshot (the
built-in IANA registry and bogon list where no file of that kind is given; PeeringDB LAN
prefixes kept for the configured exchanges only). :func:`load_snapshot` does both for a
configuration that names local files only; ``routesieve sync`` calls them on its copies.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from routesieve.columnar import (
    AsnDelegationTable,
    ColumnTable,
    IpDelegationTable,
    RouteObjectTable,
    VrpTable,
)
from routesieve.model import (
    AsnBlock,
    AsnDelegation,
    Aspa,
    AsSet,
    Bogon,
    ExchangePrefix,
    IpDelegation,
    OrgHandle,
    RouteObject,
    Vrp,
)
from routesieve.problems import InputError, Problem
from routesieve.snapshot import Provenance, Snapshot
from routesieve.sources import read_worker
from routesieve.sources.aspa import read_aspas, worth_noting
from routesieve.sources.bogons import default_bogons, read_bogons
from routesieve.sources.bulk import concat
from routesieve.sources.iana import default_asn_registry, read_asn_registry
from routesieve.sources.iana_special import read_special_registry
from routesieve.sources.parse_cache import cached, is_cached
from routesieve.sources.peeringdb_files import read_ixlan_map, read_ixpfx
from routesieve.sources.rir_bulk import read_delegation_tables
from routesieve.sources.rpki import read_vrps
from routesieve.sources.rpsl import read_rpsl

if TYPE_CHECKING:  # the second reading process needs no configuration (nor pydantic)
    from routesieve.config import Config

T = TypeVar("T", bound=ColumnTable[Any])

KINDS = (
    "rpki",
    "irr",
    "rir",
    "iana_asn",
    "iana_special",
    "bogons",
    "full_bogons",
    "peeringdb_ixpfx",
    "peeringdb_ixlan",
)


@dataclass(frozen=True)
class LoadedSnapshot:
    """A snapshot and the problems its files had (lines skipped, with file and line)."""

    snapshot: Snapshot
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class SourceData:
    """What one file of one kind holds; only the fields of its kind are filled.

    ``exchange_prefixes`` carry the PeeringDB ixlan id as ``peeringdb_ix`` until
    :func:`assemble` maps them with ``ixlan_map``.
    """

    kind: str
    provenance: Provenance
    problems: tuple[Problem, ...] = ()
    vrps: Sequence[Vrp] = ()
    route_objects: Sequence[RouteObject] = ()
    as_sets: Sequence[AsSet] = ()
    org_handles: Sequence[OrgHandle] = ()
    ip_delegations: Sequence[IpDelegation] = ()
    asn_delegations: Sequence[AsnDelegation] = ()
    asn_blocks: Sequence[AsnBlock] = ()
    bogons: Sequence[Bogon] = ()
    exchange_prefixes: Sequence[ExchangePrefix] = ()
    ixlan_map: tuple[tuple[int, int], ...] = ()
    aspas: Sequence[Aspa] = ()
    aspa_provenance: Provenance | None = None


def read_source(kind: str, path: Path) -> SourceData:
    """Read the file ``path`` as data of ``kind`` (a ``[sources]`` key).

    A file that cannot be used at all raises ``InputError`` naming it.
    """
    if kind == "rpki":
        r = cached(path, "rpki", read_vrps)
        rp = cached(path, "aspa", read_aspas)
        return SourceData(
            kind,
            r.provenance,
            r.problems + rp.problems,
            vrps=r.items,
            aspas=rp.items,
            aspa_provenance=rp.provenance if worth_noting(rp) else None,
        )
    if kind == "irr":
        d = cached(path, "rpsl", read_rpsl)
        return SourceData(
            kind,
            d.provenance,
            d.problems,
            route_objects=d.route_objects,
            as_sets=d.as_sets,
            org_handles=d.org_handles,
        )
    if kind == "rir":
        rd = cached(path, "rir", read_delegation_tables)
        return SourceData(
            kind, rd.provenance, rd.problems, ip_delegations=rd.ip, asn_delegations=rd.asn
        )
    if kind == "iana_asn":
        ra = read_asn_registry(path)
        return SourceData(kind, ra.provenance, ra.problems, asn_blocks=ra.items)
    if kind == "iana_special":
        rs = read_special_registry(path)
        return SourceData(kind, rs.provenance, rs.problems, bogons=rs.items)
    if kind in ("bogons", "full_bogons"):
        rb = cached(path, "bogons", read_bogons) if kind == "full_bogons" else read_bogons(path)
        return SourceData(kind, rb.provenance, rb.problems, bogons=rb.items)
    if kind == "peeringdb_ixpfx":
        rx = read_ixpfx(path)
        return SourceData(kind, rx.provenance, rx.problems, exchange_prefixes=rx.items)
    if kind == "peeringdb_ixlan":
        mapping = read_ixlan_map(path)
        prov = Provenance(kind, str(path), None, len(mapping), "PeeringDB ixlan")
        return SourceData(kind, prov, ixlan_map=tuple(sorted(mapping.items())))
    raise ValueError(f"unknown source kind {kind!r}")


def assemble(parts: Iterable[SourceData], config: Config, as_of: int) -> LoadedSnapshot:
    """One snapshot from the parts read for ``config``; ``as_of`` is the time it stands for."""
    given = list(parts)
    kinds = {p.kind for p in given}
    if "iana_asn" not in kinds:
        builtin = default_asn_registry()
        given.append(SourceData("iana_asn", builtin.provenance, asn_blocks=builtin.items))
    base = [p for p in given if p.kind == "bogons"]
    if not base:
        builtin_b = default_bogons()
        base = [SourceData("bogons", builtin_b.provenance, bogons=builtin_b.items)]
        given.append(base[0])
    seen = {b.prefix for p in base for b in p.bogons}
    bogons = [b for p in base for b in p.bogons]
    for p in given:
        if p.kind == "iana_special":
            fresh = [b for b in p.bogons if b.prefix not in seen]
            seen.update(b.prefix for b in fresh)
            bogons.extend(fresh)
    bogons.extend(b for p in given if p.kind == "full_bogons" for b in p.bogons)

    ixlan_map = dict(pair for p in given for pair in p.ixlan_map)
    names = {x.peeringdb_ix: x.name for x in config.exchanges if x.peeringdb_ix is not None}
    exchange_prefixes: list[ExchangePrefix] = []
    for p in given:
        for x in p.exchange_prefixes:
            ix = ixlan_map.get(x.peeringdb_ix or 0, x.peeringdb_ix)
            if ix in names:
                exchange_prefixes.append(ExchangePrefix(x.prefix, names[ix], ix))

    snapshot = Snapshot(
        as_of=as_of,
        vrps=_joined(VrpTable, [p.vrps for p in given if len(p.vrps)]),
        route_objects=_joined(
            RouteObjectTable, [p.route_objects for p in given if len(p.route_objects)]
        ),
        as_sets=tuple(a for p in given for a in p.as_sets),
        ip_delegations=_joined(
            IpDelegationTable, [p.ip_delegations for p in given if len(p.ip_delegations)]
        ),
        asn_delegations=_joined(
            AsnDelegationTable, [p.asn_delegations for p in given if len(p.asn_delegations)]
        ),
        org_handles=tuple(h for p in given for h in p.org_handles),
        asn_blocks=tuple(b for p in given for b in p.asn_blocks),
        bogons=tuple(bogons),
        exchange_prefixes=tuple(exchange_prefixes),
        aspas=tuple(a for p in given for a in p.aspas),
        provenance=tuple(
            prov
            for p in _in_key_order(given)
            for prov in (p.provenance, p.aspa_provenance)
            if prov is not None
        ),
    )
    return LoadedSnapshot(snapshot, tuple(q for p in given for q in p.problems))


def _joined(kind: type[T], parts: list[Sequence[Any]]) -> Sequence[Any]:
    """The items of ``parts`` one after the other: one column-backed table of type
    ``kind`` (the readers' tables joined without building an item), or ``()``."""
    if not parts:
        return ()
    tables = [p if isinstance(p, kind) else kind.of(p) for p in parts]  # type: ignore[attr-defined]
    return tables[0] if len(tables) == 1 else concat(kind, tables)


def _in_key_order(parts: list[SourceData]) -> list[SourceData]:
    return sorted(parts, key=lambda p: KINDS.index(p.kind) if p.kind in KINDS else len(KINDS))


def load_snapshot(config: Config, as_of: int) -> LoadedSnapshot:
    """Read every source of ``config`` (local files only); ``as_of`` is the time the
    snapshot stands for.

    A file that cannot be used at all raises ``InputError`` naming it; lines that cannot
    be read are skipped and returned as problems, so the caller can show them. Sources
    given as URLs are read from the copies ``routesieve sync`` stores, not here.
    """
    urls = config.sources.urls()
    if urls:
        key, url = urls[0]
        raise InputError.at(
            str(config.path),
            f"sources.{key} is a URL ({url}): run 'routesieve sync' first, then use its "
            "stored snapshot",
        )
    entries = [(kind, loc) for kind, loc in config.sources.entries() if isinstance(loc, Path)]
    return assemble(read_sources(entries), config, as_of)


# The parse-cached readers of each kind, as read_source calls them
# (tests/sources/test_read_worker.py checks the two agree).
_PARSED: dict[str, tuple[tuple[str, Callable[[Path], Any]], ...]] = {
    "rpki": (("rpki", read_vrps), ("aspa", read_aspas)),
    "irr": (("rpsl", read_rpsl),),
    "rir": (("rir", read_delegation_tables),),
    "full_bogons": (("bogons", read_bogons),),
}
PARSE_BYTES = 8 << 20
"""A file this large or larger that has no parse-cache entry is worth a second process."""


def needs_parsing(kind: str, path: Path) -> bool:
    """Whether reading ``path`` as ``kind`` parses a large file (no parse-cache entry)."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    readers = _PARSED.get(kind, ())
    return size >= PARSE_BYTES and any(not is_cached(path, k, r) for k, r in readers)


def read_sources(
    entries: Sequence[tuple[str, Path]], processes: int | None = None
) -> list[SourceData]:
    """``read_source`` of each entry, in order; the first ``InputError`` is raised.

    When two or more large files need parsing and this process may use more than one
    core (or ``processes`` says 2), all but the largest of them are read by a second
    process (:mod:`routesieve.sources.read_worker`) while this one reads the largest
    and the small ones.
    """
    cores = processes if processes is not None else len(os.sched_getaffinity(0))
    heavy = [i for i, (kind, path) in enumerate(entries) if needs_parsing(kind, path)]
    if cores < 2 or len(heavy) < 2:
        return [read_source(kind, path) for kind, path in entries]
    largest = max(heavy, key=lambda i: entries[i][1].stat().st_size)
    away = [i for i in heavy if i != largest]
    jobs = [entries[i] for i in away]
    proc = read_worker.start(jobs)
    got: dict[int, read_worker.Answer] = {}
    try:
        for i, job in enumerate(entries):
            if i not in away:
                got[i] = read_worker.attempt(job)
    finally:
        answers = read_worker.finish(proc, jobs)
    if answers is None:  # the second process gave nothing: read its files here
        answers = [read_worker.attempt(job) for job in jobs]
    got.update(zip(away, answers, strict=True))
    out = []
    for i in range(len(entries)):
        status, value = got[i]
        if status == "error":
            raise value
        out.append(value)
    return out
