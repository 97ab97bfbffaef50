"""The data a test IRRd is loaded with: an excerpt of the real RIPE files, cut at start.

The as-sets reached from :data:`EXCERPT_SETS` in ripe.db.as-set.gz (source RIPE), plus
:data:`LOOP_OBJECTS`, two sets that name each other (a loop made on purpose), and the
route/route6 objects of every AS in them from ripe-nonauth.db.route(6).gz (source
RIPE-NONAUTH). Small enough to load in seconds; the tests compare against it.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# real nested as-sets of ripe.db.as-set.gz, with loops among their nested sets
EXCERPT_SETS = ("AS-DOIX-RS", "AS-EQUINIX-FR", "AS-8585-SET")
# a large nested set (33 nested sets, about 1,000 ASNs), loaded beside them
LARGE_SET = "AS-CLOUVIDER"
# a loop of our own: AS-RSLOOP-A -> AS-RSLOOP-B -> AS-RSLOOP-A
LOOP_SET = "AS-RSLOOP-A"
LOOP_OBJECTS = """\
as-set:         AS-RSLOOP-A
members:        AS-RSLOOP-B, AS8587
source:         RIPE

as-set:         AS-RSLOOP-B
members:        AS-RSLOOP-A, AS8447
source:         RIPE

"""
_SET_MEMBER = re.compile(r"^(?:AS\d+:)*AS-[A-Z0-9_:-]+$", re.IGNORECASE)
_ASN = re.compile(r"^AS(\d+)$", re.IGNORECASE)


def rpsl_objects(path: Path) -> Iterator[str]:
    """The objects of an RPSL file (gzip or not) as text, comments left out."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="latin-1") as fh:
        lines: list[str] = []
        for line in fh:
            if line.startswith(("%", "#")):
                continue
            if line.strip():
                lines.append(line)
            elif lines:
                yield "".join(lines)
                lines = []
        if lines:
            yield "".join(lines)


def attr(obj: str, name: str) -> list[str]:
    """The values of one attribute, continuation lines joined, comments removed."""
    out: list[str] = []
    for line in obj.splitlines():
        if line[:1] in (" ", "\t", "+") and out:
            out[-1] += " " + line[1:].partition("#")[0].strip()
        elif line.lower().startswith(name + ":"):
            out.append(line.split(":", 1)[1].partition("#")[0].strip())
    return out


def members(obj: str) -> list[str]:
    return [m.strip().upper() for v in attr(obj, "members") for m in v.split(",") if m.strip()]


@dataclass(frozen=True)
class Excerpt:
    """The RPSL files loaded into IRRd, and what is in them (for the tests' own checks)."""

    as_set_file: Path
    route_file: Path
    as_sets: dict[str, list[str]]  # name -> members, as in the file
    routes: dict[int, set[str]]  # origin -> prefixes (route and route6)


def make_excerpt(shared: Path, folder: Path, roots: Iterable[str] = EXCERPT_SETS) -> Excerpt:
    """Cut the as-sets reached from ``roots`` and the routes of their ASes out of the real
    RIPE files."""
    irr = shared / "irr"
    objects: dict[str, str] = {}
    for obj in rpsl_objects(irr / "ripe.db.as-set.gz"):
        objects[obj.split(":", 1)[1].partition("\n")[0].strip().upper()] = obj
    for obj in LOOP_OBJECTS.split("\n\n"):
        if obj.strip():
            objects[attr(obj, "as-set")[0]] = obj + "\n"
    wanted: dict[str, list[str]] = {}
    todo = [r.upper() for r in (*roots, LOOP_SET)]
    asns: set[int] = set()
    while todo:
        name = todo.pop()
        if name in wanted or name not in objects:
            continue
        wanted[name] = members(objects[name])
        for m in wanted[name]:
            if _ASN.match(m):
                asns.add(int(m[2:]))
            elif _SET_MEMBER.match(m):
                todo.append(m)
    folder.mkdir(parents=True, exist_ok=True)
    set_file = folder / "ripe.as-set.db"
    set_file.write_text("".join(objects[n] + "\n" for n in sorted(wanted)), encoding="latin-1")
    routes: dict[int, set[str]] = {}
    route_file = folder / "ripe-nonauth.route.db"
    with route_file.open("w", encoding="latin-1") as out:
        for name in ("ripe-nonauth.db.route.gz", "ripe-nonauth.db.route6.gz"):
            for obj in rpsl_objects(irr / name):
                origin = attr(obj, "origin")
                m = _ASN.match(origin[0]) if origin else None
                if m and int(m.group(1)) in asns:
                    key = obj.split(":", 1)[1].partition("\n")[0].strip().lower()
                    routes.setdefault(int(m.group(1)), set()).add(key)
                    out.write(obj + "\n")
    return Excerpt(set_file, route_file, wanted, routes)
