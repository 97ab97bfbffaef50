"""The columns an evaluation leaves behind: what decided each merged route."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from routesieve.engine.as_sets import Expansion
from routesieve.engine.aspa import AspaResult
from routesieve.engine.index import SnapshotIndex
from routesieve.engine.paths import PathFacts
from routesieve.engine.table import RouteTable
from routesieve.policy import Policy

I32 = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Decisions:
    """``rule`` indexes ``rules.ALL_RULES``; ``detail`` is the rule's own evidence index
    (a bogon, an exchange prefix, an ASN, a VRP, a seed row or a route object);
    ``rpki_state`` uses the codes of ``engine.rpki``; the handle columns give the matched
    handle entry of the peer (4.3) and of the origin (4.5), or -1; ``aspa`` the ASPA
    verification, with its evidence, of every row X-ASPA rejected. The VRP and
    handle columns are int32 (indexes into the snapshot's tables, half the width);
    ``detail`` is int64, as it holds 32-bit AS numbers too."""

    index: SnapshotIndex
    policy: Policy
    table: RouteTable
    facts: PathFacts
    rule: npt.NDArray[np.int8]
    detail: npt.NDArray[np.int64]  # AS numbers too (3.8, X-BOGON-ASN)
    rpki_state: npt.NDArray[np.int8]
    rpki_vrp: I32
    rir_peer: I32
    org_peer: I32
    rir_origin: I32
    org_origin: I32
    expansions: dict[int, Expansion]
    warnings: tuple[str, ...]
    aspa: dict[int, AspaResult] = field(default_factory=dict)
