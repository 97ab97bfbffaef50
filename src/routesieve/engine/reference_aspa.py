"""ASPA verification written straight from the pseudo-code of
draft-ietf-sidrops-aspa-verification-28 §5, for tests only.

No index, no early exits, no evidence: a list of ASPA records scanned for every hop, the
path numbered AS(1) (origin) .. AS(N) (neighbour) exactly as the draft numbers it, and
each ramp bound computed by its own definition. :mod:`routesieve.engine.aspa` must give
the same outcome for every path (tests/engine/test_aspa_matches_reference.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from routesieve.model import Aspa, AsPath

PROVIDER_PLUS = "Provider+"
NOT_PROVIDER_PLUS = "Not Provider+"
NO_ATTESTATION = "No Attestation"


def hop(aspas: Sequence[Aspa], as_of: int, customer: int, provider: int) -> str:
    """§5.3 ``authorized()``: ``provider`` against the (merged) ASPAs of ``customer``."""
    records = [
        a for a in aspas if a.customer == customer and (a.expires is None or a.expires >= as_of)
    ]
    if not records:
        return NO_ATTESTATION
    for record in records:
        if provider in record.providers:
            return PROVIDER_PLUS
    return NOT_PROVIDER_PLUS


def verify(
    aspas: Sequence[Aspa], as_of: int, path: AsPath, neighbour: int | None, downstream: bool
) -> str:
    """ "Valid", "Invalid" or "Unknown" for ``path`` received from ``neighbour`` (None when
    it came through a transparent route server: no first-AS check)."""
    if path.is_empty:  # step 1
        return "Invalid"
    if neighbour is not None and path.first != neighbour:  # step 2
        return "Invalid"
    if path.has_set:  # step 3
        return "Invalid"
    received = list(path.asns())
    collapsed: list[int] = []
    for a in received:
        if not collapsed or collapsed[-1] != a:
            collapsed.append(a)
    n = len(collapsed)
    as_ = {i: collapsed[n - i] for i in range(1, n + 1)}  # AS(1) origin .. AS(N) neighbour

    def h(i: int, j: int) -> str:
        return hop(aspas, as_of, as_[i], as_[j])

    # §5.4
    not_plus_up = [u for u in range(2, n + 1) if h(u - 1, u) == NOT_PROVIDER_PLUS]
    max_up_ramp = min(not_plus_up) - 1 if not_plus_up else n
    not_sure_up = [u for u in range(2, n + 1) if h(u - 1, u) != PROVIDER_PLUS]
    min_up_ramp = min(not_sure_up) - 1 if not_sure_up else n
    not_plus_down = [v for v in range(1, n) if h(v + 1, v) == NOT_PROVIDER_PLUS]
    max_down_ramp = n - max(not_plus_down) if not_plus_down else n
    not_sure_down = [v for v in range(1, n) if h(v + 1, v) != PROVIDER_PLUS]
    min_down_ramp = n - max(not_sure_down) if not_sure_down else n

    if not downstream:  # §5.5
        if max_up_ramp < n:
            return "Invalid"
        if min_up_ramp < n:
            return "Unknown"
        return "Valid"
    if max_up_ramp + max_down_ramp < n:  # §5.6
        return "Invalid"
    if min_up_ramp + min_down_ramp < n:
        return "Unknown"
    return "Valid"
