"""Bogon prefix lists: Team Cymru full-bogon files and ``prefix  # reason`` lists.

One prefix per line; ``#`` starts a comment. A comment after a prefix is its reason; a
prefix without one gets ``"listed in <file name>"``, so a verdict can still say where it
came from. Team Cymru's ``# last updated 1710089701 (...)`` header gives the date.
"""

from __future__ import annotations

import re
from dataclasses import replace
from importlib.resources import as_file, files
from pathlib import Path

from routesieve.model import Bogon, ParseError
from routesieve.problems import Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.sources._common import (
    numbered_lines,
    refuse_if_empty,
    strict_prefix,
    unix_to_iso,
)

KIND = "bogons"
BUILTIN = "bogons.txt"
_UPDATED = re.compile(r"#\s*last updated\s+(\d{9,11})\b", re.IGNORECASE | re.ASCII)


def read_bogons(path: str | Path) -> ReadResult[Bogon]:
    """Read a bogon list (compressed or not); junk lines are problems with their number."""
    file = str(path)
    default_reason = f"listed in {Path(path).name}"
    items: list[Bogon] = []
    problems: list[Problem] = []
    generated: str | None = None
    for n, line in numbered_lines(path):
        text, _, comment = line.partition("#")
        text = text.strip()
        if not text:
            if generated is None and (m := _UPDATED.match(line.strip())):
                generated = unix_to_iso(int(m.group(1)))
            continue
        try:
            prefix = strict_prefix(text)
        except ParseError as exc:
            problems.append(Problem(file, n, str(exc)))
            continue
        items.append(Bogon(prefix, " ".join(comment.split()) or default_reason))
    refuse_if_empty(path, len(items), problems, "bogon list")
    prov = Provenance(KIND, file, generated, len(items))
    return ReadResult(tuple(items), tuple(problems), prov)


def default_bogons() -> ReadResult[Bogon]:
    """The built-in list: special-purpose, documentation, 6to4, IPv6 outside 2000::/3."""
    resource = files("routesieve").joinpath("data", BUILTIN)
    with as_file(resource) as path:
        result = read_bogons(path)
    prov = replace(
        result.provenance,
        location=f"built-in routesieve/data/{BUILTIN}",
        note="built-in list from the IANA special-purpose registries; see data/README.md",
    )
    return ReadResult(result.items, result.problems, prov)
