"""The values in BIRD 2's ``show route all`` text: AS paths, community lists, prefixes.

BIRD writes an AS_SET as ``{a b}``, an AS_CONFED_SEQUENCE as ``(a b)`` and an
AS_CONFED_SET as ``({a b})``; communities as ``(65001,100)``, large ones as ``(1, 2, 3)``,
extended ones as ``(rt, 65001, 7)``. The ``_``-named readers are those of the per-route
reading (:mod:`routesieve.collect.bird_show`): None where the line-by-line reading finds
something wrong.
"""

from __future__ import annotations

import re
import socket

from routesieve.model import MAX_ASN, AsPath, ParseError, Prefix, Segment, SegmentType
from routesieve.prefix import BITS

_SEQ = SegmentType.AS_SEQUENCE
_SEQ_TEXT = re.compile(r"[0-9]{1,10}(?: [0-9]{1,10})*")
_new_tuple = tuple.__new__  # a named tuple made without its Python-level __new__
_MASKS = {
    version: [((1 << bits) - 1) ^ ((1 << (bits - n)) - 1) for n in range(bits + 1)]
    for version, bits in BITS.items()
}
_STD_LIST = re.compile(r"\([0-9]{1,5},[0-9]{1,5}\)(?: \([0-9]{1,5},[0-9]{1,5}\))*")
_N = "[0-9]{1,10}"
_LARGE_LIST = re.compile(rf"\({_N}, {_N}, {_N}\)(?: \({_N}, {_N}, {_N}\))*")
_OPENERS = {
    "{": SegmentType.AS_SET,
    "(": SegmentType.AS_CONFED_SEQUENCE,
    "({": SegmentType.AS_CONFED_SET,
}
# "}" closes "{", ")" closes "(" and "})" closes "({"
_CLOSERS = {kind: o[::-1].replace("{", "}").replace("(", ")") for o, kind in _OPENERS.items()}


def parse_as_path(text: str) -> AsPath:
    """An AS path as BIRD prints it: ``65001 65002 {65003 65004} (65005) ({65006})``."""
    if _SEQ_TEXT.fullmatch(text):  # the common case: one AS_SEQUENCE, checked in C
        asns = tuple(map(int, text.split(" ")))
        if len(text) > 9 and max(asns) > MAX_ASN:
            raise ParseError(f"AS number over {MAX_ASN} in {text!r}")
        return AsPath((_new_tuple(Segment, (_SEQ, asns)),))
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


EMPTY = AsPath(())


def parse_prefix_text(raw: str) -> Prefix | None:
    """``Prefix.parse`` of ``[0-9A-Fa-f:.]+/[0-9]+`` (as ``_BLOCK`` found it) in fewer
    steps; None where it raises ParseError."""
    addr, _, plen = raw.partition("/")
    length = int(plen) if len(plen) <= 3 else 999
    try:
        if ":" in addr:
            version, packed = 6, socket.inet_pton(socket.AF_INET6, addr)
        elif addr.count(".") == 3:
            version, packed = 4, socket.inet_aton(addr)
        else:
            return None
    except OSError:
        return None
    masks = _MASKS[version]
    if length >= len(masks):
        return None
    return _new_tuple(Prefix, (version, int.from_bytes(packed, "big") & masks[length], length))


def parse_block_path(text: str) -> AsPath | None:
    """``parse_as_path`` of a path as ``_BLOCK`` found it; None where reading it line by
    line finds something wrong (a path cut short or unreadable, an empty path)."""
    if text.endswith("..."):
        return None
    try:
        path = parse_as_path(text)
    except ParseError:
        return None
    return path if path.segments else None


def block_communities(
    std: str | None,
    std_more: str | None,
    ext: str | None,
    ext_more: str | None,
    large: str | None,
    large_more: str | None,
) -> tuple[str, ...] | None:
    """The communities of a block in the order of the line-by-line reading (standard,
    large, extended); None when one cannot be read."""
    try:
        return (
            *_community_list(0, std, std_more),
            *_community_list(1, large, large_more),
            *_community_list(2, ext, ext_more),
        )
    except ParseError:
        return None


def _community_list(kind: int, first: str | None, more: str | None) -> list[str]:
    """The communities of a community line and the lines that continue it."""
    found = parse_communities(kind, first) if first else []
    if more:
        for line in more.split("\n")[:-1]:
            found.extend(parse_communities(kind, line))
    return found
