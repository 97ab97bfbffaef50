"""rpki-client JSON with its ROAs one per line, read in bulk into a ``VrpTable``
(``read_json_bulk``), and the rest of such a document for the ASPA reader
(``rpki_json_rest``). Lines laid out otherwise, and values a VRP cannot hold, go through
the per-item code of ``rpki_items`` at their place in ``roas``."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar import NO_EXPIRY, VrpTable
from routesieve.columnar.arrays import Bools
from routesieve.model import MAX_ASN, Vrp
from routesieve.numbers import MAX_UNIX_TIME
from routesieve.problems import InputError, Problem, ReadResult
from routesieve.sources._common import (
    load_json,
)
from routesieve.sources.bulk import (
    I64,
    U64,
    Lines,
    digits,
    file_lines,
    in_order,
    joined,
    padded,
    prefix_columns,
    read_bytes,
    string_column,
    texts,
    windows,
)
from routesieve.sources.rpki_items import json_result, roa_entry

#: One ROA on a line of its own, as rpki-client (``expires`` included) and Routinator
#: (``"AS..."``, no ``expires``) write them.
_ROA_LINE = (
    r'^[ \t]*\{[ \t]*"asn":[ \t]*(?:0|[1-9][0-9]{0,9}|"AS[0-9]{1,9}"),'
    r'[ \t]*"prefix":[ \t]*"[0-9A-Fa-f:.]{1,45}/[0-9]{1,3}",'
    r'[ \t]*"maxLength":[ \t]*(?:0|[1-9][0-9]{0,2}),'
    r'[ \t]*"ta":[ \t]*"[A-Za-z0-9._ -]{0,64}"'
    r'(?:,[ \t]*"expires":[ \t]*(?:0|[1-9][0-9]{0,11}))?'
    r"[ \t]*\}[ \t]*,?[ \t]*\r?\n?$"
)
#: A ROA line longer than this is read by the per-item code (it is mostly blanks).
_LONGEST = 240
#: What a ROA line is replaced by before the rest is read as JSON: a value no file can
#: hold as a ``roas`` entry (the fast path is not taken when the file holds its escape).
_MARK = "\x01"
_MARK_JSON = b"\\u0001"


def read_json_bulk(path: str | Path, data: bytes) -> ReadResult[Vrp] | None:
    """rpki-client JSON with its ROAs one per line, read in bulk; None when the file is
    not laid out so (the per-item reader then reads it, and reports what it finds).

    Every line that is one ROA becomes a mark; what is left (the metadata, the ASPAs,
    entries laid out otherwise) is read as JSON by the same code as before. Where the
    marks land in ``roas`` the ROAs of those lines are, in order: if any landed elsewhere
    the whole file goes to the per-item reader. Marked ROAs whose values the engine
    cannot hold (an AS number over 32 bits, host bits, ...) go through :func:`roa_entry`,
    like every unmarked entry, for the same VRP or problem at the same place.
    """
    found = _roa_lines(data)
    if found is None:
        return None
    lines, rows = found
    fields, fits = _roa_fields(lines, rows)
    rows = rows[fits]
    problems: list[Problem] = []
    key = _file_key(path)
    doc = _rest(path, lines, rows, problems)
    del lines
    if doc is None:
        return None
    rest = {k: v for k, v in doc.items() if k != "roas"} if isinstance(doc, dict) else doc
    _LAST_REST[:] = [key, copy.deepcopy(rest)] if key is not None else []
    roas = doc.get("roas") if isinstance(doc, dict) else None
    if not isinstance(roas, list) or roas.count(_MARK) != len(rows):
        return None
    at = np.ones(len(roas), np.bool_)
    others = [i for i, roa in enumerate(roas) if roa != _MARK] if len(roas) > len(rows) else []
    at[others] = False
    places = np.flatnonzero(at)  # the place in ``roas`` of each marked line
    table, good = fields.vrps()
    # every entry not in the table, in the order of the file, by the per-item code
    bad = np.flatnonzero(~good)
    redo = sorted([*others, *places[bad].tolist()])
    bad_rows = dict(zip(places[bad].tolist(), bad.tolist(), strict=True))
    file = str(path)
    items: list[Vrp] = []
    keys: list[int] = []
    for i in redo:
        roa = fields.as_json(bad_rows[i]) if i in bad_rows else roas[i]
        before = len(items)
        roa_entry(file, i, roa, items, problems)
        keys.extend([i] * (len(items) - before))
    vrps = in_order(
        VrpTable,
        [table.take(np.flatnonzero(good)), VrpTable.of(items)],
        [places[good], np.array(keys, np.int64)],
    )
    return json_result(path, doc, vrps, problems)


def rpki_json_rest(path: str | Path) -> Any:
    """The rpki-client JSON document of ``path`` with every ROA on a line of its own
    replaced by a mark, for readers of its other parts (ASPA); None when the file is not
    such a document (then read it whole). The document :func:`read_vrps` read last is
    handed out again, without its ``roas``, while its file is unchanged (the ASPA
    reader reads the same file right after it); a copy, since it is the caller's."""
    key = _file_key(path)
    if key is not None and _LAST_REST and _LAST_REST[0] == key:
        return copy.deepcopy(_LAST_REST[1])
    data = read_bytes(path)
    if data is None or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] != b"{":
        return None
    found = _roa_lines(data)
    return None if found is None else _rest(path, *found, None)


