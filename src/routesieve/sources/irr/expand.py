"""Fetching the as-sets peers opted in, breadth first, and the route objects of their ASes.

We ask the server for each set's *direct* members (``!i<set>``, not ``!i<set>,1``), so that
nesting, loops and limits are ours and the as-set objects can be written out for the
engine to expand itself (:class:`routesieve.engine.as_sets.AsSetCatalog`), the same way as
from an RPSL dump. Every set of one level of the walk is asked for in one pipelined batch.

Names are looked up in the configured sources in order of preference (the first source
that has a set wins, as the catalog takes the first object of a name). ``SOURCE::NAME``
means that set *and the sets nested in it* in that source only, as in the engine and in
bgpq4's ``-S``. Then ``!g AS<n>`` and ``!6 AS<n>`` are asked for every AS reached, in each
source in turn, so each route object keeps the source it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from routesieve.engine.as_sets import AsSetCatalog
from routesieve.model import MAX_ASN, AsSet, ParseError, Prefix, RouteObject
from routesieve.sources._common import strict_prefix
from routesieve.sources.irr.whois import QueryRefused, WhoisConnection, WhoisError

_ASN = re.compile(r"^AS(\d{1,10})$", re.IGNORECASE)
_SET_NAME = re.compile(
    r"^(?:AS\d{1,10}:)*AS-[A-Z0-9_-]+(?::(?:AS\d{1,10}|AS-[A-Z0-9_-]+))*$", re.IGNORECASE
)
_TOKEN = re.compile(r"^[A-Z0-9][A-Z0-9:_.-]*$")  # what a member may look like in RPSL
_SOURCE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$", re.IGNORECASE)

# a lookup key: (pinned source or "", upper-cased set name)
Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class SetWalk:
    """The as-set objects found (preferred source first), the ASNs each opt-in stands for
    under the limits, and notes: sets not found, loops, limits reached."""

    as_sets: tuple[AsSet, ...]
    asns: frozenset[int]
    notes: tuple[str, ...]


def split_ref(ref: str) -> Key:
    source, sep, name = ref.strip().upper().rpartition("::")
    return (source if sep else "", name)


def fetch_as_sets(
    conn: WhoisConnection,
    refs: Sequence[str],
    sources: Sequence[str],
    *,
    max_depth: int,
    max_members: int,
) -> SetWalk:
    """Walk ``refs`` level by level down to ``max_depth``, then expand each ref with the
    engine's own catalog under ``max_depth`` / ``max_members`` to learn its ASNs."""
    found: dict[Key, AsSet | None] = {}
    notes: list[str] = []
    level: list[Key] = []
    for ref in refs:
        key = split_ref(ref)
        if key[0] and not _SOURCE.match(key[0]):
            notes.append(f"as-set {ref}: {key[0]!r} is not a source name; skipped")
        elif _SET_NAME.match(key[1]):
            level.append(key)
        elif not _ASN.match(key[1]):
            notes.append(f"as-set {ref}: not an as-set name; skipped")
    # the walk stops once the fetched sets hold more ASNs (or sets) than the limit allows
    # for every ref: the engine's breadth-first expansion stops within what was fetched
    bound = max_members * max(1, len(refs))
    seen_asns: set[str] = set()
    depth = 1
    while level and depth <= max_depth:
        todo = list(dict.fromkeys(k for k in level if k not in found))
        _look_up(conn, todo, sources, found, notes)
        following: list[Key] = []
        for key in todo:
            obj = found[key]
            if obj is None:
                continue
            for member in obj.members:
                if _SET_NAME.match(member):
                    following.append((key[0], member.upper()))
                elif _ASN.match(member):
                    seen_asns.add(member)
        if len(seen_asns) >= bound or len(found) >= bound:
            if following:
                notes.append(
                    f"stopped fetching nested as-sets at depth {depth}: {len(seen_asns)} ASNs "
                    f"in {len(found)} sets reach the limit of {max_members} per opted-in set"
                )
            break
        level = following
        depth += 1
    objects = _preference_order([o for o in found.values() if o is not None], sources)
    catalog = AsSetCatalog(objects)
    asns: set[int] = set()
    for ref in refs:
        expansion = catalog.expand([ref], max_depth, max_members)
        asns |= expansion.asns
        notes.extend(w for w in expansion.warnings if w not in notes)
    return SetWalk(tuple(objects), frozenset(asns), tuple(notes))


def _look_up(
    conn: WhoisConnection,
    keys: Sequence[Key],
    sources: Sequence[str],
    found: dict[Key, AsSet | None],
    notes: list[str],
) -> None:
    """Ask for ``keys`` source by source (a pinned key only in its source), pipelined."""
    pending = list(keys)
    for source in [*sources, *sorted({k[0] for k in keys if k[0] and k[0] not in sources})]:
        batch = [k for k in pending if not k[0] or k[0] == source]
        if not batch:
            continue
        try:
            answers = conn.query_many([f"!s{source}", *(f"!i{k[1]}" for k in batch)])[1:]
        except QueryRefused as exc:
            if exc.query != f"!s{source}":
                raise
            notes.append(f"source {source} refused by {conn.server}: {exc.message}")
            continue
        for key, answer in zip(batch, answers, strict=True):
            if answer is not None:
                members = answer.upper().split()
                bad = [m for m in members if not _TOKEN.match(m)]
                if bad:  # would not survive the RPSL file (a '#' starts a comment)
                    notes.append(f"as-set {key[1]} in {source}: unreadable members {bad[:3]}")
                good = tuple(m for m in members if _TOKEN.match(m))
                found[key] = AsSet(key[1], good, source)
        pending = [k for k in pending if k not in found]
    for key in pending:
        found[key] = None


def _preference_order(objects: Iterable[AsSet], sources: Sequence[str]) -> list[AsSet]:
    """Objects ordered by source preference, so the catalog's first of a name is the one
    an unpinned lookup found; the same object reached pinned and unpinned is kept once."""
    rank = {s: i for i, s in enumerate(sources)}
    unique = {(o.source, o.name): o for o in objects}
    return sorted(unique.values(), key=lambda o: (rank.get(o.source, len(rank)), o.name))


def fetch_routes(
    conn: WhoisConnection, asns: Iterable[int], sources: Sequence[str]
) -> list[RouteObject]:
    """The route and route6 objects of every AS, in each source, via ``!g`` and ``!6``."""
    ordered = sorted(a for a in set(asns) if 0 <= a <= MAX_ASN)
    routes: list[RouteObject] = []
    for source in sources:
        queries = [f"!s{source}"]
        for asn in ordered:
            queries += [f"!gAS{asn}", f"!6AS{asn}"]
        answers = conn.query_many(queries)[1:]
        for i, answer in enumerate(answers):
            asn, version = ordered[i // 2], 4 if i % 2 == 0 else 6
            for text in (answer or "").split():
                query = f"!gAS{asn}" if version == 4 else f"!6AS{asn}"
                routes.append(RouteObject(checked_prefix(conn, query, text, version), asn, source))
    return routes


def checked_prefix(conn: WhoisConnection, query: str, text: str, version: int) -> Prefix:
    """A prefix of ``query``'s answer, of IP ``version``; WhoisError naming it if not."""
    try:
        prefix = strict_prefix(text)
    except ParseError as exc:
        raise WhoisError(conn.server, query, f"not a prefix: {text[:60]!r} ({exc})") from None
    if prefix.version != version:
        raise WhoisError(conn.server, query, f"IPv{prefix.version} prefix {text} in the answer")
    return prefix
