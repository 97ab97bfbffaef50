"""VRPs from rpki-client JSON or the RIPE NCC validator CSV, told apart by content.

* rpki-client / Routinator / OctoRPKI JSON: ``{"metadata": {...}, "roas": [{"asn": 13335 or
  "AS13335", "prefix": "1.0.0.0/24", "maxLength": 24, "ta": "apnic", "expires": 1827568318}]}``.
  ``bgpsec_keys`` are ignored and the provenance note says so; ``aspas`` and
  ``provider_authorizations`` are read by :mod:`routesieve.sources.aspa`.
* CSV: ``ASN,IP Prefix,Max Length[,Trust Anchor[,Expires]]`` with ``AS31207`` (RIPE validator,
  Routinator and rpki-client CSV output).

A missing maxLength means the prefix length (RFC 6482). ``expires`` is kept on the
:class:`Vrp`: the engine, not the reader, ignores expired VRPs.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from routesieve.columnar import VrpTable
from routesieve.model import ParseError, Vrp
from routesieve.problems import InputError, Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.sources._common import (
    csv_rows,
    load_json,
    read_text,
    refuse_if_empty,
    short,
)
from routesieve.sources.bulk import (
    read_bytes,
)
from routesieve.sources.rpki_bulk import read_json_bulk
from routesieve.sources.rpki_items import KIND, json_result, make_vrp, roa_entry, roa_list

__all__ = ["KIND", "make_vrp", "read_vrps", "read_vrps_per_item"]


def read_vrps(path: str | Path) -> ReadResult[Vrp]:
    """Read an rpki-client JSON or RIPE-validator CSV VRP file (compressed or not)."""
    data = read_bytes(path)
    if data is not None and data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        fast = read_json_bulk(path, data)
        if fast is not None:
            return fast
    del data
    text = read_text(path)
    if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        early: list[Problem] = []
        return _read_json(path, load_json(path, text, early), early)
    return _read_csv(path, text)


def read_vrps_per_item(path: str | Path) -> ReadResult[Vrp]:
    """:func:`read_vrps` without the bulk path: every entry through the per-item code
    (the reference the bulk path is tested and measured against)."""
    text = read_text(path)
    if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        early: list[Problem] = []
        return _read_json(path, load_json(path, text, early), early)
    return _read_csv(path, text)


def _read_json(path: str | Path, doc: Any, problems: list[Problem]) -> ReadResult[Vrp]:
    roas = roa_list(path, doc)
    items: list[Vrp] = []
    for i, roa in enumerate(roas):
        roa_entry(str(path), i, roa, items, problems)
    return json_result(path, doc, VrpTable.of(items), problems)


def _read_csv(path: str | Path, text: str) -> ReadResult[Vrp]:
    file = str(path)
    lines = text.lstrip("\ufeff").splitlines()
    rows = csv.reader(lines)
    header: list[str] | None = None
    items: list[Vrp] = []
    problems: list[Problem] = []
    for row in csv_rows(rows, file, problems):
        line = rows.line_num
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None:
            names = [c.lower() for c in cells]
            if len(names) < 3 or names[0] != "asn" or "prefix" not in names[1]:
                raise InputError.at(
                    file,
                    "not an rpki-client JSON or validator CSV VRP file "
                    f"(first line {short(lines[line - 1])})",
                    line,
                )
            header = names
            continue
        if len(cells) < 3:
            problems.append(Problem(file, line, f"too few fields: {short(lines[line - 1])}"))
            continue
        ta = cells[3] if len(cells) > 3 else ""
        expires = cells[4] if len(cells) > 4 and "expires" in header[4:5] else None
        try:
            items.append(make_vrp(cells[1], cells[2], cells[0], ta, expires))
        except ParseError as exc:
            problems.append(Problem(file, line, str(exc)))
    if header is None:
        raise InputError.at(file, "not a VRP file: it is empty")
    refuse_if_empty(path, len(items), problems, "VRP")
    prov = Provenance(KIND, file, None, len(items), "validator CSV")
    return ReadResult(VrpTable.of(items), tuple(problems), prov)
