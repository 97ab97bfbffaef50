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

from routesieve.model import ParseError, Vrp, parse_asn
from routesieve.numbers import uint_value, unix_time
from routesieve.problems import InputError, Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.sources._common import (
    csv_rows,
    load_json,
    read_text,
    refuse_if_empty,
    short,
    strict_prefix,
    unix_to_iso,
)

KIND = "rpki"
_IGNORED_KEYS = ("bgpsec_keys",)


def read_vrps(path: str | Path) -> ReadResult[Vrp]:
    """Read an rpki-client JSON or RIPE-validator CSV VRP file (compressed or not)."""
    text = read_text(path)
    if text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        early: list[Problem] = []
        return _read_json(path, load_json(path, text, early), early)
    return _read_csv(path, text)


def make_vrp(prefix_text: Any, max_length: Any, asn: Any, ta: str, expires: Any) -> Vrp:
    """One VRP from its fields as found in the file; a bad field raises :class:`ParseError`."""
    if not isinstance(prefix_text, str):
        raise ParseError(f"prefix must be text, not {short(str(prefix_text))}")
    prefix = strict_prefix(prefix_text)
    if max_length is None or max_length == "":
        ml = prefix.length
    else:
        ml = uint_value(max_length, "maxLength")
    if ml < prefix.length:
        raise ParseError(f"maxLength {ml} is shorter than the prefix length of {prefix}")
    if ml > prefix.bits:
        raise ParseError(f"maxLength {ml} is over {prefix.bits} for {prefix}")
    number = parse_asn(asn.strip() if isinstance(asn, str) else asn)
    when = None if expires is None or expires == "" else unix_time(expires, "expires")
    return Vrp(prefix, ml, number, ta, when)


def _read_json(path: str | Path, doc: Any, problems: list[Problem]) -> ReadResult[Vrp]:
    file = str(path)
    roas = doc.get("roas") if isinstance(doc, dict) else None
    if not isinstance(roas, list):
        raise InputError.at(file, 'not an rpki-client VRP file: no "roas" list at the top')
    items: list[Vrp] = []
    for i, roa in enumerate(roas):
        place = f"roas[{i}]"
        if not isinstance(roa, dict):
            problems.append(Problem(file, None, "ROA entry is not an object", place))
            continue
        ta = roa.get("ta", "")
        try:
            items.append(
                make_vrp(
                    roa.get("prefix"),
                    roa.get("maxLength", roa.get("max_length")),
                    roa.get("asn"),
                    ta if isinstance(ta, str) else str(ta),
                    roa.get("expires"),
                )
            )
        except ParseError as exc:
            problems.append(Problem(file, None, str(exc), place))
    refuse_if_empty(path, len(items), problems, "VRP")
    meta = doc.get("metadata")
    generated: str | None = None
    if isinstance(meta, dict):
        built = meta.get("buildtime")
        stamp = meta.get("generated")
        if isinstance(built, str) and built:
            generated = built
        elif isinstance(stamp, int | float) and not isinstance(stamp, bool) and stamp > 0:
            generated = unix_to_iso(stamp)
    ignored = [k for k in _IGNORED_KEYS if doc.get(k)]
    note = "rpki-client JSON" + (f"; ignored: {', '.join(ignored)}" if ignored else "")
    prov = Provenance(KIND, file, generated, len(items), note)
    return ReadResult(tuple(items), tuple(problems), prov)


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
    return ReadResult(tuple(items), tuple(problems), prov)
