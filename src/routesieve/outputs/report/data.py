"""The data files of a peer page: route rows and details, in chunks, as safe JavaScript.

A peer with a full table has a quarter of a million routes: they are not put in the page.
Each chunk of ``CHUNK`` routes is a small ``.js`` file that calls ``RS.load(kind, n,
data)``; the page's script adds one ``<script src>`` per chunk, which works from a web
server and from ``file://`` alike (``fetch`` of local files does not).

``js_data`` is the one way data reaches a script: JSON (orjson) with ``<``, ``>``, ``&``
and the two JavaScript line separators written as ``\\u`` escapes, so no string a peer
controls can end a ``<script>`` element or open a comment, in a ``.js`` file or inline.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import orjson

from routesieve.engine.explain import Explanation
from routesieve.model import Action, Verdict

CHUNK = 20_000  # routes per table data file
DETAIL_CHUNK = 2_000  # routes per detail file: opening one route loads one small file
_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def js_data(value: Any) -> str:
    """JSON text safe inside ``<script>`` and ``.js`` files."""
    text = orjson.dumps(value).decode()
    for char, escaped in _ESCAPES.items():
        if char in text:
            text = text.replace(char, escaped)
    return text


def js_call(kind: str, number: int, value: Any) -> str:
    """The content of one data file: ``RS.load("routes", 0, [...]);``."""
    return f"RS.load({js_data(kind)},{number},{js_data(value)});\n"


def row(v: Verdict) -> list[Any]:
    """One table row: prefix, path, action (``a``/``r``), rule, RPKI state, reason."""
    return [
        v.prefix,
        v.as_path,
        "a" if v.action is Action.ACCEPT else "r",
        v.rule,
        v.rpki.value if v.rpki else "",
        v.reason,
    ]


def step_rows(e: Explanation) -> list[list[Any]]:
    return [[s.rule, s.title, s.outcome, s.detail, s.evidence] for s in e.steps]


def detail(v: Verdict, advice: Sequence[str], explanation: Explanation | None) -> dict[str, Any]:
    """What a row shows when opened: sessions, origin, evidence, advice, and every rule
    (``x``) when the full explanation was computed for it."""
    return {
        "s": list(v.sessions),
        "o": v.origin_asn,
        "e": v.evidence,
        "a": list(advice),
        "x": step_rows(explanation) if explanation is not None else None,
    }


def chunks(count: int, size: int = CHUNK) -> Iterator[tuple[int, range]]:
    """(chunk number, index range) covering ``0..count``."""
    for n, start in enumerate(range(0, count, size)):
        yield n, range(start, min(start + size, count))


def rule_names(titles: Mapping[str, str], used: Sequence[str]) -> list[list[str]]:
    """[code, title] for the filter menu, in rule order."""
    return [[code, titles.get(code, "")] for code in used]