#: ``[file key, document]`` of the last file :func:`read_vrps` read in bulk.
_LAST_REST: list[Any] = []


def _file_key(path: str | Path) -> tuple[str, int, int] | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return str(Path(path).resolve()), st.st_size, st.st_mtime_ns


def _roa_lines(data: bytes) -> tuple[Lines, I64] | None:
    """The lines of ``data`` and which of them are ROAs that fit the bulk path."""
    if _MARK_JSON in data:
        return None
    lines = file_lines(data)
    if lines is None:
        return None
    matched = pc.match_substring_regex(lines.text, _ROA_LINE).to_numpy(zero_copy_only=False)
    return lines, np.flatnonzero(matched & (lines.sizes() <= _LONGEST))


def _rest(path: str | Path, lines: Lines, rows: I64, problems: list[Problem] | None) -> Any:
    """The JSON document of ``lines`` with the lines ``rows`` replaced by marks (their
    commas kept), read by :func:`load_json`; None when it is not JSON."""
    ended = pc.match_substring_regex(lines.text.take(pa.array(rows)), r",[ \t]*\r?\n?$")
    marks = np.full(len(lines), None, object)
    marks[rows] = np.where(ended.to_numpy(zero_copy_only=False), '"\\u0001",\n', '"\\u0001"\n')
    marked = np.zeros(len(lines), np.bool_)
    marked[rows] = True
    rest = joined(pc.if_else(pa.array(marked), pa.array(marks, pa.string()), lines.text))
    try:
        return load_json(path, rest.decode(), problems)
    except InputError:
        return None


@dataclass(frozen=True)
class _RoaFields:
    """The fields of matched ROA lines: numbers parsed, texts as Arrow arrays."""

    asn: U64
    address: Any
    length: U64
    max_length: U64
    ta: Any
    has_expiry: Bools
    expires: U64
    asn_text: Bools  # written "AS..."

    def vrps(self) -> tuple[VrpTable, Bools]:
        """The VRPs, and which rows hold values a VRP can hold (the rest: per item)."""
        prefixes, good = prefix_columns(self.address, self.length)
        bits = np.where(prefixes.version == 6, 128, 32)
        good &= (self.asn <= MAX_ASN) & (self.max_length >= self.length)
        good &= (self.max_length <= bits) & (~self.has_expiry | (self.expires <= MAX_UNIX_TIME))
        table = VrpTable(
            prefixes,
            np.where(good, self.max_length, 0).astype(np.uint8),
            np.where(good, self.asn, 0).astype(np.uint32),
            string_column(self.ta),
            np.where(self.has_expiry & good, self.expires, NO_EXPIRY).astype(np.int64),
        )
        return table, good

    def as_json(self, j: int) -> dict[str, Any]:
        """Row ``j`` as JSON reads it (for the per-item code)."""
        number = int(self.asn[j])
        roa: dict[str, Any] = {
            "asn": f"AS{number}" if self.asn_text[j] else number,
            "prefix": f"{self.address[j].as_py()}/{int(self.length[j])}",
            "maxLength": int(self.max_length[j]),
            "ta": self.ta[j].as_py(),
        }
        if self.has_expiry[j]:
            roa["expires"] = int(self.expires[j])
        return roa


