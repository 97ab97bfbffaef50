"""Reading every data file a configuration names into one dated ``Snapshot``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from routesieve.config import Config
from routesieve.model import (
    AsnBlock,
    AsnDelegation,
    AsSet,
    Bogon,
    ExchangePrefix,
    IpDelegation,
    OrgHandle,
    RouteObject,
    Vrp,
)
from routesieve.problems import Problem, ReadResult
from routesieve.snapshot import Provenance, Snapshot
from routesieve.sources.bogons import default_bogons, read_bogons
from routesieve.sources.iana import default_asn_registry, read_asn_registry
from routesieve.sources.parse_cache import cached
from routesieve.sources.peeringdb_files import read_ixlan_map, read_ixpfx
from routesieve.sources.rir import read_delegations
from routesieve.sources.rpki import read_vrps
from routesieve.sources.rpsl import read_rpsl

T = TypeVar("T")


@dataclass(frozen=True)
class LoadedSnapshot:
    """A snapshot and the problems its files had (lines skipped, with file and line)."""

    snapshot: Snapshot
    problems: tuple[Problem, ...]


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.provenance: list[Provenance] = []

    def take(self, result: ReadResult[T]) -> tuple[T, ...]:
        self.problems.extend(result.problems)
        self.provenance.append(result.provenance)
        return result.items

    def each(self, paths: Sequence[Path], read: Callable[[Path], ReadResult[T]]) -> list[T]:
        out: list[T] = []
        for path in paths:
            out.extend(self.take(read(path)))
        return out


def load_snapshot(config: Config, as_of: int) -> LoadedSnapshot:
    """Read every source of ``config``; ``as_of`` is the time the snapshot stands for.

    A file that cannot be used at all raises ``InputError`` naming it; lines that cannot
    be read are skipped and returned as problems, so the caller can show them.
    """
    src = config.sources
    c = _Collector()
    vrps: list[Vrp] = c.each(src.rpki, lambda p: cached(p, "rpki", read_vrps))

    route_objects: list[RouteObject] = []
    as_sets: list[AsSet] = []
    org_handles: list[OrgHandle] = []
    for path in src.irr:
        data = cached(path, "rpsl", read_rpsl)
        c.problems.extend(data.problems)
        c.provenance.append(data.provenance)
        route_objects.extend(data.route_objects)
        as_sets.extend(data.as_sets)
        org_handles.extend(data.org_handles)

    ip_delegations: list[IpDelegation] = []
    asn_delegations: list[AsnDelegation] = []
    for item in c.each(src.rir, lambda p: cached(p, "rir", read_delegations)):
        if isinstance(item, IpDelegation):
            ip_delegations.append(item)
        else:
            asn_delegations.append(item)

    blocks: tuple[AsnBlock, ...] = c.take(
        read_asn_registry(src.iana_asn) if src.iana_asn else default_asn_registry()
    )
    bogons: list[Bogon] = list(c.take(read_bogons(src.bogons) if src.bogons else default_bogons()))
    bogons.extend(c.each(src.full_bogons, lambda p: cached(p, "bogons", read_bogons)))

    ixlan_map: dict[int, int] = {}
    for path in src.peeringdb_ixlan:
        ixlan_map.update(read_ixlan_map(path))
    wanted = config.peeringdb_ix_ids()
    names = {x.peeringdb_ix: x.name for x in config.exchanges if x.peeringdb_ix is not None}
    exchange_prefixes: list[ExchangePrefix] = []
    for path in src.peeringdb_ixpfx:
        for x in c.take(read_ixpfx(path, ixlan_map)):
            if x.peeringdb_ix in wanted:
                name = names.get(x.peeringdb_ix, x.exchange)
                exchange_prefixes.append(ExchangePrefix(x.prefix, name, x.peeringdb_ix))

    snapshot = Snapshot(
        as_of=as_of,
        vrps=tuple(vrps),
        route_objects=tuple(route_objects),
        as_sets=tuple(as_sets),
        ip_delegations=tuple(ip_delegations),
        asn_delegations=tuple(asn_delegations),
        org_handles=tuple(org_handles),
        asn_blocks=blocks,
        bogons=tuple(bogons),
        exchange_prefixes=tuple(exchange_prefixes),
        provenance=tuple(c.provenance),
    )
    return LoadedSnapshot(snapshot, tuple(c.problems))
