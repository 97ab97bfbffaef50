"""Prefix and AS path texts read in bulk: one Arrow string array in, columns out.

The JSON-lines reader parses each distinct prefix text and each distinct path text once;
a full table holds some 150,000 of the first and 50,000 of the second, too many for one
Python call each. The common forms are read here with Arrow's regular expressions and
numpy (IPv4 in dotted decimal, IPv6 through ``inet_pton`` in one ``map``, paths of plain
AS numbers with ``{...}`` sets); every other text goes through :meth:`Prefix.parse` or
:meth:`AsPath.parse` one at a time, so the result is exactly theirs.
"""

from __future__ import annotations

import socket
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar.arrays import PrefixArray
from routesieve.columnar.paths import PathTable
from routesieve.model import AsPath, ParseError, Prefix, SegmentType

Bools = npt.NDArray[np.bool_]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

_OCTET = r"(?:0|[1-9][0-9]{0,2})"
_V4 = rf"^{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}/[0-9]{{1,3}}$"
_V6 = r"^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*/[0-9]{1,3}$"


def plain_path(asn: str) -> str:
    """A pattern of a path of AS numbers (``asn``) and ``{...}`` sets, one space apart."""
    item = rf"(?:{asn}|\{{{asn}(?: {asn})*\}})"
    return rf"{item}(?: {item})*"


_PATH = rf"^{plain_path('[0-9]{1,9}')}$"
_ONES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
# Arrow's default pool (mimalloc) keeps what each thread freed: the reader's peak RSS was
# some 50 MB higher with it than with the system allocator (bench/bench_read_routes.py)
POOL = pa.system_memory_pool()
_pton6 = partial(socket.inet_pton, socket.AF_INET6)


def _ints(values: Any) -> I64:
    out: I64 = pc.cast(values, pa.int64(), memory_pool=POOL).to_numpy(zero_copy_only=False)
    return out


def _matching(texts: pa.Array, pattern: str) -> I64:
    found: I64 = np.flatnonzero(
        pc.match_substring_regex(texts, pattern).to_numpy(zero_copy_only=False)
    )
    return found


def _address_and_length(texts: pa.Array, rows: I64) -> tuple[pa.Array, I64]:
    """The address texts and the lengths of ``address/length`` texts (one ``/`` each)."""
    halves = pc.split_pattern(
        texts.take(pa.array(rows)), "/", max_splits=1, memory_pool=POOL
    ).flatten()
    return halves.take(pa.array(np.arange(0, len(halves), 2))), _ints(
        halves.take(pa.array(np.arange(1, len(halves), 2)))
    )


def _high_mask(bits: I64) -> U64:
    """A 64-bit mask of the top ``bits`` (0 to 64) bits."""
    shift = np.minimum(64 - bits, 63).astype(np.uint64)
    mask: U64 = np.where(bits > 0, np.left_shift(_ONES, shift), np.uint64(0)).astype(np.uint64)
    return mask


