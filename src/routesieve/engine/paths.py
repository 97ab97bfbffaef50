"""AS path facts the rules need, computed once per distinct path, in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt

from routesieve.model import AsnBlock, AsPath, SegmentType

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

# X-BOGON-ASN: documentation (RFC 5398), private use (RFC 6996), reserved (RFC 7300,
# IANA), last 16- and 32-bit ASNs. AS 0 and AS 23456 have rules of their own (3.9, 3.8).
BOGON_ASN_RANGES: tuple[tuple[int, int, str], ...] = (
    (64496, 64511, "documentation (RFC 5398)"),
    (64512, 65534, "private use (RFC 6996)"),
    (65535, 65535, "reserved (RFC 7300)"),
    (65536, 65551, "documentation (RFC 5398)"),
    (65552, 131071, "reserved by IANA"),
    (4200000000, 4294967294, "private use (RFC 6996)"),
    (4294967295, 4294967295, "reserved (RFC 7300)"),
)


@dataclass(frozen=True)
class PathFacts:
    """Columns over distinct paths; ``-1`` stands for "none"."""

    origin: I64
    first: I64
    hops: I64
    has_set: Bools
    empty: Bools
    two_hop_origin: I64  # the origin when the folded path is exactly [first, origin]
    unallocated: I64  # the first ASN of rule 3.7, or -1
    as_trans: Bools
    as_zero: Bools
    bogon_asn: I64  # the first ASN of X-BOGON-ASN, or -1


def _first_flagged(flag: Bools, values: I64, owner: I64, n: int) -> I64:
    out = np.full(n, -1, np.int64)
    idx = np.flatnonzero(flag)[::-1]  # reversed so that the first occurrence is written last
    out[owner[idx]] = values[idx]
    return out


def _in_ranges(values: I64, ranges: Sequence[tuple[int, int]]) -> Bools:
    hit = np.zeros(len(values), np.bool_)
    for first, last in ranges:
        hit |= (values >= first) & (values <= last)
    return hit


_SEQ = SegmentType.AS_SEQUENCE
_CONFED_SEQ = SegmentType.AS_CONFED_SEQUENCE


def _facts(path: AsPath) -> tuple[int, int, int, bool, bool, int, int]:
    """origin, first, hops, has_set, empty, two-hop origin, number of ASNs (-1: none)."""
    segments = path.segments
    if not segments:
        return -1, -1, 0, False, True, -1, 0
    if len(segments) == 1 and segments[0].type == _SEQ:
        asns = segments[0].asns
        if not asns:
            return -1, -1, 0, False, True, -1, 0
        two = -1
        last = asns[-1]
        if asns[0] != last and asns.count(asns[0]) + asns.count(last) == len(asns):
            # only prepends of the first and of the last AS: the folded path has two hops
            two = last if asns.index(last) == len(asns) - asns.count(last) else -1
        return last, asns[0], len(asns), False, False, two, len(asns)
    size = sum(len(s.asns) for s in segments)
    hops = sum(len(s.asns) if s.type in (_SEQ, _CONFED_SEQ) else 1 for s in segments)
    origin = segments[-1].asns[-1] if segments[-1].type == _SEQ and segments[-1].asns else -1
    first = segments[0].asns[0] if segments[0].type == _SEQ and segments[0].asns else -1
    has_set = any(s.type != _SEQ for s in segments)
    folded = None if has_set else path.folded
    two = folded[1] if folded is not None and len(folded) == 2 else -1
    return origin, first, hops, has_set, size == 0, two, size


def path_facts(
    paths: Sequence[AsPath],
    blocks: Sequence[AsnBlock],
    unallocated_first: int,
    unallocated_last: int,
) -> PathFacts:
    n = len(paths)
    rows = [_facts(p) for p in paths]
    origin = np.array([r[0] for r in rows], np.int64).reshape(n)
    first = np.array([r[1] for r in rows], np.int64).reshape(n)
    hops = np.array([r[2] for r in rows], np.int64).reshape(n)
    has_set = np.array([r[3] for r in rows], np.bool_).reshape(n)
    empty = np.array([r[4] for r in rows], np.bool_).reshape(n)
    two_hop_origin = np.array([r[5] for r in rows], np.int64).reshape(n)
    sizes = np.array([r[6] for r in rows], np.int64).reshape(n)
    asns = np.fromiter(chain.from_iterable(p.asns() for p in paths), np.int64, int(sizes.sum()))
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)

    allocated = sorted((b.first, b.last) for b in blocks if b.allocated)
    in_range = (asns >= unallocated_first) & (asns <= unallocated_last)
    if allocated and in_range.any():
        starts = np.array([a for a, _ in allocated], np.int64)
        ends = np.array([b for _, b in allocated], np.int64)
        # blocks may overlap: use the running maximum of the ends
        ends = np.maximum.accumulate(ends)
        pos = np.searchsorted(starts, asns, "right") - 1
        inside = (pos >= 0) & (asns <= ends[pos.clip(0)])
        in_range &= ~inside
    unallocated = _first_flagged(in_range, asns, owner, n)
    as_trans = np.zeros(n, np.bool_)
    as_trans[owner[asns == 23456]] = True
    as_zero = np.zeros(n, np.bool_)
    as_zero[owner[asns == 0]] = True
    bogon = _in_ranges(asns, [(a, b) for a, b, _ in BOGON_ASN_RANGES])
    bogon_asn = _first_flagged(bogon, asns, owner, n)
    return PathFacts(
        origin,
        first,
        hops,
        has_set,
        empty,
        two_hop_origin,
        unallocated,
        as_trans,
        as_zero,
        bogon_asn,
    )


def bogon_asn_reason(asn: int) -> str:
    for first, last, why in BOGON_ASN_RANGES:
        if first <= asn <= last:
            return why
    return "not a bogon ASN"