def _roa_fields(lines: Lines, rows: I64) -> tuple[_RoaFields, Bools]:
    """Cut the fields out of the ROA lines ``rows`` by the places of their quotes: 14 of
    them (``"asn"``, ``"prefix"``, its value, ``"maxLength"``, ``"ta"``, its value,
    ``"expires"``), two more for an ``"AS..."`` number, two fewer without ``expires``.
    Also says which rows fit the fixed widths the fields are cut at (only those rows
    are in the fields; the rest are mostly blanks, for the per-item code)."""
    raw = padded(lines.data)
    stop = lines.starts[rows + 1]
    quotes = np.flatnonzero(raw[: len(lines.data)] == 34)
    first = np.searchsorted(quotes, lines.starts[rows])
    count = np.searchsorted(quotes, stop) - first
    last = len(quotes) - 1

    def quote(k: I64 | int) -> I64:
        out: I64 = quotes[np.minimum(first + k, last)]
        return out

    asn_text = raw[np.minimum(quote(2) + 1, len(raw) - 1)] == ord("A")
    o = np.where(asn_text, 2, 0)
    spans = [
        (np.where(asn_text, quote(2), quote(1)), quote(2 + o), 16),  # asn
        (quote(4 + o) + 1, quote(5 + o), 52),  # prefix
        (quote(7 + o), quote(8 + o), 16),  # maxLength
        (quote(10 + o) + 1, quote(11 + o), 64),  # ta
        (quote(count - 1) + 1, stop, 32),  # expires, and the end of the object
    ]
    fits = np.ones(len(rows), np.bool_)
    for begin, end, width in spans:
        fits &= end - begin <= width
    keep = np.flatnonzero(fits)
    cut = [(begin[keep], end[keep], width) for begin, end, width in spans]
    parts = [
        _cut(raw, [(b[i : i + _BATCH], e[i : i + _BATCH], w) for b, e, w in cut])
        for i in range(0, len(keep), _BATCH)
    ]
    has_expiry = (count == 14 + o)[keep]
    if not parts:
        parts = [_cut(raw, [(b, e, w) for b, e, w in cut])]
    return (
        _RoaFields(
            np.concatenate([p[0] for p in parts]),
            pa.concat_arrays([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
            np.concatenate([p[3] for p in parts]),
            pa.concat_arrays([p[4] for p in parts]),
            has_expiry,
            np.where(has_expiry, np.concatenate([p[5] for p in parts]), np.uint64(0)),
            asn_text[keep],
        ),
        fits,
    )


_BATCH = 65_536


def _cut(raw: Any, spans: list[tuple[I64, I64, int]]) -> tuple[Any, ...]:
    """The fields of one batch of ROA lines (see :func:`_roa_fields`)."""
    (asn, prefix, max_length, ta, tail) = (windows(raw, b, e, w) for b, e, w in spans)
    slash = np.argmax(prefix == ord("/"), axis=1)[:, None]
    column = np.arange(prefix.shape[1])[None, :]
    address = np.where(column < slash, prefix, 0).astype(np.uint8)
    length = digits(np.where(column > slash, prefix, 0).astype(np.uint8))
    return (
        digits(asn),
        texts(address),
        length,
        digits(max_length),
        texts(ta),
        digits(tail),
    )
