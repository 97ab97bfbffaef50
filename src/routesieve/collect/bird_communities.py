"""The three community lists of BIRD 2's ``show route all`` (``BGP.community``,
``BGP.large_community``, ``BGP.ext_community`` and their continuation lines), read into one
coded column of community tuples per route for :mod:`routesieve.collect.bird_columns`.
Standard and large lists are checked whole by a pattern and rewritten by Arrow's kernels;
extended ones are few and read one distinct text at a time by the per-route code
(:func:`routesieve.collect.bird_values.parse_communities`). Anything else makes the
caller read its piece with the per-route reader (``None``)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.collect.bird_lines import Lines, mask
from routesieve.collect.bird_values import parse_communities
from routesieve.columnar.coded import Coded
from routesieve.model import ParseError

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_BGP = b"\tBGP."
_SEP = "\x1f"  # between the communities of a route while they are columns
_STD = r"\([0-9]{1,5},[0-9]{1,5}\)"
_LARGE = r"\([0-9]{1,10}, [0-9]{1,10}, [0-9]{1,10}\)"
_STD_LIST = rf"{_STD}(?: {_STD})*"
_LARGE_LIST = rf"{_LARGE}(?: {_LARGE})*"
#: the names of the three lists, after ``"\tBGP."``
HEADS = (b"community:", b"large_community:", b"ext_community:")
_LISTS = (_STD_LIST, _LARGE_LIST)


def read_communities(
    lines: Lines,
    kinds: list[Bools],
    is_comm: Bools,
    is_more: Bools,
    route_id: I64,
    routes: int,
) -> Coded[tuple[str, ...]] | None:
    """The communities of each route, standard, large, extended, each in line order."""
    rows = np.flatnonzero(is_comm | is_more)
    if not len(rows):
        return Coded(np.zeros(routes, np.uint32), ((),))
    # the kind of each line: its own, or that of the community line it continues
    kind = np.full(len(lines), -1, np.int64)
    for k, found in enumerate(kinds):
        kind[found] = k
    at = np.maximum.accumulate(np.where(is_comm, np.arange(len(lines)), -1))
    kind = kind[at[rows]]
    own = is_comm[rows]
    items: list[pa.Array] = []
    order: list[I64] = []
    for k in range(3):
        for start in (True, False):
            pick = np.flatnonzero((kind == k) & (own == start))
            if not len(pick):
                continue
            line = rows[pick]
            if start:
                part = lines.texts(line, len(_BGP) + len(HEADS[k]))
                part = pc.utf8_trim(part, " ")  # "\tBGP.community:" alone: no communities
                want = rf"^(?:{_LISTS[k]})?$" if k < 2 else None
            else:
                part = pc.utf8_ltrim(lines.texts(line), "\t")
                want = rf"^{_LISTS[k]}$" if k < 2 else None
            if want is None:
                read = _extended(part)
                if read is None:
                    return None
                part = read
            else:
                if not mask(part, want).all():
                    return None
                part = pc.replace_substring(part, ", " if k else ",", ":")
                part = pc.replace_substring(pc.replace_substring(part, "(", ""), ")", "")
                part = pc.replace_substring(part, " ", _SEP)
            items.append(part)
            order.append(pick)
    texts = pa.concat_arrays(items)
    where = np.concatenate(order)
    line_of = rows[where]
    owner = route_id[line_of]
    sort = np.lexsort((line_of, kind[where], owner))
    texts = texts.take(pa.array(sort))
    owner = owner[sort]
    filled = mask(texts, r".")
    texts = texts.filter(pa.array(filled))
    owner = owner[filled]
    offsets = np.zeros(routes + 1, np.int64)
    np.cumsum(np.bincount(owner, minlength=routes), out=offsets[1:])
    joined = pc.binary_join(
        pa.LargeListArray.from_arrays(pa.array(offsets), texts), pa.scalar(_SEP, pa.large_string())
    )
    coded = pc.dictionary_encode(joined)
    values = tuple(tuple(v.split(_SEP)) if v else () for v in coded.dictionary.to_pylist())
    return Coded(coded.indices.to_numpy(zero_copy_only=False).astype(np.uint32), values)


def _extended(texts: pa.Array) -> pa.Array | None:
    """Extended community lists read one distinct text at a time (they are few)."""
    coded = pc.dictionary_encode(texts)
    out: list[str] = []
    for text in coded.dictionary.to_pylist():
        try:
            found = parse_communities(2, text)
        except ParseError:
            return None
        if any(_SEP in c for c in found):
            return None
        out.append(_SEP.join(found))
    return pa.array(out, pa.large_string()).take(coded.indices)
