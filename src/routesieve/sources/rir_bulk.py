"""RIR statistics files read in bulk; lines that are not plain records line by line.

A plain record (``registry|cc|type|start|value|date|status[|opaque-id[|...]]`` with no
blanks, a decimal dotted-quad IPv4 start, a lower-case status) becomes table rows
without a Python object: ASN ranges, IPv6 prefixes, and IPv4 blocks whose host count
is a power of two at a matching boundary (one prefix). Every other line, the header
and summary lines included, goes through the line reader of :mod:`routesieve.sources.rir`
with its line number, so problems and counts are those of the per-line reader.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar import AsnDelegationTable, IpDelegationTable, PrefixArray
from routesieve.model import MAX_ASN, AsnDelegation, IpDelegation
from routesieve.problems import InputError
from routesieve.sources.bulk import (
    I64,
    U64,
    concat,
    file_lines,
    in_order,
    prefix_columns,
    read_bytes,
    string_column,
)
from routesieve.sources.rir import LineReader, RirData, read_delegations

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_RECORD = (
    r"^[A-Za-z0-9_-]+\|[A-Za-z]{0,2}\|(?:asn\|[0-9]{1,10}\|[0-9]{1,10}"
    rf"|ipv4\|{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}\|[0-9]{{1,10}}"
    r"|ipv6\|[0-9A-Fa-f:]{2,39}\|[0-9]{1,3})"
    r"\|[0-9]*\|(?:allocated|assigned|available|reserved)(?:\|[A-Za-z0-9_.-]*(?:\|[^\r\n]*)?)?"
    r"\r?\n?$"
)


def read_rir_bulk(path: str | Path, data: bytes) -> RirData | None:
    """The tables of the statistics file ``data`` (the file ``path``), or None when its
    lines cannot be split as the text reader splits them."""
    lines = file_lines(data)
    if lines is None:
        return None
    text = lines.text
    plain = pc.match_substring_regex(text, _RECORD).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(plain)
    fields = _fields(text.take(pa.array(rows)))
    kind = fields[2].to_numpy(zero_copy_only=False)
    asn_rows, ip4_rows, ip6_rows = (np.flatnonzero(kind == k) for k in ("asn", "ipv4", "ipv6"))
    value = _number(fields[4])
    # ASN ranges: a count of at least one, the last AS number at most 2**32 - 1
    first = np.zeros(len(rows), np.uint64)
    first[asn_rows] = _number(fields[3].take(pa.array(asn_rows)))
    good = np.ones(len(rows), np.bool_)
    good[asn_rows] &= (value[asn_rows] >= 1) & (first[asn_rows] + value[asn_rows] - 1 <= MAX_ASN)
    # IPv4: a start and a host count, the fewest prefixes that cover them
    start4, ok4 = prefix_columns(fields[3].take(pa.array(ip4_rows)), np.full(len(ip4_rows), 32))
    address = start4.hi >> np.uint64(32)
    count4 = value[ip4_rows]
    ok4 &= (count4 >= 1) & (address + count4 <= 1 << 32)
    good[ip4_rows] &= ok4
    block, block_start, block_length = _blocks(address[ok4], count4[ok4])
    block_record = ip4_rows[ok4][block]
    # IPv6: the value is the prefix length
    prefixes6, ok6 = prefix_columns(fields[3].take(pa.array(ip6_rows)), value[ip6_rows])
    good[ip6_rows] &= ok6
    ip_record = np.concatenate((block_record, ip6_rows[ok6]))
    prefixes = concat(
        PrefixArray,
        [
            PrefixArray(
                np.full(len(block), 4, np.uint8),
                block_start << np.uint64(32),
                np.zeros(len(block), np.uint64),
                block_length.astype(np.uint8),
            ),
            prefixes6.take(np.flatnonzero(ok6)),
        ],
    )
    # every line not read here, in order, by the line reader
    reader = LineReader(str(path))
    fast = np.zeros(len(lines), np.bool_)
    fast[rows[good]] = True
    ip_keys: list[int] = []
    asn_keys: list[int] = []
    try:
        for i in np.flatnonzero(~fast).tolist():
            before = len(reader.items)
            reader.add(i + 1, _line(lines.decoded(i, i + 1)))
            for item in reader.items[before:]:
                (ip_keys if isinstance(item, IpDelegation) else asn_keys).append(i)
    except InputError:
        return None  # the line reader says why, with the right line
    if reader.header is None or (good.any() and rows[good][0] < reader.header_line - 1):
        return None  # no header, or records before it: the line reader refuses the file
    status, opaque, cc = (string_column(fields[k]) for k in (6, 7, 1))
    registry = string_column(fields[0])
    ip = IpDelegationTable(
        registry.take(ip_record),
        prefixes,
        status.take(ip_record),
        opaque.take(ip_record),
        cc.take(ip_record),
    )
    asn_take = asn_rows[good[asn_rows]]
    asn = AsnDelegationTable(
        registry.take(asn_take),
        first[asn_take].astype(np.int64),
        value[asn_take].astype(np.int64),
        status.take(asn_take),
        opaque.take(asn_take),
        cc.take(asn_take),
    )
    slow_ip = [d for d in reader.items if isinstance(d, IpDelegation)]
    slow_asn = [d for d in reader.items if isinstance(d, AsnDelegation)]
    ip = in_order(
        IpDelegationTable,
        [ip, IpDelegationTable.of(slow_ip)],
        [rows[ip_record], np.array(ip_keys, np.int64)],
    )
    asn = in_order(
        AsnDelegationTable,
        [asn, AsnDelegationTable.of(slow_asn)],
        [rows[asn_take], np.array(asn_keys, np.int64)],
    )
    names, counts = np.unique(kind[good], return_counts=True)
    more = Counter({str(k): int(v) for k, v in zip(names.tolist(), counts.tolist(), strict=True)})
    try:
        provenance = reader.finish(path, len(ip) + len(asn), more)
    except InputError:
        return None
    return RirData(ip, asn, tuple(reader.problems), provenance)


def _blocks(start: U64, count: U64) -> tuple[I64, U64, U64]:
    """The CIDR blocks that cover ``count`` addresses from ``start`` (each at most
    2**32), as ``ipaddress.summarize_address_range`` gives them: for each block its row,
    start and prefix length; a row's blocks in ascending order, after those of earlier
    rounds (sort by row, stably, for the order of the file)."""
    rows, starts, lengths = [], [], []
    at, left = start.copy(), count.copy()
    active = np.flatnonzero(left > 0)
    while len(active):
        a, n = at[active], left[active]
        aligned = np.where(a == 0, np.uint64(1 << 32), a & (~a + np.uint64(1)))
        fits = np.left_shift(
            np.uint64(1), (np.frexp(n.astype(np.float64))[1] - 1).astype(np.uint64)
        )
        size = np.minimum(aligned, fits)
        rows.append(active)
        starts.append(a)
        lengths.append(np.uint64(32) - (np.frexp(size.astype(np.float64))[1] - 1).astype(np.uint64))
        at[active] = a + size
        left[active] = n - size
        active = active[left[active] > 0]
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.uint64), np.zeros(0, np.uint64)
    return np.concatenate(rows), np.concatenate(starts), np.concatenate(lengths)


def _line(decoded: list[str]) -> str:
    return decoded[0].rstrip("\r\n") if decoded else ""


def _fields(records: Any) -> list[Any]:
    """The first eight fields of each record line (the eighth, the opaque id, "" when
    there is none), line ends dropped."""
    trimmed = pc.utf8_rtrim(records, "\r\n")
    parts = pc.split_pattern(trimmed, "|")
    flat = parts.flatten()
    offsets = parts.offsets.to_numpy()
    sizes = np.diff(offsets)
    out = [flat.take(pa.array(offsets[:-1] + k)) for k in range(7)]
    has_id = sizes > 7
    at = np.where(has_id, offsets[:-1] + 7, 0)
    out.append(pc.if_else(pa.array(has_id), flat.take(pa.array(at)), ""))
    return out


def _number(text: Any) -> U64:
    out: U64 = pc.cast(text, pa.uint64()).to_numpy(zero_copy_only=False)
    return out


def read_delegation_tables(path: str | Path) -> RirData:
    """:func:`read_delegations` into tables: plain record lines in bulk
    (:func:`read_rir_bulk`), every other line as before."""
    data = read_bytes(path)
    found = read_rir_bulk(path, data) if data is not None else None
    if found is not None:
        return found
    result = read_delegations(path)
    ips = [d for d in result.items if isinstance(d, IpDelegation)]
    asns = [d for d in result.items if isinstance(d, AsnDelegation)]
    return RirData(
        IpDelegationTable.of(ips), AsnDelegationTable.of(asns), result.problems, result.provenance
    )
