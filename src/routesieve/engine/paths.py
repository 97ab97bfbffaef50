"""AS path facts the rules need, computed once per distinct path, in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routesieve.columnar.paths import PathTable
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


_SEQ = int(SegmentType.AS_SEQUENCE)
_CONFED_SEQ = int(SegmentType.AS_CONFED_SEQUENCE)


def _at(values: I64, where: I64, ok: Bools) -> I64:
    """``values[where]`` where ``ok``, else -1."""
    out = np.full(len(where), -1, np.int64)
    out[ok] = values[where[ok]]
    return out


def path_facts(
    paths: Sequence[AsPath],
    blocks: Sequence[AsnBlock],
    unallocated_first: int,
    unallocated_last: int,
) -> PathFacts:
    """The facts of each path, computed on the flattened paths (no Python work per path)."""
    table = paths if isinstance(paths, PathTable) else PathTable.of(paths)
    n = len(table)
    seg_start, seg_type, asn_start = table.seg_start, table.seg_type, table.asn_start
    asns = table.asns
    seg_size = np.diff(asn_start)
    seg_count = np.diff(seg_start)
    sizes = table.sizes()
    owner = np.repeat(np.arange(n, dtype=np.int64), sizes)
    seg_owner = table.segment_owner()
    has_segments = seg_count > 0
    sequence = seg_type == _SEQ

    # origin: the last AS of a final AS_SEQUENCE; first: the first AS of a leading one
    last_seg = np.where(has_segments, seg_start[1:] - 1, 0)
    first_seg = np.where(has_segments, seg_start[:-1], 0)
    if len(seg_type):
        ends_in_seq = has_segments & sequence[last_seg] & (seg_size[last_seg] > 0)
        starts_in_seq = has_segments & sequence[first_seg] & (seg_size[first_seg] > 0)
    else:
        ends_in_seq = starts_in_seq = np.zeros(n, np.bool_)
    origin = _at(asns, asn_start[last_seg + 1] - 1 if len(seg_type) else last_seg, ends_in_seq)
    first = _at(asns, asn_start[first_seg] if len(seg_type) else first_seg, starts_in_seq)

    # hops: every AS of a sequence (confederation ones too), one for a set
    counted = np.where(sequence | (seg_type == _CONFED_SEQ), seg_size, 1)
    hops = np.bincount(seg_owner, counted, n).astype(np.int64)
    has_set = np.bincount(seg_owner, ~sequence, n) > 0
    empty = sizes == 0

    # the folded path is [first, origin] when the ASNs change exactly once (no set)
    change = np.zeros(len(asns), np.bool_)
    if len(asns):
        change[1:] = (asns[1:] != asns[:-1]) & (owner[1:] == owner[:-1])
    changes = np.bincount(owner[change], minlength=n)
    two_hop = ~has_set & (changes == 1)
    two_hop_origin = _at(asns, asn_start[seg_start[1:]] - 1, two_hop)

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
