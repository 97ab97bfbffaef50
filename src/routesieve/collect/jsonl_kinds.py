"""Which lines of a block of JSON lines the columnar reader may hand to Arrow.

Per line: blank or a comment (skipped), a plain object Arrow reads as the line reader
would, or anything else (for the line reader of :mod:`routesieve.collect.jsonl_lines`):
a control character other than tab, a backslash escape, bytes that are not UTF-8, JSON
nested deeper than ``MAX_BRACKETS``, a second value on the line (Arrow would read both),
a path given as a list (not Arrow's string type), an ``Inf`` (Arrow reads it,
``json.loads`` does not). Found with numpy over the block's bytes, a line at a time only
where a byte says it may be so.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

MAX_BRACKETS = 32  # per line: deeper JSON is left to the line reader (and its limits)
_TWO_VALUES = re.compile(rb"\}[ \t]*\{")
_LIST_PATH = re.compile(rb'"as_path"[ \t]*:[ \t]*\[')
_INF = re.compile(rb"Inf")
NEWLINE, _HASH, _OPEN, _SQUARE, _BACKSLASH, _TAB = 10, 35, 123, 91, 92, 9
SKIP, ROUTES, OTHER = 0, 1, 2  # a line: blank or comment, a plain object, anything else
U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]


def line_kinds(block: bytes, buf: U8, starts: I64, ends: I64) -> npt.NDArray[np.int8]:
    """Per line: blank or a comment (skipped), a plain object Arrow can read, or other."""
    sizes = ends - starts
    lead = np.where(sizes > 0, buf[np.minimum(starts, max(len(buf) - 1, 0))], 0)
    kind = np.where(lead == _OPEN, ROUTES, np.where(lead == _HASH, SKIP, OTHER))
    kind[sizes == 0] = SKIP
    # control characters (tab aside), escapes, bad UTF-8, deep nesting, _REFUSED patterns
    other = [_no_lines()]
    controls = int(np.count_nonzero(buf < 32))
    if controls != len(starts) - 1 + int(buf[-1] == NEWLINE) + block.count(b"\t"):
        odd = np.flatnonzero(buf < 32)
        other.append(line_of(starts, odd[(buf[odd] != NEWLINE) & (buf[odd] != _TAB)]))
    if b"\\" in block:
        other.append(line_of(starts, np.flatnonzero(buf == _BACKSLASH)))
    if not block.isascii():  # Arrow does not check UTF-8 in strings; the line reader does
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            other.append(line_of(starts, np.flatnonzero(buf >= 128)))
    if block.count(b"{") == np.count_nonzero(kind == ROUTES) and b"[" not in block:
        braces = squares = np.zeros(len(starts), np.int64)  # one brace a route line: its first
    else:
        braces = np.bincount(line_of(starts, np.flatnonzero(buf == _OPEN)), minlength=len(starts))
        squares = np.bincount(
            line_of(starts, np.flatnonzero(buf == _SQUARE)), minlength=len(starts)
        )
        other.append(np.flatnonzero(braces + squares > MAX_BRACKETS))
    for pattern, lines in (
        (_TWO_VALUES, np.flatnonzero(braces > 1)),
        (_LIST_PATH, np.flatnonzero(squares > 0)),
        (_INF, np.arange(len(starts)) if b"Inf" in block else _no_lines()),
    ):
        found = [
            k
            for k, a, b in zip(
                lines.tolist(), starts[lines].tolist(), ends[lines].tolist(), strict=True
            )
            if pattern.search(block, a, b)
        ]
        other.append(np.array(found, np.int64))
    bad = np.concatenate(other)
    kind[bad[kind[bad] == ROUTES]] = OTHER
    return kind.astype(np.int8)


def _no_lines() -> I64:
    return np.empty(0, np.int64)


def line_of(starts: I64, at: I64) -> I64:
    """The line of each byte offset ``at`` (``starts``: each line's first byte)."""
    found: I64 = np.searchsorted(starts, at, "right") - 1
    return found
