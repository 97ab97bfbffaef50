"""Route lines in a fixed layout, read by byte positions instead of by a JSON parser.

Most JSON-lines route files are written by one program, key for key in one order::

    {"peer_asn": 65001, "prefix": "2a0e:1000::/32", "as_path": "65001 65002", "session": "a"}

(``json.dumps``' separators or the compact ones, ``session`` optional). A line that is
exactly such a layout, whose texts hold no backslash, no control character and only
valid UTF-8, and whose peer AS is a plain decimal number in range, means what its bytes
between the quotes say: no JSON parser is needed. Each line's quotes are found with
numpy, the layout's literal bytes are checked at their places, and the texts are cut
out of the block as Arrow strings (one ``take``). Every other line is left to the
columnar reader's Arrow path (:mod:`routesieve.collect.jsonl`). Arrow allocates from the
system allocator here too (``text_columns.POOL``: mimalloc kept 10 MB more after reading).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.collect.jsonl_kinds import NEWLINE, line_of
from routesieve.collect.text_columns import POOL
from routesieve.model import MAX_ASN

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_NUM, _TEXT = 0, 1  # a field of a layout: the peer AS's digits, a text between quotes
_FIELDS = ("peer_asn", "prefix", "as_path", "session")


def _layouts() -> list[tuple[bytes | int, ...]]:
    out: list[tuple[bytes | int, ...]] = []
    for comma, colon in ((", ", ": "), (",", ":")):
        pieces: list[bytes | int] = [f'{{"peer_asn"{colon}'.encode(), _NUM]
        for key in _FIELDS[1:]:
            close = "" if key == "prefix" else '"'  # after the peer's number: no quote
            pieces += [f'{close}{comma}"{key}"{colon}"'.encode(), _TEXT]
            # a layout ends after as_path (no session) or after session
            if key != "prefix":
                out.append((*pieces, b'"}'))
    return out


LAYOUTS = _layouts()
_DIGITS = 10  # MAX_ASN has ten


def layout_rows(block: bytes, buf: U8, starts: I64, ends: I64) -> tuple[Bools, pa.Table | None]:
    """Which lines (``starts[k]:ends[k]`` of ``block``, without their newline) are in a
    layout, and their columns (``peer_asn``, ``prefix``, ``as_path``, ``session``; a
    missing session null), the lines in order; None when no line is."""
    n = len(starts)
    found = np.zeros(n, np.bool_)
    if n == 0 or len(block) < 8 or len(block) >= 1 << 31:  # 32-bit Arrow string offsets
        return found, None
    spans = np.zeros((n, 4, 2), np.int64)
    has_session = np.zeros(n, np.bool_)
    quotes = np.flatnonzero(buf == 34)
    first = np.searchsorted(quotes, starts)  # each line's first quote, in ``quotes``
    count = np.searchsorted(quotes, ends) - first
    clean = ~_dirty(block, buf, starts, n)
    # the eight bytes from each offset of the block, as one number
    words = np.ndarray((len(block) - 7,), np.uint64, buffer=block, strides=(1,))
    for layout in LAYOUTS:
        want = sum(p.count(b'"') for p in layout if isinstance(p, bytes))
        rows = np.flatnonzero((count == want) & clean & ~found)
        if not len(rows):
            continue
        ok, got = _match(words, layout, quotes, first[rows], starts[rows], ends[rows])
        if len(rows) == n and ok.all() and got.shape[1] == 4:  # the usual block: one layout
            found[:] = has_session[:] = True
            spans = got
            break
        rows, got = rows[ok], got[ok]
        found[rows] = True
        spans[rows, : got.shape[1]] = got
        if got.shape[1] == 4:
            has_session[rows] = True
        else:  # no session: an empty span at the line's start (it stands for a null)
            spans[rows, 3] = starts[rows, None]
    rows = np.flatnonzero(found)
    if not len(rows):
        return found, None
    if len(rows) < n:
        spans, has_session = spans[rows], has_session[rows]
    data = pa.py_buffer(block)
    peer, good = _numbers(_texts(data, spans[:, 0]))
    if not good.all():
        found[rows[~good]] = False
        rows, peer = rows[good], pc.filter(peer, pa.array(good), memory_pool=POOL)
        spans, has_session = spans[good], has_session[good]
        if not len(rows):
            return found, None
    session = _texts(data, spans[:, 3])
    if not has_session.all():
        session = pc.if_else(
            pa.array(has_session), session, pa.scalar(None, pa.string()), memory_pool=POOL
        )
    table = pa.table(
        {
            "peer_asn": peer,
            "prefix": _texts(data, spans[:, 1]),
            "as_path": _texts(data, spans[:, 2]),
            "session": session,
        }
    )
    return found, table


def _dirty(block: bytes, buf: U8, starts: I64, n: int) -> Bools:
    """Lines with a control character, a backslash, or (in a block that is not valid
    UTF-8) a byte above 127."""
    dirty = np.zeros(n, np.bool_)
    control = buf < 32
    odd = _none()
    if np.count_nonzero(control) != n - 1 + int(buf[-1] == NEWLINE):  # not only newlines
        odd = np.flatnonzero(control)
        odd = odd[buf[odd] != NEWLINE]
    if b"\\" in block:
        odd = np.concatenate([odd, np.flatnonzero(buf == 92)])
    if not block.isascii():
        try:
            block.decode("utf-8")
        except UnicodeDecodeError:
            odd = np.concatenate([odd, np.flatnonzero(buf >= 128)])
    dirty[line_of(starts, odd)] = True
    return dirty


def _none() -> I64:
    return np.empty(0, np.int64)


def _same(words: npt.NDArray[np.uint64], at: I64, literal: bytes) -> Bools:
    """Whether ``literal`` stands at each offset ``at``, compared eight bytes at a time
    (the last eight overlapping); a literal shorter than eight bytes is compared as the
    end of the eight bytes that end with it."""
    size = len(literal)
    last = len(words) - 1
    if size < 8:  # a line is longer than eight bytes: the bytes before it are the line's
        return _same_tail(words, at + size, literal)
    ok = np.ones(len(at), np.bool_)
    for off in (*range(0, size - 7, 8), size - 8):
        expect = np.frombuffer(literal[off : off + 8], "<u8")[0]
        ok &= words[np.minimum(at + off, last)] == expect
    return ok


def _same_tail(words: npt.NDArray[np.uint64], stop: I64, literal: bytes) -> Bools:
    """Whether the bytes before each offset ``stop`` end with ``literal`` (shorter than
    eight bytes)."""
    shift = np.uint64(8 * (8 - len(literal)))
    expect = np.uint64(int.from_bytes(literal, "little")) << shift
    got = words[np.clip(stop - 8, 0, len(words) - 1)] >> shift << shift
    ok: Bools = (got == expect) & (stop >= 8)
    return ok


def _match(
    words: npt.NDArray[np.uint64],
    layout: tuple[bytes | int, ...],
    quotes: I64,
    first: I64,
    starts: I64,
    ends: I64,
) -> tuple[Bools, I64]:
    """Whether each line is ``layout``, given the quotes of the block and each line's
    first among them; the span of each field."""
    ok = np.ones(len(starts), np.bool_)
    at = starts.copy()
    spans: list[I64] = []
    used = 0  # quotes of the layout's literals so far
    for k, piece in enumerate(layout):
        if isinstance(piece, bytes):
            ok &= _same(words, at, piece)
            at = at + len(piece)
            used += piece.count(b'"')
            continue
        after = layout[k + 1]
        assert isinstance(after, bytes)
        end = quotes[first + used] - after.index(b'"')  # the field ends where the next key starts
        ok &= end >= at
        spans.append(np.stack([at, np.maximum(end, at)], axis=1))
        at = np.maximum(end, at)
    ok &= at == ends
    return ok, np.stack(spans, axis=1)


def _numbers(texts: pa.Array) -> tuple[pa.Array, Bools]:
    """Plain decimal numbers (no sign, no leading zero) up to ``MAX_ASN`` as int64 (0 where
    a text is not one), and which texts are."""
    size = pc.utf8_length(texts, memory_pool=POOL).to_numpy()
    decimal = pc.ascii_is_decimal(texts, memory_pool=POOL)
    good = decimal.to_numpy(zero_copy_only=False) & (size <= _DIGITS)
    zero = pc.starts_with(texts, "0", memory_pool=POOL)
    good &= (size == 1) | ~zero.to_numpy(zero_copy_only=False)
    if not good.all():
        texts = pc.if_else(pa.array(good), texts, "0", memory_pool=POOL)
    value = pc.cast(texts, pa.int64(), memory_pool=POOL)
    good &= value.to_numpy() <= MAX_ASN
    return value, good


def _texts(data: pa.Buffer, spans: I64) -> pa.Array:
    """The texts ``data[a:b]`` of the spans (in order, not overlapping) as one array: the
    spans and the gaps between them are one string array over ``data``; every other is
    taken."""
    offsets = spans.reshape(-1).astype(np.int32)
    every = pa.Array.from_buffers(
        pa.string(), len(offsets) - 1, [None, pa.py_buffer(offsets), data]
    )
    return pc.take(every, pa.array(np.arange(0, len(offsets) - 1, 2)), memory_pool=POOL)
