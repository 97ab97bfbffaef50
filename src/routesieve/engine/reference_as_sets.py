"""The reference twin's step 1: as-set expansion by plain recursion over the list of sets.

Deliberately simple, like :mod:`routesieve.engine.reference`, which uses it; the fast
engine has its own in :mod:`routesieve.engine.as_sets`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from routesieve.model import MAX_ASN, AsSet
from routesieve.policy import Policy
from routesieve.snapshot import Snapshot

_ASN_MEMBER = re.compile(r"AS(\d+)", re.IGNORECASE)
_SET_COMPONENT = re.compile(r"AS-[A-Z0-9_-]+", re.IGNORECASE)


def _member_asn(member: str) -> int | None:
    match = _ASN_MEMBER.fullmatch(member.strip())
    if match is None or int(match.group(1)) > MAX_ASN:
        return None
    return int(match.group(1))


def _is_set_name(name: str) -> bool:
    bare = name.strip().rpartition("::")[2]
    parts = bare.split(":")
    return all(_SET_COMPONENT.fullmatch(p) or _ASN_MEMBER.fullmatch(p) for p in parts) and any(
        _SET_COMPONENT.fullmatch(p) for p in parts
    )


def _find_set(name: str, sets: Sequence[AsSet]) -> int | None:
    source, sep, bare = name.strip().rpartition("::")
    for i, s in enumerate(sets):
        if s.name.lower() == bare.lower() and (not sep or s.source.lower() == source.lower()):
            return i
    return None


def expand_as_sets(
    names: Sequence[str], snap: Snapshot, policy: Policy, warnings: list[str]
) -> set[int]:
    """The ASNs of the as-sets ``names``, breadth first; problems go to ``warnings``."""
    asns: set[int] = set()
    visited: set[int] = set()
    frontier: list[tuple[str, tuple[int, ...]]] = []
    for name in names:
        asn = _member_asn(name.rpartition("::")[2])
        if asn is not None:
            asns.add(asn)
        else:
            frontier.append((name, ()))
    depth = 1
    while frontier:
        following: list[tuple[str, tuple[int, ...]]] = []
        for name, trail in frontier:
            index = _find_set(name, snap.as_sets)
            if index is None:
                warnings.append(f"as-set {name} not found")
                continue
            if index in trail:
                warnings.append(f"as-set {name} loops back to itself; not expanded again")
                continue
            if index in visited:
                continue
            visited.add(index)
            for member in snap.as_sets[index].members:
                asn = _member_asn(member)
                if asn is not None:
                    if asn not in asns and len(asns) >= policy.as_set_max_members:
                        warnings.append(
                            f"as-set {names[0]} has more than {policy.as_set_max_members} "
                            "members; expansion stopped"
                        )
                        return asns
                    asns.add(asn)
                elif not _is_set_name(member):
                    warnings.append(f"as-set {name}: cannot read member {member!r}")
                elif depth + 1 > policy.as_set_max_depth:
                    warnings.append(
                        f"as-set {member} (in {name}) is deeper than "
                        f"{policy.as_set_max_depth} levels; not expanded"
                    )
                else:
                    # a SOURCE:: on the named set holds for the sets nested in it
                    source, sep, _ = name.rpartition("::")
                    following.append((f"{source}::{member}" if sep else member, (*trail, index)))
        frontier = following
        depth += 1
    return asns
