"""The IANA AS-number registry (``as-numbers-1.csv`` / ``as-numbers-2.csv``) and a built-in copy.

Columns are found by their header names (``Number``, ``Description``; IANA has added an
``RDAP`` column over the years). ``Number`` is ``N`` or ``N-M``; quoted fields may hold
commas. The ``0-65535, See Sub-registry 16-bit AS numbers`` row of as-numbers-2 only points
at the other file and is not a block: it is left out, and the provenance note says so.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from importlib.resources import as_file, files
from pathlib import Path

from routesieve.model import MAX_ASN, AsnBlock
from routesieve.numbers import is_digits
from routesieve.problems import InputError, Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.sources._common import csv_rows, read_text, refuse_if_empty, short

KIND = "iana_asn"
BUILTIN = "iana-as-numbers.csv"


def read_asn_registry(path: str | Path) -> ReadResult[AsnBlock]:
    """Read an IANA AS-number registry CSV (compressed or not)."""
    file = str(path)
    text = read_text(path).lstrip("\ufeff")
    rows = csv.reader(io.StringIO(text, newline=""))
    number_col = desc_col = -1
    items: list[AsnBlock] = []
    problems: list[Problem] = []
    pointers = 0
    try:
        for row in csv_rows(rows, file, problems):
            line = rows.line_num
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            if number_col < 0:
                names = [c.lower() for c in cells]
                if "number" not in names or "description" not in names:
                    raise InputError.at(
                        file, f"not an IANA AS-number registry CSV: header is {short(text[:80])}"
                    )
                number_col, desc_col = names.index("number"), names.index("description")
                continue
            if len(cells) <= max(number_col, desc_col):
                problems.append(Problem(file, line, f"too few fields: {short(','.join(row))}"))
                continue
            number, description = cells[number_col], " ".join(cells[desc_col].split())
            if description.lower().startswith("see sub-registr"):
                pointers += 1
                continue
            first_text, dash, last_text = number.partition("-")
            first_text, last_text = first_text.strip(), last_text.strip()
            if not last_text and not dash:
                last_text = first_text
            if not (is_digits(first_text, 10) and is_digits(last_text, 10)):
                problems.append(Problem(file, line, f"bad AS number range {short(number)}"))
                continue
            first, last = int(first_text), int(last_text)
            if first > last or last > MAX_ASN:
                problems.append(Problem(file, line, f"bad AS number range {short(number)}"))
                continue
            items.append(AsnBlock(first, last, description))
    except csv.Error as exc:
        raise InputError.at(file, f"not a usable CSV: {exc}", rows.line_num) from None
    if number_col < 0:
        raise InputError.at(file, "not an IANA AS-number registry CSV: it is empty")
    refuse_if_empty(path, len(items), problems, "IANA AS-number registry")
    note = "IANA AS-number registry"
    if pointers:
        note += f"; {pointers} 'See Sub-registry' row(s) left out"
    prov = Provenance(KIND, file, None, len(items), note)
    return ReadResult(tuple(items), tuple(problems), prov)


def default_asn_registry() -> ReadResult[AsnBlock]:
    """The built-in registry (16-bit and 32-bit tables merged; see data/README.md)."""
    resource = files("routesieve").joinpath("data", BUILTIN)
    with as_file(resource) as path:
        result = read_asn_registry(path)
    prov = replace(
        result.provenance,
        location=f"built-in routesieve/data/{BUILTIN}",
        note="built-in reconstruction of the IANA AS-number registry; refresh from IANA",
    )
    return ReadResult(result.items, result.problems, prov)
