"""Received routes as JSON lines, read into columns (:class:`ReceivedRoutes`).

One object a line::

    {"peer_asn": 65001, "prefix": "2a0e:1000::/32", "as_path": "65001 65002 {65003 65004}",
     "session": "locix-1"}

What a line means, and what becomes of a bad one, is defined by the line reader of
:mod:`routesieve.collect.jsonl_lines`; this reader gives exactly its result, faster. The
file is read in blocks of some megabytes; Arrow's JSON reader turns a block into columns
with a fixed schema, and each distinct prefix text and path text is parsed once
(:mod:`routesieve.collect.text_columns`). Whatever this path does not handle itself
(a line that is not a plain object, a value of another type, a backslash escape, a
control character, a peer AS out of range) makes it hand that piece of the block, down
to a few hundred lines, to the line reader; a carriage return anywhere, or a compressed
file that turns out damaged, hands it the whole file. Memory is the columns plus one
block.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from routesieve.collect.jsonl_kinds import NEWLINE, OTHER, ROUTES, line_kinds
from routesieve.collect.jsonl_layout import layout_rows
from routesieve.collect.jsonl_lines import KIND, LineReader, read_routes_lines
from routesieve.collect.text_columns import POOL, parse_paths, parse_prefixes
from routesieve.columnar.arrays import PrefixArray
from routesieve.columnar.coded import Coded, CodedText
from routesieve.columnar.heap import give_back_free_memory
from routesieve.columnar.paths import PathTable, used_paths
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.model import MAX_ASN, AsPath, Route
from routesieve.numbers import shown
from routesieve.problems import Accounting, Problem, ReadResult, skipped_reasons
from routesieve.snapshot import Provenance
from routesieve.textio import DamagedFile, open_binary

__all__ = ["KIND", "read_routes_jsonl", "read_routes_lines"]

BLOCK = 4 << 20  # bytes read at a time
SMALL = 256  # lines: a piece this small that the fast path refuses goes to the line reader
_SCHEMA = pa.schema(
    [
        ("peer_asn", pa.int64()),
        ("prefix", pa.string()),
        ("as_path", pa.string()),
        ("session", pa.string()),
        ("problem", pa.string()),
        ("communities", pa.list_(pa.string())),
    ]
)
_READ = pj.ReadOptions(use_threads=True)
_PARSE = pj.ParseOptions(
    explicit_schema=_SCHEMA, unexpected_field_behavior="ignore", newlines_in_values=False
)
_LAID = 3  # a line's kind beside jsonl_kinds': in a fixed layout (jsonl_layout)
_NO_PATH, _EMPTY = "no AS path", "empty AS path"
U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]


class _WholeFile(Exception):
    """The fast path cannot keep the line numbers or the bytes the line reader sees."""


def read_routes_jsonl(path: str | Path) -> ReadResult[Route]:
    """Read every route of a JSON-lines file; junk lines become problems with line numbers.

    Every line that is not blank or a comment is accounted for: a route (perhaps
    malformed) or a skipped line with its reason. A compressed file damaged part way
    keeps the routes before the damage and says where it broke off.
    """
    reader = _ColumnReader(str(path))
    try:
        reader.read_file(path)
    except _WholeFile:
        return read_routes_lines(path)
    result = reader.result()
    give_back_free_memory()  # the blocks' temporaries
    return result


class _ColumnReader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.parts: list[ReceivedRoutes] = []
        self.problems: list[Problem] = []
        self.skipped: dict[str, int] = {}
        self.read = 0
        self.malformed = 0
        self.lines = 0  # lines of the file taken so far

    def read_file(self, path: str | Path) -> None:
        try:
            with open_binary(path) as fh:
                carry = b""
                while chunk := fh.read(BLOCK):
                    data = carry + chunk
                    cut = data.rfind(b"\n") + 1
                    carry = data[cut:]
                    if cut:
                        self._block(data[:cut])
                if carry:
                    self._block(carry)
        except (DamagedFile, OSError, EOFError):
            raise _WholeFile from None

    def result(self) -> ReadResult[Route]:
        routes = ReceivedRoutes.concat(self.parts, release=True)
        provenance = Provenance(KIND, self.name, None, len(routes))
        accounting = Accounting(
            self.name,
            "lines",
            self.read,
            len(routes),
            self.malformed,
            skipped_reasons(self.skipped),
        )
        # ReadResult.items is typed as a tuple; ReceivedRoutes stands in for one (length,
        # indexing, iteration, equality): the columns are what make reading fast
        items = cast(tuple[Route, ...], routes)
        return ReadResult(items, tuple(self.problems), provenance, accounting)

    def _block(self, block: bytes) -> None:
        if b"\r" in block:  # the line reader splits lines there too: numbers would differ
            raise _WholeFile
        buf = np.frombuffer(block, np.uint8)
        ends = np.flatnonzero(buf == NEWLINE)
        if not len(ends) or ends[-1] != len(buf) - 1:
            ends = np.append(ends, len(buf))
        ends = ends.astype(np.int64)
        starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
        laid, table = layout_rows(block, buf, starts, ends)
        if laid.all():
            kind = np.full(len(starts), _LAID, np.int8)
        else:
            kind = line_kinds(block, buf, starts, ends)
            kind[laid] = _LAID
        edges = [0, *(np.flatnonzero(np.diff(kind)) + 1).tolist(), len(kind)]
        rank: I64 = np.cumsum(laid) - laid  # each laid-out line's row in ``table``
        for a, b in itertools.pairwise(edges):
            if kind[a] == _LAID:
                assert table is not None
                self._laid(table.slice(int(rank[a]), b - a), block, starts[a:b], ends[a:b], a)
            elif kind[a] == ROUTES:
                self._piece(block, starts[a:b], ends[a:b], self.lines + a)
            elif kind[a] == OTHER:
                self._by_line(block, starts[a:b], ends[a:b], self.lines + a)
        self.lines += len(starts)

    def _piece(self, block: bytes, starts: I64, ends: I64, first: int) -> None:
        """Lines ``starts[k]:ends[k]`` of ``block``, the first being line ``first + 1``,
        each a plain object: one Arrow read, halved until it works or the piece is small."""
        part = self._fast(block, starts, ends)
        if part is not None:
            self.parts.append(part)
        elif len(starts) > SMALL:
            half = len(starts) // 2
            self._piece(block, starts[:half], ends[:half], first)
            self._piece(block, starts[half:], ends[half:], first + half)
        else:
            self._by_line(block, starts, ends, first)

    def _laid(self, table: pa.Table, block: bytes, starts: I64, ends: I64, first: int) -> None:
        """Lines in a fixed layout (:mod:`routesieve.collect.jsonl_layout`), read as columns;
        through Arrow's JSON reader if a check of ``_columns`` refuses them."""
        n = table.num_rows
        table = table.append_column("problem", pa.nulls(n, pa.string())).append_column(
            "communities", pa.nulls(n, pa.list_(pa.string()))
        )
        routes = self._columns(table, Coded(np.zeros(n, np.uint32), ((),)))
        if routes is None:
            self._piece(block, starts, ends, self.lines + first)
            return
        self.parts.append(routes)
        self.read += n
        self.malformed += len(routes.problem_rows)

    def _by_line(self, block: bytes, starts: I64, ends: I64, first: int) -> None:
        reader = LineReader(self.name)
        for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            reader.line(first + k + 1, block[a:b].decode("utf-8", "replace"))
        self.parts.append(ReceivedRoutes.of(reader.routes))
        self.problems.extend(reader.problems)
        for why, n in reader.skipped.items():
            self.skipped[why] = self.skipped.get(why, 0) + n
        self.read += reader.read
        self.malformed += reader.malformed

    def _fast(self, block: bytes, starts: I64, ends: I64) -> ReceivedRoutes | None:
        """The routes of these lines, or None when Arrow or a check below refuses them."""
        n = len(starts)
        body = block[int(starts[0]) : int(ends[-1])]
        try:
            table = pj.read_json(pa.BufferReader(body), _READ, _PARSE, memory_pool=POOL)
        except (pa.ArrowException, ValueError):
            return None
        if table.num_rows != n:
            return None
        comms = _communities(table.column("communities"), block, starts, ends)
        routes = None if comms is None else self._columns(table, comms)
        if routes is not None:
            self.read += n
            self.malformed += len(routes.problem_rows)
        return routes

    def _columns(self, table: pa.Table, comms: Coded[tuple[str, ...]]) -> ReceivedRoutes | None:
        n = table.num_rows
        peer_col = table.column("peer_asn")
        if peer_col.null_count:
            return None
        peer = peer_col.to_numpy()
        if int(peer.min()) < 0 or int(peer.max()) > MAX_ASN:
            return None

        sessions, session_codes = _distinct(table.column("session"))
        prefix_texts, prefix_codes = _distinct(table.column("prefix"))
        path_texts, path_codes = _distinct(table.column("as_path"))

        # each distinct prefix text parsed once; a null text is "no prefix"
        has_text = prefix_texts.is_valid().to_numpy(zero_copy_only=False)
        ok, prefixes = parse_prefixes(pc.drop_null(prefix_texts, memory_pool=POOL))
        good = np.zeros(len(prefix_texts), np.bool_)
        good[has_text] = ok
        has_prefix = good[prefix_codes]
        if len(prefixes):
            row = (np.cumsum(has_text) - 1)[prefix_codes]
            cols = _blank(prefixes.take(np.where(has_prefix, row, 0)), ~has_prefix)
        else:
            cols = _no_prefixes(n)
        null_prefix = int(np.flatnonzero(~has_text)[0]) if not has_text.all() else -1
        raw_values = _raw_texts(prefix_codes, prefix_texts)

        # each distinct path text parsed once; a null text is "no AS path"
        path_given = pc.drop_null(path_texts, memory_pool=POOL)
        paths, path_row, path_errors = parse_paths(path_given)
        path_has = path_texts.is_valid().to_numpy(zero_copy_only=False)
        all_paths = PathTable.concat([paths, PathTable.of([AsPath(())])])
        row_of_text = np.full(len(path_texts), len(paths), np.int64)
        row_of_text[path_has] = path_row
        ids, distinct = all_paths.unique()
        pid = ids[row_of_text[path_codes]]
        pid, distinct = used_paths(pid, distinct)  # the empty path may stand unused

        problems = self._problems(
            table,
            prefix_codes,
            has_prefix,
            null_prefix,
            raw_values,
            path_codes,
            path_has,
            path_row,
            path_errors,
            paths.sizes(),
        )
        return ReceivedRoutes(
            peer.astype(np.uint32),
            cols,
            has_prefix,
            pid,
            distinct,
            Coded(session_codes, tuple(sessions.to_pylist())),
            raw_values,
            comms,
            np.array([r for r, _ in problems], np.int64),
            tuple(t for _, t in problems),
        )

    @staticmethod
    def _problems(
        table: pa.Table,
        prefix_codes: npt.NDArray[np.uint32],
        has_prefix: npt.NDArray[np.bool_],
        null_prefix: int,
        raw_values: CodedText,
        path_codes: npt.NDArray[np.uint32],
        path_has: npt.NDArray[np.bool_],
        path_row: I64,
        path_errors: dict[int, str],
        path_sizes: I64,
    ) -> list[tuple[int, str]]:
        """The problem of each route that has one, as the line reader words it."""
        # per distinct path text: what is wrong with it, if anything
        given = np.flatnonzero(path_has)
        bad = np.ones(len(path_has), np.bool_)
        bad[given] = path_sizes[path_row] == 0
        text_issue: dict[int, str] = {}
        for j in np.flatnonzero(bad).tolist():
            text_issue[j] = _NO_PATH if not path_has[j] else _EMPTY
        for k, error in path_errors.items():
            text_issue[int(given[k])] = f"unparseable AS path: {error}"
        bad_path = bad
        recorded_col = table.column("problem")
        recorded_rows = np.flatnonzero(
            pc.greater(pc.utf8_length(recorded_col), pa.scalar(0, pa.int32()))  # typed: no dateutil
            .fill_null(False)
            .to_numpy(zero_copy_only=False)
        )
        flagged = ~has_prefix | bad_path[path_codes]
        flagged[recorded_rows] = True
        rows = np.flatnonzero(flagged)
        if not len(rows):
            return []
        recorded = recorded_col.take(pa.array(rows)).to_pylist()
        out: list[tuple[int, str]] = []
        for i, given_problem in zip(rows.tolist(), recorded, strict=True):
            issues: list[str] = []
            code = int(prefix_codes[i])
            if code == null_prefix:
                issues.append("no prefix")
            elif not has_prefix[i]:
                issues.append(f"unparseable prefix {shown(raw_values.text(code), 80)}")
            path_issue = text_issue.get(int(path_codes[i]))
            if path_issue is not None:
                issues.append(path_issue)
            if given_problem and given_problem not in issues:
                issues.insert(0, given_problem)
            if issues:
                out.append((i, "; ".join(issues)))
        return out


