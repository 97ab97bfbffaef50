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

A route line starts with the prefix, or blanks for another route of the same prefix; its
type is ``unicast``, ``unreachable``, ``blackhole`` or ``prohibit``. A path longer than
BIRD's print buffer (about 480 characters) ends in ``...``; long community lists go on
over lines that start with a tab and a ``(`` (values: :mod:`~.bird_values`). Every route
line becomes a :class:`Route`; what cannot be read is a :class:`Problem` with its line,
and a route whose prefix or path cannot be read keeps ``problem`` set (X-MALFORMED).
This is the per-route reader: :mod:`~.bird_columns` reads clean text faster, in bulk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from routesieve.collect.bird_values import (
    EMPTY,
    block_communities,
    parse_as_path,
    parse_block_path,
    parse_communities,
    parse_prefix_text,
)
from routesieve.model import AsPath, ParseError, Prefix, Route
from routesieve.problems import Problem

__all__ = ["parse_as_path", "parse_communities", "parse_show_route", "read_piece"]

_ROUTE_TYPES = frozenset({"unicast", "unreachable", "blackhole", "prohibit", "via", "dev"})
_NEXT_HOP_LINES = ("\tvia ", "\tdev ", "\t\tvia ", "\tmpls ")
_PATH = "\tBGP.as_path:"
_HEADS = ("\tBGP.community:", "\tBGP.large_community:", "\tBGP.ext_community:")
_SET_STARTS = {head[5:8]: (head, kind) for kind, head in enumerate(_HEADS)}


def parse_show_route(
    texts: Iterable[str],
    peer_asn: int,
    session: str,
    source: str,
    place: str = "",
    paths: dict[str, AsPath] | None = None,
    prefixes: dict[str, Prefix] | None = None,
    *,
    by_block: bool = True,
) -> tuple[list[Route], list[Problem]]:
    """The routes of one session in ``show route all`` text, given as pieces of whole
    lines (what :meth:`BirdClient.texts` yields: each piece ends in a newline), and the
    problems found. ``paths`` and ``prefixes`` may be shared between calls so that a path
    or prefix text is read once and is one object for every route that has it.

    A route as BIRD prints it is read in one go by a regular expression (``by_block``);
    anything else, and every route where that finds something wrong, is read line by
    line, which gives the same routes and problems for any text (``by_block=False``
    reads everything so, the reference the tests compare with).
    """
    reader = _Reader(peer_asn, session, source, place, paths, prefixes)
    for text in texts:
        if not text:
            continue
        if by_block:
            reader.read_blocks(text)
        else:
            for line in text.removesuffix("\n").split("\n"):
                reader.line(line)
    reader.finish()
    return reader.routes, reader.problems


def read_piece(
    text: str,
    peer_asn: int,
    session: str,
    source: str,
    place: str,
    lineno: int,
    last_prefix: str,
) -> tuple[list[Route], list[Problem], str]:
    """The routes and problems of ``text`` (whole lines) that starts a route line (or the
    reply) after ``lineno`` lines whose last prefix was ``last_prefix``, as
    :func:`parse_show_route` reads that part of a reply; and the last prefix after it."""
    reader = _Reader(peer_asn, session, source, place, None, None)
    reader.lineno = lineno
    reader.last_prefix = last_prefix
    reader.read_blocks(text)
    reader.finish()
    return reader.routes, reader.problems, reader.last_prefix


_MAX_HELD = 1 << 20  # characters of a route held back: no route is that long
_TYPES = "unicast|unreachable|blackhole|prohibit"
# any number of BGP attribute lines other than the path and the communities
_OTHER_BGP = r"(?:\tBGP\.(?!as_path:|community:|large_community:|ext_community:)[^\n]*\n)*+"


def _list_line(attribute: str, group: str) -> str:
    """An optional community line, its list, and the lines that continue a long list."""
    return rf"(?:\tBGP\.{attribute}:(?P<{group}>[^\n]*)\n(?P<{group}c>(?:\t+\([^\n]*\n)*+))?"


_ROUTE = (
    # the route line: a prefix, or blanks for another route of the previous prefix
    rf"(?:(?P<pfx>[0-9A-Fa-f:.]+/[0-9]+)|[ ])[ ]*(?:{_TYPES})[ ][^\n]*\[[^\n]*\n"
    # next hops, Type: and other lines that are not BGP attributes
    r"(?:\t(?!BGP\.)(?:via |dev |\tvia |mpls |[^\n:]*:)[^\n]*\n)*+"
    + _OTHER_BGP
    # the path, as the line-by-line reading strips it
    + r"\tBGP\.as_path: (?P<path>\S(?:[^\n]*\S)?)\n"
    + _OTHER_BGP
    + _list_line("community", "std")
    + _OTHER_BGP
    + _list_line("ext_community", "ext")
    + _OTHER_BGP
    + _list_line("large_community", "lar")
    + _OTHER_BGP
)
_ENDS = r"(?=(?!\t)[^\n]*?\S)"  # the next line ends the route: no attribute line, not blank
_LINE = r"|(?P<line>[^\n]*)\n"  # or else one line, to be read line by line
_BLOCK = re.compile(_ROUTE + _ENDS + _LINE)
_LAST_BLOCK = re.compile(_ROUTE + rf"(?:{_ENDS}|\Z)" + _LINE)  # at the end of the text


class _Reader:
    """The state of reading one session's ``show route all`` text.

    :meth:`line` reads one line: one step of a loop over the lines with its state in
    attributes (a full table is millions of lines). :meth:`read_blocks` reads whole
    routes where it can and hands the rest to :meth:`line`.
    """

    def __init__(
        self,
        peer_asn: int,
        session: str,
        source: str,
        place: str,
        paths: dict[str, AsPath] | None,
        prefixes: dict[str, Prefix] | None,
    ) -> None:
        self.peer_asn = peer_asn
        self.session = session
        self.source = source
        self.place = place
        self.paths: dict[str, AsPath] = paths if paths is not None else {}
        self.prefixes: dict[str, Prefix] = prefixes if prefixes is not None else {}
        self.routes: list[Route] = []
        self.problems: list[Problem] = []
        self.lineno = 0
        self.is_open = False
        self.last_prefix = ""
        self.raw_prefix = ""
        self.prefix: Prefix | None = None
        self.issues: list[str] = []
        self.path_text: str | None = None
        self.path_line = 0
        self.comms: list[list[str]] = [[], [], []]
        self.set_kind = -1  # the community attribute that a "\t\t(" line continues
        self.held = ""  # the last route of the text read so far, not read yet

    # ---- whole routes ----

    def read_blocks(self, text: str) -> None:
        """Read ``text`` (whole lines). The last route of it is held back until the next
        text or :meth:`finish`, as its attribute lines may go on there."""
        if text[-1:] != "\n":
            text += "\n"
        if self.held:
            text = self.held + text
        cut = _last_route_start(text)
        if cut == 0:  # one route so far: hold it, unless it is too long to be one
            self.held = text if len(text) < _MAX_HELD else ""
            if not self.held:
                self._read_mixed(text, len(text))
            return
        self.held = text[cut:]
        if self.is_open or not self._read_clean(text, cut):
            self._read_mixed(text, cut)

    def _read_clean(self, text: str, cut: int) -> bool:
        """Read ``text`` up to ``cut`` (where its last route starts) when that is all
        routes that ``_BLOCK`` matches whole and reads without a problem, and say so;
        else leave everything as it was and say False."""
        found = _BLOCK.findall(text)
        # the lines from cut on are matched one by one: that route does not end here
        del found[len(found) - text.count("\n", cut) :]
        routes = self.routes
        mark, last_prefix = len(routes), self.last_prefix
        if self._routes(found, routes.append) == len(found):
            self.lineno += text.count("\n", 0, cut)
            return True
        del routes[mark:]
        self.last_prefix = last_prefix
        return False

    def _read_mixed(self, text: str, cut: int, last: bool = False) -> None:
        """Read ``text`` up to ``cut``: each route that ``_BLOCK`` matches whole and reads
        without a problem at once, every other line with :meth:`line`; ``last`` when
        the text ends the reply."""
        counted = 0  # self.lineno counts the lines of text before this position
        one: list[Route] = []
        for m in (_LAST_BLOCK if last else _BLOCK).finditer(text):
            if m.start() >= cut:
                break
            if m.group("line") is None and self._routes((m.groups(),), one.append):
                if self.is_open:
                    self.end_route()
                self.routes.append(one.pop())
                continue
            start, end = m.span()
            self.lineno += text.count("\n", counted, start)
            for line in text[start:end].split("\n")[:-1]:
                self.line(line)
            counted = end
        self.lineno += text.count("\n", counted, cut)

    def _routes(self, blocks: Iterable[tuple[str, ...]], append: Callable[[Route], None]) -> int:
        """Append the route of each block (the groups of a ``_BLOCK`` match) up to the
        first that is not a route as BIRD prints it or has something that cannot be
        read (a prefix, path or community); return how many were appended."""
        peer_asn, session = self.peer_asn, self.session
        prefixes, paths = self.prefixes, self.paths
        done = 0
        for raw, path, std, stdc, ext, extc, lar, larc, _ in blocks:
            if not path:  # a line read alone
                break
            if raw:
                self.last_prefix = raw
            else:
                raw = self.last_prefix
            prefix = prefixes.get(raw)
            if prefix is None:
                prefix = parse_prefix_text(raw) if raw else None
                if prefix is None:
                    break
                prefixes[raw] = prefix
            as_path = paths.get(path)
            if as_path is None:
                as_path = parse_block_path(path)
                if as_path is None:
                    break
                paths[path] = as_path
            if std or stdc or ext or extc or lar or larc:
                communities = block_communities(std, stdc, ext, extc, lar, larc)
                if communities is None:
                    break
                append(Route(peer_asn, prefix, as_path, session, None, raw, communities))
            else:
                append(Route(peer_asn, prefix, as_path, session, None, raw))
            done += 1
        return done

    # ---- line by line ----

    def problem(self, at: int, message: str, line: str | None = None) -> None:
        text = f"{message}: {line.strip()[:200]!r}" if line is not None else message
        self.problems.append(Problem(self.source, at, text, self.place))

    def end_route(self) -> None:
        self.is_open = False
        issues = self.issues
        as_path = EMPTY
        path_text = self.path_text
        if path_text is None:
            issues.append("no BGP.as_path line")
        elif path_text.endswith("..."):
            issues.append(f"AS path too long for BIRD to print whole (line {self.path_line})")
            self.problem(self.path_line, "AS path cut short by BIRD: ..." + path_text[-40:])
        else:
            found = self.paths.get(path_text)
            if found is None:
                try:
                    found = parse_as_path(path_text)
                except ParseError as exc:
                    issues.append(f"unparseable AS path (line {self.path_line}): {exc}")
                    self.problem(self.path_line, f"unparseable AS path: {exc}")
                else:
                    self.paths[path_text] = found
            if found is not None:
                as_path = found
                if not found.segments:
                    issues.append("empty AS path")
        std, large, ext = self.comms
        communities = (*std, *large, *ext) if std or large or ext else ()
        self.routes.append(
            Route(
                self.peer_asn,
                self.prefix,
                as_path,
                self.session,
                "; ".join(issues) or None,
                self.raw_prefix,
                communities,
            )
        )

    def finish(self) -> None:
        if self.held:
            self._read_mixed(self.held, len(self.held), last=True)
            self.held = ""
        if self.is_open:
            self.end_route()

    def line(self, line: str) -> None:
        """Read one line (without its newline)."""
        self.lineno += 1
        lineno = self.lineno
        if line[:1] == "\t":
            if not self.is_open:
                self.problem(lineno, "attribute line outside a route", line)
            elif line[1:5] == "BGP.":
                c = line[5:8]
                if c == "as_" and line.startswith(_PATH):
                    if self.path_text is not None:
                        self.issues.append(f"two AS path lines (line {lineno})")
                    self.path_text = line[13:].strip()
                    self.path_line = lineno
                    self.set_kind = -1
                elif c in _SET_STARTS and line.startswith(_SET_STARTS[c][0]):
                    self.set_kind = _SET_STARTS[c][1]
                    self._communities(lineno, line, line[len(_SET_STARTS[c][0]) :])
                else:
                    self.set_kind = -1
            elif self.set_kind >= 0 and line.lstrip("\t")[:1] == "(":
                self._communities(lineno, line, line)
            elif line.startswith(_NEXT_HOP_LINES) or ":" in line:
                self.set_kind = -1  # next hops and other attributes: not needed
            else:
                self.problem(lineno, "unreadable line in a route", line)
            return
        if not line or line.isspace():
            return
        if line.startswith("Table ") and line.endswith(":"):
            if self.is_open:
                self.end_route()
            return
        # a route line
        if self.is_open:
            self.end_route()
        self.issues = []
        self.path_text = None
        self.comms = [[], [], []]
        self.set_kind = -1
        if line[0] == " ":
            words = line.split(None, 1)
            if not self.last_prefix or not words or words[0] not in _ROUTE_TYPES:
                self.problem(lineno, "not a route line", line)
                return
            raw = self.last_prefix
        else:
            raw, _, rest = line.partition(" ")
            word = rest.split(None, 1)[0] if rest.strip() else ""
            if "/" not in raw or word not in _ROUTE_TYPES or "[" not in rest:
                self.problem(lineno, "not a route line", line)
                return
            self.last_prefix = raw
        self.is_open = True
        self.raw_prefix = raw
        try:
            self.prefix = Prefix.parse(raw)
        except ParseError:
            self.prefix = None
            self.issues.append(f"unparseable prefix {raw!r} (line {lineno})")
            self.problem(lineno, f"unparseable prefix {raw!r}", line)

    def _communities(self, lineno: int, line: str, text: str) -> None:
        try:
            self.comms[self.set_kind].extend(parse_communities(self.set_kind, text))
        except ParseError as exc:
            self.problem(lineno, str(exc), line)
            self.set_kind = -1


def _last_route_start(text: str) -> int:
    """Where the last line of ``text`` that does not start with a tab starts (0: none)."""
    end = len(text) - 1
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        if text[start] != "\t":
            return start
        end = start - 1
    return 0
