"""The JSON lines of a collect file (:mod:`routesieve.collect.store`) written from columns.

``route_lines`` gives, for a :class:`ReceivedRoutes`, exactly the bytes that
``orjson.dumps(route_json(route)) + b"\\n"`` gives route by route, built a column at a
time with Arrow: the prefix and path texts by :mod:`routesieve.outputs.arrow_text`, the
session and communities once per distinct value. A route with a problem or without a
prefix (rare: a route BIRD printed that could not be read) is written by ``route_json``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.columnar.coded import Coded
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.engine.cover import PrefixColumns
from routesieve.model import Route
from routesieve.outputs.arrow_text import numbers, path_texts, prefix_texts, replace_at

T = TypeVar("T")


def route_lines(
    routes: ReceivedRoutes, route_json: Callable[[Route], dict[str, object]]
) -> memoryview:
    """The collect-file lines of every route, each ending in a newline, as one buffer."""
    n = len(routes)
    if n == 0:
        return memoryview(b"")
    path_id = pa.array(routes.path_id)
    parts = [
        '{"peer_asn":',
        numbers(routes.peer_asn),
        ',"prefix":"',
        prefix_texts(PrefixColumns.of_array(routes.prefix)),
        '","as_path":"',
        path_texts(routes.paths).take(path_id),
        '"',
        _coded(
            routes.session, lambda s: b',"session":' + orjson.dumps(s) if s is not None else b""
        ),
        _coded(
            routes.communities,
            lambda c: b',"communities":' + orjson.dumps(list(c)) if c else b"",
        ),
        "}\n",
    ]
    texts = pc.binary_join_element_wise(*parts, "")
    odd = np.union1d(routes.problem_rows, np.flatnonzero(~routes.has_prefix))
    if len(odd):
        texts = replace_at(
            texts,
            odd,
            [orjson.dumps(route_json(routes.row(i))).decode() + "\n" for i in odd.tolist()],
        )
    return _data(texts)


def _coded(column: Coded[T], text: Callable[[T], bytes]) -> pa.Array:
    """The JSON member text of each row of a coded column, made once per distinct value."""
    values: Sequence[str] = [text(v).decode() for v in column.values]
    return pa.array(values, pa.string()).take(pa.array(column.codes))


def _data(texts: pa.Array) -> memoryview:
    """The characters of all ``texts``, one after the other, without a copy."""
    kind = np.int64 if pa.types.is_large_string(texts.type) else np.int32
    offsets = np.frombuffer(texts.buffers()[1], kind)[texts.offset : texts.offset + len(texts) + 1]
    data = memoryview(texts.buffers()[2])
    return data[int(offsets[0]) : int(offsets[-1])]
