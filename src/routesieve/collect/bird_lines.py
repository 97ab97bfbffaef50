"""The data lines of BIRD's replies, as bytes and in bulk: where they end in a chunk read
from the control socket (:func:`data_lines`, :func:`longest_over`), their text without the
reply codes (:func:`without_codes`), and a piece of them as Arrow strings over its bytes
(:class:`Lines`) for :mod:`routesieve.collect.bird_columns` and
:mod:`routesieve.collect.bird_communities`. A data line is ``DDDD-text`` or a continuation
`` text``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.collect.text_columns import POOL

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]

_NEWLINE, _SPACE, _DASH, _ZERO, _NINE = (ord(c) for c in "\n -09")
#: zero bytes after a piece's text: more than the longest head looked at
PAD = 32
PADDING = bytes(PAD)
#: a line's start in :attr:`Lines.array`: the newline before it and its code
CODE = r"^\n(?:[0-9]{4}-| )"


def longest_over(data: bytes, limit: int) -> bool:
    """Has ``data`` (whole lines) a line of more than ``limit`` bytes? A few finds, one
    step of ``limit`` bytes at a time."""
    pos = 0
    while len(data) - pos > limit:
        nl = data.rfind(b"\n", pos, pos + limit + 1)
        if nl < 0:
            return True
        pos = nl + 1
    return False


def _line_starts(chars: npt.NDArray[np.uint8], pos: int) -> tuple[I64, I64]:
    """Where each line of ``chars`` (whole lines) from ``pos`` on starts, and its length."""
    ends = np.flatnonzero(chars[pos:] == _NEWLINE) + pos
    starts = np.empty(len(ends), np.int64)
    starts[:1] = pos
    starts[1:] = ends[:-1] + 1
    return starts, ends - starts


def data_lines(data: bytes, pos: int) -> tuple[int, int]:
    """Where the first line at or after ``pos`` of ``data`` (whole lines) that is not a
    data line starts (the last line of a reply, a notice, or not BIRD's protocol;
    ``len(data)`` if none), and how many data lines are before it. A step of numpy over
    the bytes, not of Python per line."""
    chars = np.frombuffer(data, np.uint8)
    starts, size = _line_starts(chars, pos)
    last = len(chars) - 1
    blank = (chars[np.minimum(starts, last)] == _SPACE) & (size >= 1)
    coded = (size >= 5) & (chars[np.minimum(starts + 4, last)] == _DASH)
    for k in range(4):
        digit = chars[np.minimum(starts + k, last)]
        coded &= (digit >= _ZERO) & (digit <= _NINE)
    bad = np.flatnonzero(~(blank | coded))
    n = int(bad[0]) if len(bad) else len(starts)
    return (int(starts[n]) if n < len(starts) else len(data)), n


def without_codes(block: bytes) -> str:
    """The text of data lines as :meth:`BirdClient.blocks` gives them: each line without
    its leading space, or without its code and dash."""
    chars = np.frombuffer(block, np.uint8)
    starts, _ = _line_starts(chars, 0)
    keep = np.ones(len(chars), np.bool_)
    blank = chars[starts] == _SPACE
    keep[starts[blank]] = False
    cut = starts[~blank]
    for k in range(5):
        keep[cut + k] = False
    return chars[keep].tobytes().decode("utf-8", "replace")


@dataclass(frozen=True)
class Lines:
    """The data lines of a block: ``data`` its bytes after a newline (and before
    ``PAD`` zero bytes, so that a line's first bytes can be looked at without a bounds
    check); where the text of each line starts (after its code) and ends (its newline);
    the length of each line's code; and the lines as Arrow strings over ``data``, each
    with the newline before it and its code (no copy)."""

    data: U8
    first: I64
    ends: I64
    code: I64
    array: pa.Array

    @staticmethod
    def of(block: bytes | memoryview) -> Lines:
        data = np.frombuffer(b"".join((b"\n", block, PADDING)), np.uint8)
        breaks = np.flatnonzero(data == _NEWLINE).astype(np.int64)
        code = np.where(data[breaks[:-1] + 1] == _SPACE, 1, 5)
        array = pa.LargeStringArray.from_buffers(
            len(breaks) - 1, pa.py_buffer(breaks), pa.py_buffer(data)
        )
        return Lines(data, breaks[:-1] + 1 + code, breaks[1:], code, array)

    def __len__(self) -> int:
        return len(self.first)

    def where(self, rows: Bools, pattern: str) -> Bools:
        """Per line: is it one of ``rows`` and does its text match ``pattern``?"""
        out = np.zeros(len(self), np.bool_)
        picked = np.flatnonzero(rows)
        if len(picked):
            out[picked] = mask(self.array.take(pa.array(picked)), CODE + pattern)
        return out

    def texts(self, rows: I64, skip: int = 0) -> pa.Array:
        """The text of the lines at ``rows`` from ``skip`` (ASCII) bytes on, a copy."""
        code = self.code[rows]
        if len(rows) and (code == code[0]).all():  # (a reply's lines of a kind: one code)
            taken = self.array.take(pa.array(rows))
            return pc.utf8_slice_codeunits(taken, 1 + int(code[0]) + skip, memory_pool=POOL)
        return cut(self.data, self.first[rows] + skip, self.ends[rows])


def cut(data: U8, starts: I64, ends: I64) -> pa.Array:
    """``data[starts[i]:ends[i]]`` for each ``i`` (in order, ASCII boundaries) as one Arrow
    string array: the bytes are gathered in one step."""
    lengths = ends - starts
    offsets = np.zeros(len(starts) + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    where = np.repeat((starts - offsets[:-1]).astype(np.int32), lengths.astype(np.int32))
    where += np.arange(offsets[-1], dtype=np.int32)  # (a piece is some megabytes)
    return pa.LargeStringArray.from_buffers(
        len(starts), pa.py_buffer(offsets), pa.py_buffer(data[where])
    )


def mask(lines: pa.Array, pattern: str) -> Bools:
    found: Bools = pc.match_substring_regex(lines, pattern, memory_pool=POOL).to_numpy(
        zero_copy_only=False
    )
    return found
