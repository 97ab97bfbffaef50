"""RPSL objects one at a time: the streaming splitter, and the reader of the classes
routesieve uses (:func:`read_rpsl_per_object`; :mod:`routesieve.sources.rpsl` reads in
bulk first).

Objects are separated by blank lines. Lines starting with ``%`` or ``#`` are comments; a
line starting with a space, a tab or ``+`` continues the attribute above. Attribute names
are case-insensitive (kept lower-cased here) and ``#`` starts an end-of-line comment in a
value. :func:`read_rpsl_per_object` keeps route/route6, as-set, aut-num and
inetnum/inet6num ``org:`` handles, and organisation names; every other class is skipped
without a word, because a full dump legitimately holds many.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from routesieve.columnar import RouteObjectTable
from routesieve.model import AsSet, OrgHandle, ParseError, Prefix, RouteObject, parse_asn
from routesieve.problems import Problem
from routesieve.snapshot import Provenance
from routesieve.sources._common import raw_lines, refuse_if_empty, short, strict_prefix

KIND = "irr"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")
WANTED = frozenset({"route", "route6", "as-set", "aut-num", "inetnum", "inet6num", "organisation"})
#: An object with more text than this is cut off there and reported (the largest real
#: objects, big as-sets, are a few hundred KiB).
MAX_OBJECT_CHARS = 8 << 20


@dataclass(slots=True)
class RpslObject:
    """One object: ``line`` of its first line, attributes ``(name, raw value, line)``.

    ``junk`` holds the lines inside the object that are not attributes.
    """

    line: int
    attributes: list[tuple[str, str, int]] = field(default_factory=list)
    junk: list[tuple[int, str]] = field(default_factory=list)
    #: the line where the object went over :data:`MAX_OBJECT_CHARS` (the rest was dropped)
    cut_at: int | None = None

    @property
    def cls(self) -> str:
        return self.attributes[0][0]

    @property
    def key(self) -> str:
        return value(self.attributes[0][1])

    def first(self, name: str) -> tuple[str, int] | None:
        """The first value of attribute ``name`` (comment removed) and its line."""
        for attr, raw, line in self.attributes:
            if attr == name:
                return value(raw), line
        return None

    def all(self, name: str) -> list[str]:
        return [value(raw) for attr, raw, _ in self.attributes if attr == name]


def value(raw: str) -> str:
    """An attribute value without its end-of-line comment and outer whitespace."""
    if "#" in raw:
        # a continuation line may carry its own comment: drop each one
        raw = " ".join(part.partition("#")[0] for part in raw.split("\n"))
    return " ".join(raw.split())


def iter_objects(
    lines: Iterable[str], classes: Collection[str] | None = None, first_line: int = 1
) -> Iterator[RpslObject]:
    """Split lines (line ends kept or not) into objects, numbering lines from
    ``first_line``.

    With ``classes``, objects of other classes are passed over without being built.
    """
    obj: RpslObject | None = None
    skipping = False
    names: dict[str, str | None] = {}  # attribute name as written -> lower-cased, or None
    # continuation lines of the last attribute, joined once when it is complete: adding
    # them one by one would copy the value again for every line (quadratic time)
    more: list[str] = []
    size = 0
    for n, line in enumerate(lines, first_line):
        if not line or line.isspace():
            if obj is not None:
                _join(obj, more)
                yield obj
            obj, skipping, size = None, False, 0
            continue
        if skipping:
            continue
        size += len(line)
        if size > MAX_OBJECT_CHARS and obj is not None:
            _join(obj, more)
            obj.cut_at, skipping = n, True
            continue
        c = line[0]
        if c == "%" or c == "#":
            continue
        if c == " " or c == "\t" or c == "+":
            if obj is not None and obj.attributes:
                more.append(line[1:])
            elif obj is not None:
                obj.junk.append((n, line.rstrip("\r\n")))
            continue
        if obj is not None:
            _join(obj, more)
        written, sep, rest = line.partition(":")
        try:
            lower = names[written]
        except KeyError:
            lower = names[written] = written.lower() if _NAME.match(written) else None
        if not sep or lower is None:
            if obj is None:
                obj = RpslObject(n)
            obj.junk.append((n, line.rstrip("\r\n")))
            continue
        if obj is None:
            if classes is not None and lower not in classes:
                skipping = True
                continue
            obj = RpslObject(n)
        elif not obj.attributes and classes is not None and lower not in classes:
            if obj.junk:
                yield obj  # junk lines before an unwanted object are still reported
            skipping, obj = True, None
            continue
        obj.attributes.append((lower, rest, n))
    if obj is not None:
        _join(obj, more)
        yield obj


def _join(obj: RpslObject, more: list[str]) -> None:
    """Add the continuation lines in ``more`` to the last attribute of ``obj``, and empty it."""
    if more:
        last, raw, at = obj.attributes[-1]
        obj.attributes[-1] = (last, "\n".join([raw, *more]), at)
        more.clear()


@dataclass(frozen=True)
class RpslData:
    """What :func:`read_rpsl` found. ``organisations`` maps an org handle to its org-name.

    Org handles are upper-cased everywhere, as are as-set names, members and sources.
    """

    route_objects: Sequence[RouteObject]  # a RouteObjectTable when read from a file
    as_sets: tuple[AsSet, ...]
    org_handles: tuple[OrgHandle, ...]
    organisations: Mapping[str, str]
    problems: tuple[Problem, ...]
    provenance: Provenance


def read_rpsl_per_object(path: str | Path) -> RpslData:
    """:func:`read_rpsl` without the bulk path, streaming, object by object (the
    reference the bulk path is tested and measured against)."""
    reader = ObjectReader(str(path))
    for obj in iter_objects(raw_lines(path), WANTED):
        reader.add(obj)
    return reader.result(path, RouteObjectTable.of(reader.routes), 0, "")


class ObjectReader:
    """What :func:`read_rpsl` keeps of each object, one object at a time."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.routes: list[RouteObject] = []
        self.as_sets: list[AsSet] = []
        self.handles: list[OrgHandle] = []
        self.orgs: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.objects = 0
        self.newest = ""

    def add(self, obj: RpslObject) -> None:
        file, problems = self.file, self.problems
        for n, line in obj.junk:
            problems.append(Problem(file, n, f"not an RPSL attribute line: {short(line)}"))
        if obj.cut_at is not None:
            message = f"object over {MAX_OBJECT_CHARS} characters: left out"
            problems.append(Problem(file, obj.cut_at, message))
            return
        if not obj.attributes:
            return
        self.objects += 1
        cls = obj.cls
        src = obj.first("source")
        source = src[0].upper() if src else ""
        changed = obj.first("last-modified")
        if changed and changed[0] > self.newest:
            self.newest = changed[0]
        try:
            if cls == "route" or cls == "route6":
                self.routes.append(_route(obj, source))
            elif cls == "as-set":
                self.as_sets.append(_as_set(obj, source))
            elif cls == "aut-num":
                asn = _asn(obj.key, obj.line)
                org = obj.first("org")
                if org and org[0]:
                    self.handles.append(OrgHandle(org[0].upper(), source, asn=asn))
            elif cls == "inetnum" or cls == "inet6num":
                prefixes = _range(obj.key, 4 if cls == "inetnum" else 6, obj.line)
                org = obj.first("org")
                if org and org[0]:
                    self.handles.append(OrgHandle(org[0].upper(), source, prefixes=prefixes))
            elif cls == "organisation":
                name = obj.first("org-name")
                if obj.key and name:
                    self.orgs[obj.key.upper()] = name[0]
        except _Bad as exc:
            problems.append(Problem(file, exc.line, f"{cls} {short(obj.key)}: {exc.message}"))

    def result(
        self, path: str | Path, routes: RouteObjectTable, more_objects: int, newest: str
    ) -> RpslData:
        """The data read, with ``routes`` in place of :attr:`routes` (the bulk reader's
        and this reader's, in the order of the file), ``more_objects`` objects and a
        ``newest`` last-modified read elsewhere."""
        if self.objects + more_objects == 0 and self.problems:
            refuse_if_empty(path, 0, self.problems, "RPSL")
        as_sets, handles, orgs = self.as_sets, self.handles, self.orgs
        newest = max(newest, self.newest)
        count = len(routes) + len(as_sets) + len(handles) + len(orgs)
        note = (
            f"{len(routes)} route/route6, {len(as_sets)} as-set, {len(handles)} org handles, "
            f"{len(orgs)} organisations"
        )
        if newest:
            note += f"; newest last-modified {newest}"
        prov = Provenance(KIND, str(path), None, count, note)
        return RpslData(routes, tuple(as_sets), tuple(handles), orgs, tuple(self.problems), prov)


