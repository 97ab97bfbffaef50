"""RIR handle matching (rule 4.3, and the handle half of 4.5), in bulk."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from routesieve.engine.cover import PrefixColumns
from routesieve.engine.index import HandleIndex

I64 = npt.NDArray[np.int64]


def handle_matches(
    h: HandleIndex, prefixes: PrefixColumns, asns: I64, among: I64 | None = None
) -> I64:
    """Per row, the handle entry that ties the prefix to the AS, or -1.

    RIR statistics: any delegation that contains the prefix counts. RPSL org handles:
    only the most specific inetnum/inet6num that contains the prefix counts.
    ``among``: the distinct values of ``asns``, sorted (when known, the search runs in
    their pairs alone: a table's few peers hold a small part of all the pairs).
    """
    n = len(prefixes)
    if h.cover.size == 0 or len(h.asns) == 0 or n == 0:
        return np.full(n, -1, np.int64)
    pairs = h.asns if among is None else h.asns.only(among)

    def ties(r: I64, e: I64) -> npt.NDArray[np.bool_]:
        return pairs.contains(asns[r], h.code[e])

    (found,) = h.cover.find(prefixes, (ties,), deepest_only=h.most_specific_only)
    return found
