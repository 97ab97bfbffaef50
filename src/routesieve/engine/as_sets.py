"""Expanding a peer's as-sets (step 1) into AS numbers, with loop and size limits."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from routesieve.model import MAX_ASN, AsSet

_ASN = re.compile(r"^AS(\d{1,10})$", re.IGNORECASE)
# an as-set name (RFC 2622): components joined by ':', at least one of them AS-...
_SET_NAME = re.compile(
    r"^(?:AS\d{1,10}:)*AS-[A-Z0-9_-]+(?::(?:AS\d{1,10}|AS-[A-Z0-9_-]+))*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Expansion:
    """The ASNs an as-set opt-in stands for, the sets walked, and what went wrong."""

    asns: frozenset[int]
    sets: tuple[str, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Members:
    """An as-set's members, read once: each as (AS number or -1, is a set name, text),
    in their order; its AS numbers; and the members that are not AS numbers."""

    every: tuple[tuple[int, bool, str], ...]
    asns: frozenset[int]
    rest: tuple[tuple[int, bool, str], ...]

    @staticmethod
    def of(members: Sequence[str]) -> _Members:
        every: list[tuple[int, bool, str]] = []
        for member in members:
            digits = member[2:]
            # "AS" and 1 to 10 digits (what _ASN matches), without the regex
            if member[:2].upper() == "AS" and 0 < len(digits) <= 10 and digits.isdecimal():
                asn = int(digits)
                if asn <= MAX_ASN:
                    every.append((asn, False, member))
                    continue
            m = _ASN.match(member)
            if m and int(m.group(1)) <= MAX_ASN:
                every.append((int(m.group(1)), False, member))
            else:
                every.append((-1, bool(_SET_NAME.match(member)), member))
        asns = frozenset(asn for asn, _, _ in every if asn >= 0)
        return _Members(tuple(every), asns, tuple(m for m in every if m[0] < 0))


class AsSetCatalog:
    """As-sets by upper-cased name; a name may be asked for as ``SOURCE::NAME``."""

    def __init__(self, as_sets: Iterable[AsSet]) -> None:
        self._by_name: dict[str, AsSet] = {}
        self._by_source: dict[tuple[str, str], AsSet] = {}
        for s in as_sets:
            name = s.name.upper()
            self._by_name.setdefault(name, s)
            self._by_source.setdefault((s.source.upper(), name), s)
        # members of the sets expanded so far, read once (by the set's identity)
        self._members: dict[int, _Members] = {}
        # each expansion made once per catalog (an index is reused across evaluations)
        self._memo: dict[tuple[tuple[str, ...], int, int], Expansion] = {}

    def _read(self, found: AsSet) -> _Members:
        read = self._members.get(id(found))
        if read is None:
            read = self._members[id(found)] = _Members.of(found.members)
        return read

    def find(self, ref: str) -> AsSet | None:
        source, sep, name = ref.upper().rpartition("::")
        if sep:
            return self._by_source.get((source, name))
        return self._by_name.get(name)

    def expand(self, refs: Sequence[str], max_depth: int, max_members: int) -> Expansion:
        """:meth:`expand_once`, remembered: the catalog does not change."""
        key = (tuple(refs), max_depth, max_members)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self.expand_once(refs, max_depth, max_members)
        return found

    def expand_once(self, refs: Sequence[str], max_depth: int, max_members: int) -> Expansion:
        """Every ASN reachable from ``refs``, breadth first (so each set is reached at its
        shortest depth; the named sets are depth 1). A set that names one of its own
        ancestors is a loop: it is cut with a warning. A ``SOURCE::`` on a named set
        applies to the sets nested in it too, as bgpq4's ``-S`` does."""
        asns: set[int] = set()
        walked: list[str] = []
        warnings: list[str] = []
        done: set[str] = set()
        level: list[tuple[str, tuple[str, ...]]] = []
        for ref in refs:
            m = _ASN.match(ref.rpartition("::")[2])
            if m:
                asns.add(int(m.group(1)))
            else:
                level.append((ref, ()))
        depth = 1
        while level:
            following: list[tuple[str, tuple[str, ...]]] = []
            for ref, trail in level:
                key = ref.upper()
                if key in trail:
                    warnings.append(f"as-set {ref} loops back to itself; not expanded again")
                    continue
                if key in done:
                    continue
                found = self.find(ref)
                if found is None:
                    where = f" (member of {trail[-1]})" if trail else ""
                    warnings.append(f"as-set {ref}{where} not found in the IRR data")
                    continue
                done.add(key)
                walked.append(found.name)
                source, sep, _ = key.rpartition("::")
                read = self._read(found)
                # when the limit cannot be reached, the AS numbers go in at once
                fast = len(asns) + len(read.asns) <= max_members
                if fast:
                    asns |= read.asns
                for asn, is_set, member in read.rest if fast else read.every:
                    if asn >= 0:
                        if asn not in asns and len(asns) >= max_members:
                            warnings.append(
                                f"as-set expansion stopped at {max_members} members "
                                f"(the limit) while reading {found.name}"
                            )
                            return Expansion(frozenset(asns), tuple(walked), tuple(warnings))
                        asns.add(asn)
                    elif not is_set:
                        warnings.append(f"as-set {found.name}: cannot read member {member!r}")
                    elif depth + 1 > max_depth:
                        warnings.append(
                            f"as-set {member} (in {found.name}) is deeper than {max_depth} "
                            "levels; not expanded"
                        )
                    else:
                        child = f"{source}::{member}" if sep else member
                        following.append((child, (*trail, key)))
            level = following
            depth += 1
        return Expansion(frozenset(asns), tuple(walked), tuple(warnings))


# every catalog remembers its expansions now; the name stays for its users
RememberingCatalog = AsSetCatalog