def parse_prefixes(texts: pa.Array) -> tuple[Bools, PrefixArray]:
    """Each text as :meth:`Prefix.parse` reads it: whether it could, and the prefixes
    (``::/0`` where it could not). ``texts`` holds no nulls."""
    n = len(texts)
    ok = np.zeros(n, np.bool_)
    version = np.full(n, 6, np.uint8)
    hi = np.zeros(n, np.uint64)
    lo = np.zeros(n, np.uint64)
    length = np.zeros(n, np.uint8)
    done = np.zeros(n, np.bool_)
    if n == 0:
        return ok, PrefixArray(version, hi, lo, length)

    rows = _matching(texts, _V4)
    if len(rows):
        dotted, bits = _address_and_length(texts, rows)
        octets = _ints(pc.split_pattern(dotted, ".", memory_pool=POOL).flatten()).reshape(-1, 4).T
        good = (bits <= 32) & (octets <= 255).all(axis=0)
        value = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]).astype(
            np.uint64
        ) << np.uint64(32)
        rows, bits, value = rows[good], bits[good], value[good]
        ok[rows] = done[rows] = True
        version[rows] = 4
        hi[rows] = value & _high_mask(bits)
        length[rows] = bits

    rows = _matching(texts, _V6)
    if len(rows):
        texts6, bits = _address_and_length(texts, rows)
        addrs: list[str] = texts6.to_pylist()
        try:
            raw = b"".join(map(_pton6, addrs))
            good = np.ones(len(rows), np.bool_)
        except OSError:  # one bad address: find which, one at a time
            packed: list[bytes] = []
            flags: list[bool] = []
            for addr in addrs:
                try:
                    packed.append(_pton6(addr))
                    flags.append(True)
                except OSError:
                    packed.append(bytes(16))
                    flags.append(False)
            raw, good = b"".join(packed), np.array(flags, np.bool_)
        words = np.frombuffer(raw, ">u8").astype(np.uint64).reshape(-1, 2)
        done[rows] = True  # an address inet_pton refuses, Prefix.parse refuses too
        good &= bits <= 128
        rows, bits, words = rows[good], bits[good], words[good]
        ok[rows] = True
        hi[rows] = words[:, 0] & _high_mask(np.minimum(bits, 64))
        lo[rows] = words[:, 1] & _high_mask(np.maximum(bits - 64, 0))
        length[rows] = bits

    rest = np.flatnonzero(~done)
    if len(rest):
        for i, text in zip(rest.tolist(), texts.take(pa.array(rest)).to_pylist(), strict=True):
            try:
                p = Prefix.parse(text)
            except ParseError:
                continue
            one = PrefixArray.of([p])
            ok[i] = True
            version[i], hi[i], lo[i], length[i] = one.version[0], one.hi[0], one.lo[0], p.length
    return ok, PrefixArray(version, hi, lo, length)


def parse_paths(texts: pa.Array) -> tuple[PathTable, I64, dict[int, str]]:
    """Each text as :meth:`AsPath.parse` reads it: the paths, the row of each text in
    them, and the error of each text it could not read (whose row is an empty path).
    ``texts`` holds no nulls."""
    n = len(texts)
    matched = pc.match_substring_regex(texts, _PATH).to_numpy(zero_copy_only=False)
    fast = np.flatnonzero(matched)
    slow = np.flatnonzero(~matched)
    errors: dict[int, str] = {}
    others: list[AsPath] = []
    for i, text in zip(slow.tolist(), texts.take(pa.array(slow)).to_pylist(), strict=True):
        try:
            others.append(AsPath.parse(text))
        except (ParseError, RecursionError) as exc:
            errors[i] = str(exc)
            others.append(AsPath(()))
    parts = [plain_paths(texts.take(pa.array(fast)))] if len(fast) else []
    table = PathTable.concat([*parts, PathTable.of(others)])
    row_of = np.empty(n, np.int64)
    row_of[fast] = np.arange(len(fast), dtype=np.int64)
    row_of[slow] = np.arange(len(slow), dtype=np.int64) + len(fast)
    return table, row_of, errors


def plain_paths(texts: pa.Array) -> PathTable:
    """Paths that match ``_PATH``: AS numbers and ``{...}`` sets, one space apart."""
    split = pc.split_pattern(texts, " ", memory_pool=POOL)
    token_start = split.offsets.to_numpy(zero_copy_only=False).astype(np.int64)
    tokens = split.flatten()
    opens = pc.starts_with(tokens, "{").to_numpy(zero_copy_only=False)
    closes = pc.ends_with(tokens, "}").to_numpy(zero_copy_only=False)
    asns = _ints(pc.utf8_trim(tokens, "{}"))
    # a segment starts a path, a set, or follows the end of a set
    starts = opens.copy()
    starts[1:] |= closes[:-1]
    starts[token_start[:-1]] = True
    seg_first = np.flatnonzero(starts)
    seg_type = np.where(opens[seg_first], SegmentType.AS_SET, SegmentType.AS_SEQUENCE)
    seg_start = np.searchsorted(seg_first, token_start).astype(np.int64)
    asn_start = np.append(seg_first, len(asns)).astype(np.int64)
    return PathTable(seg_start, seg_type.astype(np.uint8), asn_start, asns)
