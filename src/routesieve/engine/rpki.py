"""RFC 6811 origin validation, in bulk, keeping the deciding VRP as evidence."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from routesieve.engine.cover import CoverIndex, PrefixColumns, run_starts
from routesieve.engine.index import SnapshotIndex
from routesieve.model import Prefix, RpkiState, Vrp

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]
Bools = npt.NDArray[np.bool_]

# state codes in the columns; -1 is "not computed" (no prefix or no origin)
NOT_COMPUTED, UNKNOWN, VALID, INVALID_LENGTH, INVALID_ASN = -1, 0, 1, 2, 3
STATES: dict[int, RpkiState | None] = {
    NOT_COMPUTED: None,
    UNKNOWN: RpkiState.UNKNOWN,
    VALID: RpkiState.VALID,
    INVALID_LENGTH: RpkiState.INVALID_LENGTH,
    INVALID_ASN: RpkiState.INVALID_ASN,
}


def rpki_states(
    index: SnapshotIndex, prefixes: PrefixColumns, origin: I64, computed: npt.NDArray[np.bool_]
) -> tuple[I8, npt.NDArray[np.int32]]:
    """The state of each row and the VRP that decided it (-1 when none covers it).

    One walk of each row's covering VRP prefixes, most specific first, finds the VRP
    cited for Valid (same AS, length within maxLength), for Invalid length (same AS) and
    for Invalid AS (any VRP). A VRP for AS 0 never matches an origin, so it can only
    make a route INVALID_ASN.
    """
    n = len(prefixes)
    rows = np.flatnonzero(computed)
    sub = prefixes.take(rows)
    row_origin = origin[rows]
    # a state depends on the prefix and the origin alone: rows equal to the row before
    # them in both (a table sorted by address holds a prefix's rows from several peers
    # next to each other) take the first one's state and VRP instead of a walk of their own
    starts = run_starts(sub, row_origin)
    lead = np.flatnonzero(starts)
    run: I64 | None = None
    if len(lead) < len(rows):
        run = np.cumsum(starts) - 1
        sub, row_origin = sub.take(lead), row_origin[lead]
    row_length = sub.length
    vrp_asn, vrp_max = index.vrp_asn, index.vrp_max

    def same(r: I64, e: I64) -> Bools:
        asn = vrp_asn[e]
        found: Bools = (asn == row_origin[r]) & (asn != 0)
        return found

    def valid(r: I64, e: I64) -> Bools:
        found: Bools = same(r, e) & (row_length[r] <= vrp_max[e])
        return found

    any_vrp, same_vrp, valid_vrp = index.vrp_cover.find(sub, (None, same, valid))
    found = np.full(len(sub), UNKNOWN, np.int8)
    found[any_vrp >= 0] = INVALID_ASN
    found[same_vrp >= 0] = INVALID_LENGTH
    found[valid_vrp >= 0] = VALID
    cited = np.where(valid_vrp >= 0, valid_vrp, np.where(same_vrp >= 0, same_vrp, any_vrp))
    if run is not None:
        found, cited = found[run], cited[run]
    state = np.full(n, NOT_COMPUTED, np.int8)
    state[rows] = found
    evidence = np.full(n, -1, np.int32)
    evidence[rows] = cited
    return state, evidence


def covering_vrps(cover: CoverIndex, vrps: list[Vrp], prefix: Prefix) -> list[Vrp]:
    """Every VRP that covers ``prefix`` (for ``explain``), most specific first."""
    _, eid = cover.pairs(PrefixColumns.of([prefix]))
    found = [vrps[i] for i in sorted(set(eid.tolist()))]
    return sorted(found, key=lambda v: (-v.prefix.length, v.asn, v.max_length))
