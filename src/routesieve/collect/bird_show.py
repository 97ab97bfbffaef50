"""A parser for the text of BIRD 2's ``show route all`` (what ``birdc`` prints).

The output of BIRD 2.0.12 looks like this::

    Table master6:
    2a0e:1000::/32       unicast [peer_a 09:37:26.243 from ::1] * (100) [AS65011i]
    \tvia 2001:db8::1 on eth0
    \tType: BGP univ
    \tBGP.origin: IGP
    \tBGP.as_path: 65001 65010 {65020 65021}
    \tBGP.next_hop: ::1
    \tBGP.community: (65010,100) (65535,666)
    \tBGP.large_community: (65010, 1, 2)
    \tBGP.ext_community: (rt, 65010, 7)
                         unreachable [peer_b 09:37:26.243 from ::2] (100) [i]
    \tType: BGP univ
    (further attribute lines)

A route line starts with the prefix, or with blanks for another route of the same prefix;
its type may be ``unicast``, ``unreachable``, ``blackhole`` or ``prohibit``. BIRD writes
an AS_SET as ``{a b}``, an AS_CONFED_SEQUENCE as ``(a b)`` and an AS_CONFED_SET as
``({a b})``; a path longer than its print buffer (about 480 characters) ends in ``...``.
Long community lists go on over further lines that start with a tab and a ``(``.

Every route line becomes a :class:`Route`. What cannot be read is a
:class:`~routesieve.problems.Problem` with its line; a route whose prefix or path cannot
be read is kept with ``problem`` set (the engine rejects it as X-MALFORMED).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from routesieve.model import MAX_ASN, AsPath, ParseError, Prefix, Route, Segment, SegmentType
from routesieve.problems import Problem

_SEQ = SegmentType.AS_SEQUENCE
_STD_LIST = re.compile(r"\([0-9]{1,5},[0-9]{1,5}\)(?: \([0-9]{1,5},[0-9]{1,5}\))*")
_N = "[0-9]{1,10}"
_LARGE_LIST = re.compile(rf"\({_N}, {_N}, {_N}\)(?: \({_N}, {_N}, {_N}\))*")
_OPENERS = {
    "{": SegmentType.AS_SET,
    "(": SegmentType.AS_CONFED_SEQUENCE,
    "({": SegmentType.AS_CONFED_SET,
}
_CLOSERS = {
    SegmentType.AS_SET: "}",
    SegmentType.AS_CONFED_SEQUENCE: ")",
    SegmentType.AS_CONFED_SET: "})",
}
_ROUTE_TYPES = frozenset({"unicast", "unreachable", "blackhole", "prohibit", "via", "dev"})
_NEXT_HOP_LINES = ("\tvia ", "\tdev ", "\t\tvia ", "\tmpls ")
_PATH = "\tBGP.as_path:"
_SET_STARTS = {
    "com": ("\tBGP.community:", 0),
    "lar": ("\tBGP.large_community:", 1),
    "ext": ("\tBGP.ext_community:", 2),
}


def parse_as_path(text: str) -> AsPath:
    """An AS path as BIRD prints it: ``65001 65002 {65003 65004} (65005) ({65006})``."""
    words = text.split()
    if "{" not in text and "(" not in text:
        if words and (not text.isascii() or not "".join(words).isdigit()):
            raise ParseError(f"not an AS path: {text!r}")
        asns = tuple(map(int, words))
        if asns and max(asns) > MAX_ASN:
            raise ParseError(f"AS number over {MAX_ASN} in {text!r}")
        return AsPath((Segment(_SEQ, asns),) if asns else ())
    spaced = text.replace("({", "\x01").replace("})", "\x02")
    spaced = spaced.replace("{", " { ").replace("}", " } ").replace("(", " ( ").replace(")", " ) ")
    spaced = spaced.replace("\x01", " ({ ").replace("\x02", " }) ")
    segments: list[Segment] = []
    current: list[int] = []
    kind = _SEQ
    for word in spaced.split():
        if word in _OPENERS:
            if kind is not _SEQ:
                raise ParseError(f"nested {word!r} in AS path {text.strip()!r}")
            if current:
                segments.append(Segment(_SEQ, tuple(current)))
            current, kind = [], _OPENERS[word]
        elif kind is not _SEQ and word == _CLOSERS[kind]:
            if not current:
                raise ParseError(f"empty segment in AS path {text.strip()!r}")
            segments.append(Segment(kind, tuple(current)))
            current, kind = [], _SEQ
        elif word.isascii() and word.isdigit() and int(word) <= MAX_ASN:
            current.append(int(word))
        else:
            raise ParseError(f"not an AS number: {word!r} in AS path {text.strip()!r}")
    if kind is not _SEQ:
        raise ParseError(f"unclosed segment in AS path {text.strip()!r}")
    if current:
        segments.append(Segment(_SEQ, tuple(current)))
    return AsPath(tuple(segments))


def parse_communities(kind: int, text: str) -> list[str]:
    """``(65001,100) (1,2)`` as ``["65001:100", "1:2"]`` (kind 0), large ``(1, 2, 3)`` as
    ``"1:2:3"`` (kind 1), extended ``(rt, 65001, 7)`` as ``"rt:65001:7"`` (kind 2)."""
    text = text.strip()
    if not text:
        return []
    if kind == 0 and _STD_LIST.fullmatch(text):  # the common cases, checked in C
        return text[1:-1].replace(",", ":").split(") (")
    if kind == 1 and _LARGE_LIST.fullmatch(text):
        return text[1:-1].replace(", ", ":").split(") (")
    if text[0] != "(" or text[-1] != ")":
        raise ParseError(f"not a community list: {text!r}")
    out = []
    want = (2, 3, 0)[kind]
    for item in text[1:-1].split(") ("):
        parts = [p.strip() for p in item.split(",")]
        if want:
            if len(parts) != want or not all(p.isascii() and p.isdigit() for p in parts):
                raise ParseError(f"not a {('standard', 'large')[kind]} community: ({item})")
        elif len(parts) < 2 or not all(parts):
            raise ParseError(f"not an extended community: ({item})")
        out.append(":".join(parts))
    return out


def parse_show_route(
    batches: Iterable[Sequence[str]],
    peer_asn: int,
    session: str,
    source: str,
    place: str = "",
    paths: dict[str, AsPath] | None = None,
) -> tuple[list[Route], list[Problem]]:
    """The routes of one session in ``show route all`` text, given as batches of lines
    (without newlines), and the problems found. ``paths`` may be shared between calls so
    that a path read once is one object for every route that has it.

    One loop with local state: a full table is millions of lines.
    """
    known_paths: dict[str, AsPath] = paths if paths is not None else {}
    routes: list[Route] = []
    problems: list[Problem] = []
    append = routes.append
    empty = AsPath(())
    lineno = 0
    is_open = False
    last_prefix = raw_prefix = ""
    prefix: Prefix | None = None
    issues: list[str] = []
    path_text: str | None = None
    path_line = 0
    comms: list[list[str]] = [[], [], []]
    set_kind = -1  # the community attribute that a "\t\t(" line continues

    def problem(at: int, message: str, line: str | None = None) -> None:
        text = f"{message}: {line.strip()[:200]!r}" if line is not None else message
        problems.append(Problem(source, at, text, place))

    def end_route() -> None:
        as_path = empty
        if path_text is None:
            issues.append("no BGP.as_path line")
        elif path_text.endswith("..."):
            issues.append(f"AS path too long for BIRD to print whole (line {path_line})")
            problem(path_line, "AS path cut short by BIRD: ..." + path_text[-40:])
        else:
            found = known_paths.get(path_text)
            if found is None:
                try:
                    found = parse_as_path(path_text)
                except ParseError as exc:
                    issues.append(f"unparseable AS path (line {path_line}): {exc}")
                    problem(path_line, f"unparseable AS path: {exc}")
                else:
                    known_paths[path_text] = found
            if found is not None:
                as_path = found
                if not found.segments:
                    issues.append("empty AS path")
        std, large, ext = comms
        communities = (*std, *large, *ext) if std or large or ext else ()
        append(
            Route(
                peer_asn,
                prefix,
                as_path,
                session,
                "; ".join(issues) or None,
                raw_prefix,
                communities,
            )
        )

    for batch in batches:
        for line in batch:
            lineno += 1
            if line[:1] == "\t":
                if not is_open:
                    problem(lineno, "attribute line outside a route", line)
                elif line[1:5] == "BGP.":
                    c = line[5:8]
                    if c == "as_" and line.startswith(_PATH):
                        if path_text is not None:
                            issues.append(f"two AS path lines (line {lineno})")
                        path_text = line[13:].strip()
                        path_line = lineno
                        set_kind = -1
                    elif c in _SET_STARTS and line.startswith(_SET_STARTS[c][0]):
                        set_kind = _SET_STARTS[c][1]
                        try:
                            comms[set_kind].extend(
                                parse_communities(set_kind, line[len(_SET_STARTS[c][0]) :])
                            )
                        except ParseError as exc:
                            problem(lineno, str(exc), line)
                            set_kind = -1
                    else:
                        set_kind = -1
                elif set_kind >= 0 and line.lstrip("\t")[:1] == "(":
                    try:
                        comms[set_kind].extend(parse_communities(set_kind, line))
                    except ParseError as exc:
                        problem(lineno, str(exc), line)
                        set_kind = -1
                elif line.startswith(_NEXT_HOP_LINES) or ":" in line:
                    set_kind = -1  # next hops and other attributes: not needed
                else:
                    problem(lineno, "unreadable line in a route", line)
                continue
            if not line or line.isspace():
                continue
            if line.startswith("Table ") and line.endswith(":"):
                if is_open:
                    end_route()
                    is_open = False
                continue
            # a route line
            if is_open:
                end_route()
                is_open = False
            issues = []
            path_text = None
            comms = [[], [], []]
            set_kind = -1
            if line[0] == " ":
                words = line.split(None, 1)
                if not last_prefix or not words or words[0] not in _ROUTE_TYPES:
                    problem(lineno, "not a route line", line)
                    continue
                raw = last_prefix
            else:
                raw, _, rest = line.partition(" ")
                word = rest.split(None, 1)[0] if rest.strip() else ""
                if "/" not in raw or word not in _ROUTE_TYPES or "[" not in rest:
                    problem(lineno, "not a route line", line)
                    continue
                last_prefix = raw
            is_open = True
            raw_prefix = raw
            try:
                prefix = Prefix.parse(raw)
            except ParseError:
                prefix = None
                issues.append(f"unparseable prefix {raw!r} (line {lineno})")
                problem(lineno, f"unparseable prefix {raw!r}", line)
    if is_open:
        end_route()
    return routes, problems
