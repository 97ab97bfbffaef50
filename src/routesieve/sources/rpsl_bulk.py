"""Route objects of an RPSL dump read in bulk; every other object by :mod:`rpsl`'s code.

The dump is split into lines (:func:`routesieve.sources.bulk.file_lines`) and into runs
of lines between blank ones, as :func:`routesieve.sources.rpsl.iter_objects` splits
objects. A run is read here when it is a plain route or route6 object: every line a
comment or an attribute with a lower-case name, and the values read (the prefix,
``origin:``, ``source:``, ``last-modified:``) one word each. Its prefix, origin and
source become columns without a Python object per route. Every other run (other
classes, continuation lines, lines that are not attributes, values the columns cannot
hold, bad prefixes or AS numbers) goes through :class:`~routesieve.sources.rpsl.ObjectReader`
with its line numbers, so problems and results are those of the per-object reader; the
route objects of both are put back in the order of the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar import RouteObjectTable
from routesieve.columnar.arrays import Bools
from routesieve.model import MAX_ASN
from routesieve.sources.bulk import (
    I64,
    U64,
    Lines,
    file_lines,
    first_per_group,
    in_order,
    prefix_columns,
    string_column,
)
from routesieve.sources.rpsl_objects import (
    MAX_OBJECT_CHARS,
    WANTED,
    ObjectReader,
    RpslData,
    iter_objects,
)

_ATTRIBUTE = r"^[a-z0-9][a-z0-9_-]*:"
_BLANK = r"^[ \t\r]*\n?$"
#: a value read here: one word of printable ASCII but "#" (a comment would start there)
_ONE_WORD = r'^[!-"$-~]+$'
_PREFIX = r"^[0-9A-Fa-f:.]{1,45}/[0-9]{1,3}$"
_ORIGIN = r"^[Aa][Ss][0-9]{1,10}$"
#: attribute names found by a prefix test (the commonest, and those read here)
_COMMON = ("route", "route6", "origin", "source", "last-modified", "mnt-by", "descr")
_OTHER_CLASSES = tuple(sorted(WANTED - {"route", "route6"}))


def read_rpsl_bulk(path: str | Path, data: bytes) -> RpslData | None:
    """The data of the RPSL text ``data`` (the file ``path``), or None when its lines
    cannot be split as the text reader splits them (then the per-object reader reads it)."""
    lines = file_lines(data)
    if lines is None:
        return None
    text = lines.text
    first = lines.first_bytes()
    blank = first == 10
    maybe = np.flatnonzero((first == 32) | (first == 9) | (first == 13))
    if len(maybe):
        found = pc.match_substring_regex(text.take(pa.array(maybe)), _BLANK)
        blank[maybe] = found.to_numpy(zero_copy_only=False)
    comment = (first == 37) | (first == 35)
    # attribute lines: the common names by a prefix test, the rest by the pattern
    named = {n: _starts(text, n + ":") for n in _COMMON}
    attribute = np.logical_or.reduce(list(named.values()))
    rest = np.flatnonzero(
        ~attribute & (((first >= 97) & (first <= 122)) | ((first >= 48) & (first <= 57)))
    )
    if len(rest):
        found = pc.match_substring_regex(text.take(pa.array(rest)), _ATTRIBUTE)
        attribute[rest] = found.to_numpy(zero_copy_only=False)
    group = np.cumsum(blank)  # the run of each line (a blank line starts the next one)
    runs = int(group[-1]) + 1 if len(group) else 0
    odd = ~(blank | comment | attribute)
    slow = np.bincount(group[odd], minlength=runs) > 0
    size = np.bincount(group, weights=np.where(blank, 0, lines.sizes()), minlength=runs)
    slow |= size > MAX_OBJECT_CHARS // 2
    head = first_per_group(group, attribute, runs)  # the first attribute line, or -1
    has_head = head >= 0
    heads = np.where(has_head, head, 0)

    def is_class(name: str, rows: I64) -> Bools:
        out: Bools = pc.starts_with(text.take(pa.array(rows)), name + ":").to_numpy(
            zero_copy_only=False
        )
        return out

    route4 = has_head & named["route"][heads]
    route6 = has_head & named["route6"][heads]
    other = np.zeros(runs, np.bool_)
    for cls in _OTHER_CLASSES:
        other |= has_head & is_class(cls, heads)
    slow |= other
    fast = np.flatnonzero((route4 | route6) & ~slow)
    routes, good, newest = _routes(lines, group, runs, head[fast], route6[fast], named)
    slow[fast[~good]] = True
    reader = ObjectReader(str(path))
    keys = _per_object(lines, group, blank, np.flatnonzero(slow), reader)
    table = in_order(
        RouteObjectTable, [routes, RouteObjectTable.of(reader.routes)], [fast[good], keys]
    )
    return reader.result(path, table, int(good.sum()), newest)


def _routes(
    lines: Lines, group: I64, runs: int, heads: I64, v6: Bools, named: dict[str, Bools]
) -> tuple[RouteObjectTable, Bools, str]:
    """The route objects whose first lines are ``heads`` (route6 where ``v6``): those
    that could be read here (in the order of ``heads``), which they are, and the newest
    ``last-modified`` among them."""
    text = lines.text

    def value_of(name: str) -> tuple[Any, Bools, Bools]:
        """The value of the first ``name:`` line of each object (blanks around it
        dropped), whether there is such a line, and whether its value is one word."""
        flags = named[name]
        row = first_per_group(group, flags, runs)[group[heads]]
        there = row >= 0
        values = _word(text.take(pa.array(np.where(there, row, 0))), len(name) + 1)
        ok = pc.match_substring_regex(values, _ONE_WORD).to_numpy(zero_copy_only=False)
        return values, there, ok & there

    route = text.take(pa.array(heads))
    prefix = pc.if_else(pa.array(v6), _word(route, 7), _word(route, 6))
    good = pc.match_substring_regex(prefix, _PREFIX).to_numpy(zero_copy_only=False)
    origin, _, o_ok = value_of("origin")
    source, s_there, s_ok = value_of("source")
    changed, m_there, m_ok = value_of("last-modified")
    good &= pc.match_substring_regex(origin, _ORIGIN).to_numpy(zero_copy_only=False)
    good &= o_ok & (s_ok | ~s_there) & (m_ok | ~m_there)
    rows = np.flatnonzero(good)
    parts = pc.split_pattern(prefix.take(pa.array(rows)), "/", max_splits=1).flatten()
    pairs = np.arange(len(rows)) * 2
    length = _number(parts.take(pa.array(pairs + 1)))
    prefixes, parsed = prefix_columns(parts.take(pa.array(pairs)), length)
    parsed &= (prefixes.version == 6) == v6[rows]
    asn = _number(pc.utf8_slice_codeunits(origin.take(pa.array(rows)), start=2))
    parsed &= asn <= MAX_ASN
    good[rows[~parsed]] = False
    kept = np.flatnonzero(parsed)
    sources = pc.if_else(pa.array(s_there[rows[kept]]), source.take(pa.array(rows[kept])), "")
    table = RouteObjectTable(
        prefixes.take(kept), asn[kept].astype(np.uint32), string_column(pc.utf8_upper(sources))
    )
    stamps = changed.filter(pa.array(good & m_there))
    newest = (pc.max(stamps).as_py() or "") if len(stamps) else ""
    return table, good, newest


def _starts(text: Any, prefix: str) -> Bools:
    out: Bools = pc.starts_with(text, prefix).to_numpy(zero_copy_only=False)
    return out


def _word(text: Any, skip: int) -> Any:
    """Each line without its first ``skip`` characters and the blanks around the rest."""
    return pc.utf8_trim(pc.utf8_slice_codeunits(text, start=skip), " \t\r\n")


def _number(text: Any) -> U64:
    out: U64 = pc.cast(text, pa.uint64()).to_numpy(zero_copy_only=False)
    return out


def _per_object(lines: Lines, group: I64, blank: Bools, slow: I64, reader: ObjectReader) -> I64:
    """Read the runs ``slow`` object by object into ``reader``; the run of each route
    object it kept (consecutive runs are read in one go)."""
    run_start = np.concatenate(([0], np.flatnonzero(blank), [len(lines)]))
    keys: list[int] = []
    if not len(slow):
        return np.zeros(0, np.int64)
    breaks = np.flatnonzero(np.diff(slow) != 1) + 1
    for first, last in zip(
        slow[np.concatenate(([0], breaks))],
        slow[np.concatenate((breaks - 1, [len(slow) - 1]))],
        strict=True,
    ):
        a, b = int(run_start[first]), int(run_start[last + 1])
        for obj in iter_objects(lines.decoded(a, b), WANTED, first_line=a + 1):
            before = len(reader.routes)
            reader.add(obj)
            if len(reader.routes) > before:
                keys.append(int(group[obj.line - 1]))
    return np.array(keys, np.int64)