class _Bad(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


def _route(obj: RpslObject, source: str) -> RouteObject:
    try:
        prefix = strict_prefix(obj.key)
    except ParseError as exc:
        raise _Bad(obj.line, str(exc)) from None
    if prefix.version != (4 if obj.cls == "route" else 6):
        raise _Bad(obj.line, f"IPv{prefix.version} prefix in a {obj.cls} object")
    origin = obj.first("origin")
    if origin is None or not origin[0]:
        raise _Bad(obj.line, "no origin:")
    return RouteObject(prefix, _asn(origin[0], origin[1]), source)


def _as_set(obj: RpslObject, source: str) -> AsSet:
    name = obj.key.upper()
    if not name or " " in name:
        raise _Bad(obj.line, "bad as-set name")
    members: list[str] = []
    for attr, raw, _ in obj.attributes:
        if attr == "members":
            members += value(raw).upper().replace(",", " ").split()
    return AsSet(name, tuple(members), source)


def _asn(text: str, line: int) -> int:
    if text[:2].upper() != "AS":
        raise _Bad(line, f"not an AS number: {short(text)}")
    try:
        return parse_asn(text)
    except ParseError as exc:
        raise _Bad(line, str(exc)) from None


def _range(text: str, version: int, line: int) -> tuple[Prefix, ...]:
    """``a - b`` or ``a/len`` as the fewest prefixes that cover it."""
    try:
        if "-" not in text:
            return (strict_prefix(text),)
        first_text, _, last_text = text.partition("-")
        family = socket.AF_INET if version == 4 else socket.AF_INET6
        first = int.from_bytes(socket.inet_pton(family, first_text.strip()), "big")
        last = int.from_bytes(socket.inet_pton(family, last_text.strip()), "big")
        if last < first:
            raise ParseError(f"range ends before it starts: {short(text)}")
        return tuple(Prefix.from_range(version, first, last - first + 1))
    except (OSError, ValueError) as exc:
        message = (
            str(exc) if isinstance(exc, ParseError) else f"not an address range: {short(text)}"
        )
        raise _Bad(line, message) from None
