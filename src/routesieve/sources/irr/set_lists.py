"""What the IRR server expands itself: the member ASNs and the prefix list of each set.

Rule 4.4 compares prefixes only (the announced origin is not compared unless
``strict_origin``), so it needs the prefixes of the route objects of a set's ASes, which
IRRd answers in one query (``!a6<set>``, ``!a4<set>``), as bgpq4 asks; rule 4.5 needs the
member ASNs only (``!i<set>,1``). So each opted-in set costs three or four queries however
large it is, instead of one per nested set and two per AS.

The members come back as one flat as-set object (the set's name, every ASN the server
reached, the source asked), and each prefix as a prefix-list row
(:func:`routesieve.model.set_prefix_source`): the engine accepts such a row by 4.4 for the
peers that opted in that very set, and its evidence names the set and the sources.

The server does the nesting: ``as_set_max_depth`` is IRRd's own here, while
``as_set_max_members`` is kept (a set over it loses its prefix list, with a note).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from routesieve.model import MAX_ASN, AsSet, RouteObject, set_prefix_source
from routesieve.sources.irr.expand import checked_prefix, split_ref
from routesieve.sources.irr.whois import QueryRefused, WhoisConnection

_ASN = re.compile(r"^AS(\d{1,10})$", re.IGNORECASE)
_SET_NAME = re.compile(
    r"^(?:AS\d{1,10}:)*AS-[A-Z0-9_-]+(?::(?:AS\d{1,10}|AS-[A-Z0-9_-]+))*$", re.IGNORECASE
)
_SOURCE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SetLists:
    """One flat as-set per opted-in set found, the prefix-list rows of those sets, every
    member ASN, and notes (sets not found, limits, unknown sources)."""

    as_sets: tuple[AsSet, ...]
    prefixes: tuple[RouteObject, ...]
    asns: frozenset[int]
    notes: tuple[str, ...]


def fetch_set_lists(
    conn: WhoisConnection,
    refs: Sequence[str],
    sources: Sequence[str],
    *,
    versions: Sequence[int] = (4, 6),
    max_members: int = 100_000,
) -> SetLists:
    """``!i<set>,1`` and ``!a<v><set>`` for every ref (``SOURCE::NAME`` asks in that
    source only, else in ``sources``, in one ``!s``), pipelined by source list."""
    notes: list[str] = []
    groups: dict[tuple[str, ...], list[str]] = {}
    for ref in dict.fromkeys(r.strip().upper() for r in refs):
        pinned, name = split_ref(ref)
        if pinned and not _SOURCE.match(pinned):
            notes.append(f"as-set {ref}: {pinned!r} is not a source name; skipped")
        elif _SET_NAME.match(name):
            groups.setdefault((pinned,) if pinned else tuple(sources), []).append(ref)
        elif not _ASN.match(name):
            notes.append(f"as-set {ref}: not an as-set name; skipped")
    as_sets: list[tuple[bool, AsSet]] = []
    rows: list[RouteObject] = []
    asns: set[int] = set()
    for group, group_refs in groups.items():
        per_ref = 1 + len(versions)
        queries = [f"!s{','.join(group)}"]
        for ref in group_refs:
            name = split_ref(ref)[1]
            queries += [f"!i{name},1", *(f"!a{v}{name}" for v in versions)]
        try:
            answers = conn.query_many(queries)[1:]
        except QueryRefused as exc:
            if exc.query != queries[0]:
                raise
            notes.append(f"source {','.join(group)} refused by {conn.server}: {exc.message}")
            continue
        for i, ref in enumerate(group_refs):
            members, *lists = answers[i * per_ref : (i + 1) * per_ref]
            name = split_ref(ref)[1]
            if members is None:
                notes.append(f"as-set {ref} not found in {','.join(group)}")
                continue
            found = _asns(conn, name, members, notes)
            if len(found) > max_members:
                notes.append(
                    f"as-set {ref} has {len(found)} member ASNs, over the limit of {max_members}: "
                    "its prefix list is not used"
                )
                lists = []
            asns.update(found[:max_members])
            flat = AsSet(name, tuple(f"AS{a}" for a in found), ",".join(group))
            as_sets.append(("::" in ref, flat))
            tag = set_prefix_source(ref, group)
            for version, answer in zip(versions, lists, strict=False):
                rows += (
                    RouteObject(checked_prefix(conn, f"!a{version}{name}", text, version), 0, tag)
                    for text in dict.fromkeys((answer or "").split())
                )
    # unpinned sets first: the engine's catalog takes the first object of a name
    ordered = tuple(s for _, s in sorted(as_sets, key=lambda ps: ps[0]))
    return SetLists(ordered, tuple(rows), frozenset(asns), tuple(notes))


def _asns(conn: WhoisConnection, name: str, answer: str, notes: list[str]) -> list[int]:
    found: list[int] = []
    odd: list[str] = []
    for token in dict.fromkeys(answer.upper().split()):
        m = _ASN.match(token)
        if m and int(m.group(1)) <= MAX_ASN:
            found.append(int(m.group(1)))
        else:
            odd.append(token)
    if odd:
        notes.append(f"as-set {name}: {conn.server} gave non-ASN members {odd[:3]}; left out")
    return found
