"""Small builders for engine tests: routes, VRPs, snapshots and policies in one line each.

Kept in a module of their own (not in ``conftest.py``) because test files cannot import
from a conftest reliably when several test folders without ``__init__.py`` have one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from routesieve.engine.result import Evaluation
from routesieve.model import (
    AsnDelegation,
    AsPath,
    AsSet,
    DelegationStatus,
    IpDelegation,
    OrgHandle,
    Prefix,
    Route,
    RouteObject,
    Verdict,
    Vrp,
)
from routesieve.policy import PeerPolicy, Policy
from routesieve.snapshot import Snapshot

Engine = Callable[[Sequence[Route], Snapshot, Policy], Evaluation]

AS_OF = 1_750_000_000
LOCAL = 214312
PEER = 20000
DOWN = 30000
OTHER = 40000


def path_of(path: str | Sequence[int]) -> AsPath:
    return AsPath.parse(path) if isinstance(path, str) else AsPath.sequence(path)


def route(
    peer: int,
    prefix: str | None,
    path: str | Sequence[int],
    session: str | None = None,
    problem: str | None = None,
) -> Route:
    return Route(
        peer_asn=peer,
        prefix=Prefix.parse(prefix) if prefix is not None else None,
        as_path=path_of(path),
        session=session,
        problem=problem,
        raw_prefix=prefix or "",
    )


def vrp(prefix: str, asn: int, max_length: int | None = None, expires: int | None = None) -> Vrp:
    p = Prefix.parse(prefix)
    return Vrp(p, p.length if max_length is None else max_length, asn, "test", expires)


def ro(prefix: str, origin: int, source: str = "RIPE") -> RouteObject:
    return RouteObject(Prefix.parse(prefix), origin, source)


def as_set(name: str, *members: str, source: str = "RIPE") -> AsSet:
    return AsSet(name, tuple(members), source)


def ip_deleg(
    prefix: str, handle: str, registry: str = "ripencc", status: str = "allocated"
) -> IpDelegation:
    return IpDelegation(registry, Prefix.parse(prefix), DelegationStatus(status), handle)


def asn_deleg(
    asn: int, handle: str, registry: str = "ripencc", status: str = "allocated", count: int = 1
) -> AsnDelegation:
    return AsnDelegation(registry, asn, count, DelegationStatus(status), handle)


def org_prefix(org: str, *prefixes: str, source: str = "RIPE") -> OrgHandle:
    return OrgHandle(org, source, prefixes=tuple(Prefix.parse(p) for p in prefixes))


def org_asn(org: str, asn: int, source: str = "RIPE") -> OrgHandle:
    return OrgHandle(org, source, asn=asn)


def snapshot(**fields: Iterable[Any] | int) -> Snapshot:
    """A snapshot at ``AS_OF``; every data set given as any iterable."""
    as_of = fields.pop("as_of", AS_OF)
    assert isinstance(as_of, int)
    data = {k: tuple(v) for k, v in fields.items() if not isinstance(v, int)}
    return Snapshot(as_of=as_of, **data)


def policy(as_sets: Mapping[int, Sequence[str]] | None = None, **fields: Any) -> Policy:
    """The default policy of AS214312, with as-sets opted in for the given peers."""
    peers = {asn: PeerPolicy(asn, as_sets=tuple(names)) for asn, names in (as_sets or {}).items()}
    return Policy(local_asn=LOCAL, peers=peers, **fields)


def run(
    engine: Engine,
    routes: Sequence[Route],
    snap: Snapshot | None = None,
    pol: Policy | None = None,
) -> Evaluation:
    return engine(list(routes), snap or snapshot(), pol or policy())


def one(
    engine: Engine, r: Route, snap: Snapshot | None = None, pol: Policy | None = None
) -> Verdict:
    """The verdict of a single route."""
    result = run(engine, [r], snap, pol)
    assert len(result) == 1
    return result[0]


def by_prefix(result: Evaluation) -> dict[str, Verdict]:
    return {v.prefix: v for v in result}
