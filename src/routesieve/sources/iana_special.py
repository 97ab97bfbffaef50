"""The IANA special-purpose address registries (RFC 6890) as bogons for rule 3.4.

IANA publishes ``iana-ipv4-special-registry-1.csv`` and ``iana-ipv6-special-registry-1.csv``
with the columns ``Address Block, Name, RFC, Allocation Date, Termination Date, Source,
Destination, Forwardable, Globally Reachable, Reserved-by-Protocol``. Cells may carry
footnote marks (``192.0.0.0/24 [2]``, ``False [1]``), an address cell may list several
blocks (``192.0.0.170/32, 192.0.0.171/32``), and quoted cells may span lines.

Which rows become bogons (see docs/sources.md):

- ``Globally Reachable`` is ``False``: a bogon, the reason naming the entry and its RFC;
- ``True`` or ``N/A`` (Teredo, 6to4): not a bogon, routes to it exist on purpose;
- empty (a terminated entry such as 2001:10::/28): not a bogon from this file;
- a ``False`` block that contains a globally reachable block of the same file (2001::/23
  holds AS112-v6 and AMT; 192.0.0.0/24 holds the PCP and TURN anycast addresses) is not
  listed as a whole: rejecting it would reject those; its non-reachable parts are listed
  by their own rows.

These entries are added to the base list (the built-in ``bogons.txt`` or ``sources.bogons``)
rather than replacing it: the base list also covers what the registries do not (multicast,
IPv6 outside 2000::/3).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from routesieve.model import Bogon, ParseError, Prefix
from routesieve.problems import InputError, Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.sources._common import read_text, refuse_if_empty, short, strict_prefix

KIND = "iana_special"
_FOOTNOTE = re.compile(r"\[\d+\]")
_NEEDED = ("address block", "name", "globally reachable")


def read_special_registry(path: str | Path) -> ReadResult[Bogon]:
    """Bogons from one IANA special-purpose registry CSV (compressed or not)."""
    file = str(path)
    text = read_text(path).lstrip("\ufeff")
    rows = csv.reader(io.StringIO(text, newline=""))
    columns: dict[str, int] = {}
    entries: list[tuple[Prefix, str, str]] = []
    problems: list[Problem] = []
    try:
        for row in rows:
            cells = [" ".join(c.split()) for c in row]
            if not any(cells):
                continue
            if not columns:
                names = [c.lower() for c in cells]
                if not all(n in names for n in _NEEDED):
                    raise InputError.at(
                        file,
                        "not an IANA special-purpose registry CSV: header is "
                        f"{short(','.join(cells))}",
                    )
                columns = {n: names.index(n) for n in (*_NEEDED, "rfc") if n in names}
                continue
            entries.extend(_entries(file, rows.line_num, cells, columns, problems))
    except csv.Error as exc:
        raise InputError.at(file, f"not a usable CSV: {exc}", rows.line_num) from None
    if not columns:
        raise InputError.at(file, "not an IANA special-purpose registry CSV: it is empty")
    reachable = [p for p, _, flag in entries if flag in ("true", "n/a")]
    bogons: list[Bogon] = []
    parents = 0
    for prefix, reason, flag in entries:
        if flag != "false":
            continue
        if any(r != prefix and prefix.contains(r) for r in reachable):
            parents += 1
            continue
        bogons.append(Bogon(prefix, reason))
    refuse_if_empty(path, len(bogons), problems, "IANA special-purpose registry")
    left_out = len(entries) - len(bogons) - parents
    note = (
        f"IANA special-purpose registry: {len(bogons)} not globally reachable; "
        f"{left_out} reachable, N/A or terminated left out"
    )
    if parents:
        note += f"; {parents} holding reachable blocks listed only by their parts"
    return ReadResult(
        tuple(bogons), tuple(problems), Provenance(KIND, file, None, len(bogons), note)
    )


def _entries(
    file: str, line: int, cells: list[str], columns: dict[str, int], problems: list[Problem]
) -> list[tuple[Prefix, str, str]]:
    if len(cells) <= max(columns.values()):
        problems.append(Problem(file, line, f"too few fields: {short(','.join(cells))}"))
        return []
    flag = _FOOTNOTE.sub("", cells[columns["globally reachable"]]).strip().lower()
    if flag not in ("true", "false", "n/a", ""):
        problems.append(Problem(file, line, f"Globally Reachable is {short(flag)!r}"))
        return []
    name = cells[columns["name"]].strip('"') or "special-purpose block"
    rfc = cells[columns["rfc"]] if "rfc" in columns else ""
    reason = f"IANA special-purpose: {name}" + (f" {rfc}" if rfc else "")
    out: list[tuple[Prefix, str, str]] = []
    for part in _FOOTNOTE.sub("", cells[columns["address block"]]).split(","):
        try:
            out.append((strict_prefix(part.strip()), reason, flag))
        except ParseError as exc:
            problems.append(Problem(file, line, str(exc)))
    return out
