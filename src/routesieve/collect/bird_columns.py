"""BIRD 2's ``show route all`` read into columns (:class:`ReceivedRoutes`), in bulk.

The reply's data lines are taken as the socket hands them on, each with its reply code
or leading space (:meth:`BirdClient.blocks`), a piece at a time (some megabytes, cut where
a route line with a prefix starts). Each piece becomes an Arrow string array of lines over
its bytes (no copy; each line's text starts after its code) and the lines are classified
by their first bytes (numpy) and Arrow's regular expressions: route lines, ``Table``
lines, blank lines, and the attribute lines of a route (the path, the three community
lists and their continuation lines, and lines that are not needed: next hops, ``Type:``,
other BGP attributes). Prefix, path and community texts are read once per distinct text
(:mod:`routesieve.collect.text_columns`); no Python object is made per route.

Only text exactly as BIRD prints routes without anything wrong is read so: a piece with
any line this reading does not expect, a prefix, path or community that does not read
cleanly, a route with no path or two, a path cut short (``...``) or with confederation
segments, goes whole to the per-route reader of :mod:`routesieve.collect.bird_show`,
which gives the routes and the problems (with their line numbers) of today; the columns
of both agree exactly (``tests/collect_bird/test_bird_columns.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.collect.bird_communities import HEADS, read_communities
from routesieve.collect.bird_lines import Lines, cut, mask, without_codes
from routesieve.collect.bird_show import read_piece
from routesieve.collect.read_ahead import read_ahead
from routesieve.collect.text_columns import POOL, parse_prefixes, plain_path, plain_paths
from routesieve.columnar.arrays import PrefixArray
from routesieve.columnar.coded import Coded, CodedText
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.model import MAX_ASN
from routesieve.problems import Problem

I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]

PIECE = 4 << 20  # bytes of data lines read at a time (fewest steps on a full table)
_NEWLINE, _TAB, _SPACE = 10, 9, 32
_GOES_ON = np.array([_TAB, ord("(")], np.uint8)
_WINDOW = len("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128") + 1  # a prefix and a space
# what a line's text (after its code) must be, and the newline and code before it
_ROUTE = r"(?:[0-9A-Fa-f:.]+/[0-9]+)? +(?:unicast|unreachable|blackhole|prohibit) .*\["
_TABLE = r"Table .*:$"
_BLANK = r" *$"
# AS numbers of up to ten digits (checked against MAX_ASN after), no leading zeros
_PATH = rf"^{plain_path(r'(?:0|[1-9][0-9]{0,9})')}$"
_BGP = b"\tBGP."
_PATH_NAME = b"as_path:"
_PATH_HEAD = "\tBGP.as_path: "
# kind 0 standard, 1 large, 2 extended (the order of the line-by-line reading)
_NEXT_HOPS = (b"\tvia ", b"\tdev ", b"\t\tvia ", b"\tmpls ")
_PREFIX_CHARS = frozenset(b"0123456789abcdefABCDEF:.")


def read_show_route_columns(
    texts: Iterable[str],
    peer_asn: int,
    session: str,
    source: str,
    place: str = "",
) -> tuple[ReceivedRoutes, list[Problem]]:
    """The routes of one session in ``show route all`` text (pieces of whole lines, codes
    taken off, as :meth:`BirdClient.texts` yields them) as columns, and the problems
    found: the same routes and problems as
    :func:`~routesieve.collect.bird_show.parse_show_route`."""
    return read_show_route_blocks(_as_blocks(texts), peer_asn, session, source, place)


def read_show_route_blocks(
    blocks: Iterable[bytes],
    peer_asn: int,
    session: str,
    source: str,
    place: str = "",
) -> tuple[ReceivedRoutes, list[Problem]]:
    """As :func:`read_show_route_columns`, from the reply's data lines with their codes
    (blocks of whole lines, as :meth:`BirdClient.blocks` yields them): the codes are
    stepped over where each line is looked at, never copied away."""
    reader = _Pieces(peer_asn, session, source, place)
    held: list[bytes] = []
    size = 0
    enough = PIECE  # a piece is cut when this much is held (more when none could be)
    for block in read_ahead(blocks):
        if not block:
            continue
        if not block.isascii():  # bytes that are not UTF-8 read as the text reader reads them
            block = block.decode("utf-8", "replace").encode()
        if block[-1] != _NEWLINE:
            block += b"\n"
        held.append(block)
        size += len(block)
        if size < enough:
            continue
        whole = b"".join(held)
        cut = _last_prefixed_route(whole)
        held, size, enough = [whole], len(whole), 2 * len(whole)
        if cut > 0:
            reader.piece(memoryview(whole)[:cut])
            held, size, enough = [whole[cut:]], len(whole) - cut, PIECE
    if size:
        reader.piece(b"".join(held))
    return reader.result()


def _as_blocks(texts: Iterable[str]) -> Iterator[bytes]:
    """Text without codes as data lines: each line a continuation line (a space before
    it). Closing this closes ``texts``."""
    try:
        for text in texts:
            if text:
                lines = text.encode().replace(b"\n", b"\n ")
                yield b" " + (lines[:-1] if lines.endswith(b"\n ") else lines)
    finally:
        close = getattr(texts, "close", None)
        if close is not None:
            close()


class _Pieces:
    """Pieces of one reply, read in turn: columns where they read cleanly, else routes
    of the per-route reader; the line count and the last prefix go from one to the next."""

    def __init__(self, peer_asn: int, session: str, source: str, place: str) -> None:
        self.peer_asn = peer_asn
        self.session = session
        self.source = source
        self.place = place
        self.parts: list[ReceivedRoutes] = []
        self.path_texts: list[pa.Array | None] = []  # of each part read as columns
        self.problems: list[Problem] = []
        self.lineno = 0
        self.last_prefix = ""

    def piece(self, block: bytes | memoryview) -> None:
        lines = Lines.of(block)
        read = _columns(lines, self.peer_asn, self.session, self.last_prefix)
        if read is None:
            routes, problems, self.last_prefix = read_piece(
                without_codes(bytes(block)),
                self.peer_asn,
                self.session,
                self.source,
                self.place,
                self.lineno,
                self.last_prefix,
            )
            got, texts = ReceivedRoutes.of(routes), None
            self.problems.extend(problems)
        else:
            got, self.last_prefix, texts = read
        if len(got):
            self.parts.append(got)
            self.path_texts.append(texts)
        self.lineno += len(lines)

    def result(self) -> tuple[ReceivedRoutes, list[Problem]]:
        texts = self.path_texts
        if len(texts) < 2 or any(t is None for t in texts):
            return ReceivedRoutes.concat(self.parts), self.problems
        # path texts as BIRD prints them read as columns: equal paths, equal texts
        same = pc.dictionary_encode(pa.concat_arrays(texts)).indices
        same_paths = same.to_numpy(zero_copy_only=False).astype(np.int64)
        return ReceivedRoutes.concat(self.parts, same_paths), self.problems


def _last_prefixed_route(block: bytes) -> int:
    """Where the last line of ``block`` (data lines) whose text starts with a prefix
    character starts (0: none but the first): a piece may end there and the next start."""
    end = len(block) - 1
    while end > 0:
        start = block.rfind(b"\n", 0, end) + 1
        if start == 0:
            return 0
        if block[start + (1 if block[start] == _SPACE else 5)] in _PREFIX_CHARS:
            return start
        end = start - 1
    return 0


def _headed(data: U8, first: I64, rows: I64, head: bytes) -> I64:
    """The ``rows`` whose line starts with ``head`` (``first``: where each line's text
    starts), a byte of every row at a time."""
    at = first[rows]
    found: Bools = data[at] == head[0]
    for k in range(1, len(head)):
        found &= data[at + k] == head[k]
    out: I64 = rows[found]
    return out


def _rows(n: int, rows: I64) -> Bools:
    out = np.zeros(n, np.bool_)
    out[rows] = True
    return out


def _columns(
    lines: Lines, peer_asn: int, session: str, last_prefix: str
) -> tuple[ReceivedRoutes, str, pa.Array] | None:
    """The routes of a piece's lines as columns, the last prefix text and the text of
    each path; None when anything in it is not a route as BIRD prints it, read without a
    problem."""
    data, first = lines.data, lines.first
    n = len(lines)
    is_tab = data[first] == _TAB
    # lines out of routes: blank (they end nothing) or a table heading (it ends a route)
    is_route = lines.where(~is_tab, _ROUTE)
    rest = ~is_tab & ~is_route
    if rest.any():
        is_table = lines.where(rest, _TABLE)
        if not (is_table | lines.where(rest, _BLANK))[rest].all():
            return None
    else:
        is_table = rest
    index = np.arange(n, dtype=np.int64)
    # every attribute line belongs to the route line before it (blank lines between)
    owner = np.maximum.accumulate(np.where(is_route | is_table, index, -1))
    tabs = np.flatnonzero(is_tab)
    if len(tabs):
        owners = owner[tabs]
        if (owners < 0).any() or not is_route[owners].all():
            return None
    route_id = np.cumsum(is_route) - 1
    routes = int(is_route.sum())
    if routes == 0:
        return (ReceivedRoutes.of(()), last_prefix, pa.array([])) if not len(tabs) else None

    bgp = _headed(data, first, tabs, _BGP)
    is_bgp = _rows(n, bgp)
    # the attribute's first letter picks the lines each attribute head is compared with
    letter = data[first[bgp] + len(_BGP)]
    paths_at, *kind_at = (
        _headed(data, first + len(_BGP), bgp[letter == head[0]], head)
        for head in (_PATH_NAME, *HEADS)
    )
    kinds = [_rows(n, rows) for rows in kind_at]
    is_comm = kinds[0] | kinds[1] | kinds[2]
    # a continuation line: tabs, then "(" (only lines that go on with a tab or "(" can be)
    plain = tabs[~is_bgp[tabs]]
    maybe = plain[np.isin(data[first[plain] + 1], _GOES_ON)]
    is_more = lines.where(_rows(n, maybe), r"\t+\(")
    # other attribute lines are read past: BGP attributes, next hops, "name: value"
    other = np.flatnonzero(is_tab & ~is_bgp & ~is_more)
    if len(other):
        # (a code has no colon)
        fine = pc.match_substring(lines.array.take(pa.array(other)), ":", memory_pool=POOL)
        hops = [_headed(data, first, other, head) for head in _NEXT_HOPS]
        if not (fine.to_numpy(zero_copy_only=False) | _rows(n, np.concatenate(hops))[other]).all():
            return None
    # a continuation goes on right after its community line (or another continuation)
    if is_more.any():
        before = np.flatnonzero(is_more) - 1
        if (before < 0).any() or not (is_comm | is_more)[before].all():
            return None
    # one path line a route, as BIRD prints a path it holds whole
    if not np.array_equal(np.bincount(route_id[paths_at], minlength=routes), np.ones(routes)):
        return None
    if not (data[first[paths_at] + len(_PATH_HEAD) - 1] == _SPACE).all():
        return None
    path_codes = pc.dictionary_encode(lines.texts(paths_at, len(_PATH_HEAD)))
    if not mask(path_codes.dictionary, _PATH).all():
        return None

    prefixes = _prefixes(data, first[is_route], last_prefix)
    if prefixes is None:
        return None
    raw, last, prefix_codes, prefix_cols = prefixes
    paths = plain_paths(path_codes.dictionary)
    if len(paths.asns) and int(paths.asns.max()) > MAX_ASN:
        return None
    path_id = path_codes.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    communities = read_communities(lines, kinds, is_comm, is_more, route_id, routes)
    if communities is None:
        return None
    got = ReceivedRoutes(
        np.full(routes, peer_asn, np.uint32),
        prefix_cols.take(prefix_codes),
        np.ones(routes, np.bool_),
        path_id,
        paths,
        Coded(np.zeros(routes, np.uint32), (session,)),
        raw,
        communities,
        np.empty(0, np.int64),
        (),
    )
    return got, last, path_codes.dictionary


def _prefixes(
    data: U8, starts: I64, last_prefix: str
) -> tuple[CodedText, str, I64, PrefixArray] | None:
    """The prefix text of each route line (starting at ``starts``; a line that starts
    with a space has the prefix of the one before) as codes into the distinct texts, the
    last of them, the code of each route, and the distinct prefixes; None when one does
    not read."""
    named = np.flatnonzero(data[starts] != _SPACE)
    # a route line starts "<prefix> " or " " (the route pattern made sure of it)
    texts = cut(data, starts[named], _first_space(data, starts[named]))
    if not len(named) or named[0] != 0:  # the first route line has no prefix: the one before
        if not last_prefix:
            return None
        texts = pa.concat_arrays([pa.array([last_prefix], pa.large_string()), texts])
        named = np.concatenate([np.zeros(1, np.int64), named])
    coded = pc.dictionary_encode(texts)
    ok, cols = parse_prefixes(coded.dictionary)
    if not ok.all():
        return None
    # each route: the text of the last route line with one, up to it
    last_named = np.zeros(len(starts), np.int64)
    last_named[named] = np.arange(len(named), dtype=np.int64)
    np.maximum.accumulate(last_named, out=last_named)
    indices = coded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    codes: I64 = indices[last_named]
    raw = _coded_text(codes, coded.dictionary)
    return raw, raw.text(int(codes[-1])), codes, cols


def _first_space(data: U8, starts: I64) -> I64:
    """Where the first space at or after each of ``starts`` is (there is one in the line):
    within the longest prefix text, ``_WINDOW`` bytes, looked at all at once."""
    window = data[np.minimum(starts[:, None] + np.arange(_WINDOW), len(data) - 1)] == _SPACE
    found = window.any(axis=1)
    out: I64 = starts + window.argmax(axis=1)
    if not found.all():  # a longer text (not a prefix): the spaces of the whole piece
        spaces = np.flatnonzero(data == _SPACE)
        far = np.flatnonzero(~found)
        out[far] = spaces[np.searchsorted(spaces, starts[far])]
    return out


def _coded_text(codes: I64, texts: pa.Array) -> CodedText:
    """Codes into Arrow's large strings ``texts`` as a :class:`CodedText` (its buffers)."""
    offsets = np.frombuffer(texts.buffers()[1], np.int64, len(texts) + 1, texts.offset * 8)
    data = np.frombuffer(texts.buffers()[2], np.uint8)[int(offsets[0]) : int(offsets[-1])]
    return CodedText(codes.astype(np.uint32), offsets - offsets[0], data)
