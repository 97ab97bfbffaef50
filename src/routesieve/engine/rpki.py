"""RFC 6811 origin validation, in bulk, keeping the deciding VRP as evidence."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from routesieve.engine.cover import CoverIndex, PrefixColumns, first_hit
from routesieve.engine.index import SnapshotIndex
from routesieve.model import Prefix, RpkiState, Vrp

I64 = npt.NDArray[np.int64]
I8 = npt.NDArray[np.int8]

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
) -> tuple[I8, I64]:
    """The state of each row and the VRP that decided it (-1 when none covers it).

    A VRP for AS 0 never matches an origin, so it can only make a route INVALID_ASN.
    """
    n = len(prefixes)
    rid, eid = index.vrp_cover.pairs(prefixes)
    keep = computed[rid]
    rid, eid = rid[keep], eid[keep]
    vrp_asn = index.vrp_asn[eid]
    same = (vrp_asn == origin[rid]) & (vrp_asn != 0)
    fits = prefixes.length[rid] <= index.vrp_max[eid]
    valid_vrp = first_hit(n, rid[same & fits], eid[same & fits])
    same_vrp = first_hit(n, rid[same], eid[same])
    any_vrp = first_hit(n, rid, eid)
    state = np.full(n, UNKNOWN, np.int8)
    state[any_vrp >= 0] = INVALID_ASN
    state[same_vrp >= 0] = INVALID_LENGTH
    state[valid_vrp >= 0] = VALID
    state[~computed] = NOT_COMPUTED
    evidence = np.where(valid_vrp >= 0, valid_vrp, np.where(same_vrp >= 0, same_vrp, any_vrp))
    return state, evidence


def covering_vrps(cover: CoverIndex, vrps: list[Vrp], prefix: Prefix) -> list[Vrp]:
    """Every VRP that covers ``prefix`` (for ``explain``), most specific first."""
    _, eid = cover.pairs(PrefixColumns.of([prefix]))
    found = [vrps[i] for i in sorted(set(eid.tolist()))]
    return sorted(found, key=lambda v: (-v.prefix.length, v.asn, v.max_length))
