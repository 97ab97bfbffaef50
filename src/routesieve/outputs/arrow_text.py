"""Texts of prefixes, AS paths and numbers as Arrow string arrays, without a Python loop
over rows.

The texts are exactly those of ``str(Prefix)`` (the C library's ``inet_ntop``: lower-case
hex, the longest run of two or more zero groups, the first on a tie, written ``::``) and
``str(AsPath)``; the rare forms the column code does not write (IPv6 with an embedded
IPv4 address, paths with set or confederation segments) are written by those functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar.paths import PathTable
from routesieve.engine.cover import PrefixColumns
from routesieve.model import AsPath, Prefix, SegmentType

I64 = npt.NDArray[np.int64]

_COLON, _DOT, _SLASH = ord(":"), ord("."), ord("/")
_SPACE = pa.scalar(" ", pa.string())  # a typed scalar: no type inference per call


def numbers(values: npt.NDArray[np.integer]) -> pa.Array:
    """Decimal texts of integers."""
    return pc.cast(pa.array(np.asarray(values, np.int64)), pa.string())


def replace_at(texts: pa.Array, positions: I64, values: Sequence[str]) -> pa.Array:
    """``texts`` with the given positions replaced."""
    if not len(positions):
        return texts
    index = np.arange(len(texts), dtype=np.int64)
    index[positions] = len(texts) + np.arange(len(positions), dtype=np.int64)
    return pa.concat_arrays([texts, pa.array(list(values), pa.string())]).take(pa.array(index))


def _table(texts: list[str]) -> npt.NDArray[np.uint32]:
    """The characters of each text (four at most) in one 32-bit word, padded with 0 bytes;
    a word per value makes the look-up one gather."""
    padded = b"".join(t.encode().ljust(4, b"\0") for t in texts)
    return np.frombuffer(padded, np.uint32)


def _look_up(table: npt.NDArray[np.uint32], index: npt.NDArray[Any]) -> npt.NDArray[np.uint8]:
    """The four characters of each index, along a new last axis."""
    found = np.ascontiguousarray(table[index])
    return found.view(np.uint8).reshape(*index.shape, 4)


@cache
def _hex_words() -> npt.NDArray[np.uint32]:
    """``format(w, "x")`` of every 16-bit word as ``_table`` holds it, column-wise."""
    words = np.arange(65536, dtype=np.int64)
    digits = 1 + (words >= 0x10) + (words >= 0x100) + (words >= 0x1000)
    place = np.arange(4)[None, :]  # the k-th character is the nibble 4 * (digits - 1 - k)
    shift = 4 * (digits[:, None] - 1 - place)
    nibble = (words[:, None] >> np.maximum(shift, 0)) & 0xF
    chars = np.frombuffer(b"0123456789abcdef", np.uint8)[nibble] * (shift >= 0)
    return np.ascontiguousarray(chars.astype(np.uint8)).view(np.uint32).reshape(65536)


@cache
def _octets() -> npt.NDArray[np.uint32]:
    return _table([f"{o}." for o in range(256)])


@cache
def _lengths() -> npt.NDArray[np.uint32]:
    return _table([f"/{n}" for n in range(129)])


def _strings(chars: npt.NDArray[np.uint8]) -> pa.Array:
    """One string per row of a character matrix whose 0 bytes are left out."""
    keep = chars != 0
    sizes = keep.sum(axis=1, dtype=np.int64)
    offsets = np.zeros(len(chars) + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    data = chars[keep]
    return pa.LargeStringArray.from_buffers(
        len(chars), pa.py_buffer(offsets), pa.py_buffer(data)
    ).cast(pa.string())


def _v6_chars(
    hi: npt.NDArray[np.uint64], lo: npt.NDArray[np.uint64], length: I64
) -> npt.NDArray[np.uint8]:
    n = len(hi)
    halves = np.empty((n, 2), ">u8")  # big-endian: the eight groups in order
    halves[:, 0], halves[:, 1] = hi, lo
    words = halves.view(">u2").astype(np.int32)
    zero = words == 0
    run = np.zeros((n, 8), np.int8)  # the length of the zero run ending at each group
    run[:, 0] = zero[:, 0]
    for j in range(1, 8):
        run[:, j] = (run[:, j - 1] + 1) * zero[:, j]
    end = run.argmax(axis=1)  # the first longest run
    best = run[np.arange(n), end]
    compress = best >= 2
    base = np.where(compress, end - best + 1, 8)[:, None]
    stop = np.where(compress, end + 1, 8)[:, None]
    group = np.arange(8)[None, :]
    inside = (base <= group) & (group < stop)
    digits = _hex_words()[words]  # four characters a group, in one word
    digits[inside] = 0
    colon = (~inside & (group != 0)) | (inside & (group == base))
    chars = np.empty((n, 45), np.uint8)  # per group ':' and four digits, '::', the length
    groups = chars[:, :40].reshape(n, 8, 5)
    groups[:, :, 0] = colon * np.uint8(_COLON)
    groups[:, :, 1:] = digits.view(np.uint8).reshape(n, 8, 4)
    chars[:, 40] = (compress & (stop[:, 0] == 8)) * np.uint8(_COLON)
    chars[:, 41:] = _look_up(_lengths(), length)
    return chars


def _v4_chars(hi: npt.NDArray[np.uint64], length: I64) -> npt.NDArray[np.uint8]:
    n = len(hi)
    octets = np.stack([(hi >> np.uint64(56 - 8 * j)) & np.uint64(0xFF) for j in range(4)], 1)
    chars = _look_up(_octets(), octets.astype(np.int64)).reshape(n, 16)
    last = chars[:, 12:]
    last[last == _DOT] = 0  # no '.' after the last octet
    return np.concatenate([chars, _look_up(_lengths(), length)], axis=1)


def prefix_texts(cols: PrefixColumns) -> pa.Array:
    """``str(prefix)`` of every row of ``cols``."""
    n = len(cols)
    version = cols.version
    length = cols.length.astype(np.int64)
    v6 = np.flatnonzero(version == 6)
    v4 = np.flatnonzero(version != 6)
    # the longest text: 39 + '/128'; IPv6 only: no copy
    only_v6 = not len(v4)
    chars = _v6_chars(cols.hi, cols.lo, length) if only_v6 else np.zeros((n, 45), np.uint8)
    if len(v6) and not only_v6:
        chars[v6] = _v6_chars(cols.hi[v6], cols.lo[v6], length[v6])
    if len(v4):
        chars[v4, :20] = _v4_chars(cols.hi[v4], length[v4])
    texts = _strings(chars)
    # IPv6 with its top 80 bits zero may be written with an embedded IPv4 address
    odd = np.flatnonzero((version == 6) & (cols.hi == 0) & (cols.lo >> np.uint64(48) == 0))
    return replace_at(texts, odd, [str(_prefix(cols, int(i))) for i in odd.tolist()])


def _prefix(cols: PrefixColumns, i: int) -> Prefix:
    if int(cols.version[i]) == 4:
        return Prefix(4, int(cols.hi[i]) >> 32, int(cols.length[i]))
    return Prefix(6, (int(cols.hi[i]) << 64) | int(cols.lo[i]), int(cols.length[i]))


def path_texts(paths: Sequence[AsPath]) -> pa.Array:
    """``str(path)`` of every path: plain sequences column-wise, the rest one by one."""
    if isinstance(paths, PathTable):
        return _table_path_texts(paths)
    seqs: list[tuple[int, ...]] = []
    other: list[int] = []
    seq_type = SegmentType.AS_SEQUENCE
    for k, p in enumerate(paths):
        segments = p.segments
        if len(segments) == 1 and segments[0].type is seq_type:
            seqs.append(segments[0].asns)
        else:
            seqs.append(())
            if segments:
                other.append(k)
    sizes = np.fromiter(map(len, seqs), np.int64, len(seqs))
    offsets = np.zeros(len(seqs) + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    flat = np.fromiter(chain.from_iterable(seqs), np.int64, int(offsets[-1]))
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), numbers(flat))
    texts = pc.binary_join(lists, _SPACE)
    return replace_at(texts, np.array(other, np.int64), [str(paths[k]) for k in other])


def _table_path_texts(paths: PathTable) -> pa.Array:
    """The same from the flattened paths, building an ``AsPath`` only for the paths that
    are not one plain AS_SEQUENCE (sets, confederations: rare)."""
    segments = np.diff(paths.seg_start)
    if len(paths.seg_type):
        first_type = paths.seg_type[np.minimum(paths.seg_start[:-1], len(paths.seg_type) - 1)]
    else:
        first_type = np.zeros(len(segments), np.uint8)
    plain = (segments == 0) | ((segments == 1) & (first_type == int(SegmentType.AS_SEQUENCE)))
    offsets = paths.asn_start[paths.seg_start]  # every AS of path p lies in one run
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), numbers(paths.asns))
    texts = pc.binary_join(lists, _SPACE)
    other = np.flatnonzero(~plain)
    return replace_at(texts, other, [str(paths[k]) for k in other.tolist()])