def _communities(
    column: pa.ChunkedArray, block: bytes, starts: I64, ends: I64
) -> Coded[tuple[str, ...]] | None:
    """The communities of each row: none where the key is missing (null), None when a null
    may be a JSON null (its line names the key: the line reader tells the two apart)."""
    n = len(column)
    if column.null_count == n:
        nulls = np.arange(n)
    elif pc.list_flatten(column).null_count:
        return None
    else:
        nulls = np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))
    named = block.find(b'"communities"', int(starts[0]), int(ends[-1])) >= 0
    for a, b in zip(starts[nulls].tolist(), ends[nulls].tolist(), strict=True) if named else ():
        if block.find(b'"communities"', a, b) >= 0:
            return None
    if column.null_count == n:
        return Coded(np.zeros(n, np.uint32), ((),))
    return Coded.of((() if c is None else tuple(c) for c in column.to_pylist()), n)


def _distinct(column: pa.ChunkedArray) -> tuple[pa.Array, npt.NDArray[np.uint32]]:
    """The distinct values of a column (a null among them, if any) and each row's code."""
    encoded = pc.dictionary_encode(
        column, null_encoding="encode", memory_pool=POOL
    ).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.uint32)
    return encoded.dictionary, codes


def _raw_texts(codes: npt.NDArray[np.uint32], texts: pa.Array) -> CodedText:
    """The raw prefix texts (a null as ""), their bytes and offsets as Arrow holds them:
    no Python string per distinct text (the file's texts are valid UTF-8, checked)."""
    filled = pc.cast(texts.fill_null(""), pa.large_string(), memory_pool=POOL)
    _, offset_buffer, data_buffer = filled.buffers()
    offsets = np.frombuffer(offset_buffer, np.int64)[
        filled.offset : filled.offset + len(filled) + 1
    ]
    data = np.frombuffer(data_buffer, np.uint8) if data_buffer else np.empty(0, np.uint8)
    first = int(offsets[0]) if len(offsets) else 0
    return CodedText(
        codes, offsets - first, data[first : int(offsets[-1])] if len(offsets) else data
    )


def _no_prefixes(n: int) -> PrefixArray:
    return PrefixArray(
        np.full(n, 6, np.uint8),
        np.zeros(n, np.uint64),
        np.zeros(n, np.uint64),
        np.zeros(n, np.uint8),
    )


def _blank(cols: PrefixArray, where: npt.NDArray[np.bool_]) -> PrefixArray:
    """``::/0`` in the rows ``where``: what the columns hold for a route without a prefix."""
    if not where.any():
        return cols
    version, hi, lo, length = (
        cols.version.copy(),
        cols.hi.copy(),
        cols.lo.copy(),
        cols.length.copy(),
    )
    version[where], hi[where], lo[where], length[where] = 6, 0, 0, 0
    return PrefixArray(version, hi, lo, length)
