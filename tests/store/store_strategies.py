"""Hypothesis strategies for small snapshots whose values span what the columns must hold.

Edge values on purpose: AS 0 and 4294967295, /0 and /128 prefixes with the top and low
bits set, expiry times of None, 0, negative and near the int64 limit, empty strings and
text that is not valid Unicode (file names kept as surrogates), thousands of distinct
strings in one column (wider codes). Prefixes come from a small pool so that routes,
VRPs, route objects and delegations meet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hypothesis import strategies as st

from routesieve.columnar import NO_EXPIRY
from routesieve.model import (
    MAX_ASN,
    AsnBlock,
    AsnDelegation,
    Aspa,
    AsPath,
    AsSet,
    Bogon,
    DelegationStatus,
    ExchangePrefix,
    IpDelegation,
    OrgHandle,
    Prefix,
    Route,
    RouteObject,
    Vrp,
)
from routesieve.snapshot import Provenance, Snapshot

AS_OF = 1_750_000_000
ASNS = st.sampled_from((0, 1, 20000, 30000, 65535, 4_200_000_000, MAX_ASN)) | st.integers(
    0, MAX_ASN
)
TEXT = st.text(
    st.characters(codec="utf-8") | st.sampled_from(("\udcff", "\x00", "é", "\U0001f600")),
    max_size=6,
)
NAMES = st.sampled_from(("", "ripe", "arin", "RADB", "Ripe")) | TEXT
EXPIRES = st.sampled_from((None, 0, -1, AS_OF - 1, AS_OF, AS_OF + 1, NO_EXPIRY - 1)) | st.none()


@st.composite
def prefixes(draw: st.DrawFn) -> Prefix:
    version = draw(st.sampled_from((4, 6)))
    bits = 32 if version == 4 else 128
    value = draw(
        st.sampled_from((0, (1 << bits) - 1, 0x20010DB8 << (bits - 32)))
        | st.integers(0, (1 << bits) - 1)
    )
    return Prefix.from_address(version, value, draw(st.integers(0, bits)))


def near(draw: st.DrawFn, pool: Sequence[Prefix]) -> Prefix:
    """A prefix of the pool, a sub- or supernet of one, or a fresh one."""
    p = draw(st.sampled_from(pool))
    mode = draw(st.integers(0, 3))
    if mode == 0:
        return draw(prefixes())
    if mode == 1:
        return p
    length = draw(st.integers(0, p.bits))
    low = draw(st.integers(0, (1 << p.bits) - 1)) >> p.length if length > p.length else 0
    return Prefix.from_address(p.version, p.value | low, length)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Route], Snapshot]:
    """Routes and a snapshot of every data set, sharing a pool of prefixes and AS numbers."""
    pool = draw(st.lists(prefixes(), min_size=1, max_size=4))
    asns = draw(st.lists(ASNS, min_size=1, max_size=4))
    asn = st.sampled_from(asns) | ASNS
    statuses = st.sampled_from(list(DelegationStatus))
    handles = st.sampled_from(("", "h1", "h2")) | TEXT

    def vrp() -> Vrp:
        p = near(draw, pool)
        ml = draw(st.integers(p.length, p.bits))
        return Vrp(p, ml, draw(asn), draw(NAMES), draw(EXPIRES))

    def some(make: Callable[[], Any], most: int) -> tuple[Any, ...]:
        return tuple(make() for _ in range(draw(st.integers(0, most))))

    many_tas = draw(st.booleans())  # over 256 distinct strings: 16-bit codes
    vrps = some(vrp, 8)
    if many_tas:
        vrps += tuple(Vrp(pool[0], pool[0].length, 1, f"ta{i}") for i in range(300))
    snapshot = Snapshot(
        as_of=draw(st.sampled_from((AS_OF, 0, -5))),
        vrps=vrps,
        route_objects=some(lambda: RouteObject(near(draw, pool), draw(asn), draw(NAMES)), 6),
        as_sets=some(
            lambda: AsSet(draw(NAMES), tuple(draw(st.lists(NAMES, max_size=3))), draw(NAMES)), 3
        ),
        ip_delegations=some(
            lambda: IpDelegation(
                draw(NAMES), near(draw, pool), draw(statuses), draw(handles), draw(NAMES)
            ),
            5,
        ),
        asn_delegations=some(
            lambda: AsnDelegation(
                draw(NAMES), draw(asn), draw(st.integers(0, 3)), draw(statuses), draw(handles)
            ),
            5,
        ),
        org_handles=some(
            lambda: OrgHandle(
                draw(NAMES),
                draw(NAMES),
                tuple(near(draw, pool) for _ in range(draw(st.integers(0, 2)))),
                draw(st.none() | asn),
            ),
            3,
        ),
        asn_blocks=some(lambda: AsnBlock(draw(asn), draw(asn), draw(NAMES)), 2),
        bogons=some(lambda: Bogon(near(draw, pool), draw(NAMES)), 3),
        exchange_prefixes=some(
            lambda: ExchangePrefix(draw(prefixes()), draw(NAMES), draw(st.none() | asn)), 2
        ),
        aspas=some(lambda: Aspa.of(draw(asn), draw(st.lists(asn, max_size=4)), draw(EXPIRES)), 3),
        provenance=some(
            lambda: Provenance(
                draw(NAMES),
                draw(TEXT),
                draw(st.none() | TEXT),
                draw(st.integers(-1, 1 << 40)),
                draw(TEXT),
            ),
            2,
        ),
    )
    routes = [
        Route(
            draw(st.sampled_from(asns)),
            near(draw, pool),
            AsPath.sequence(draw(st.lists(asn, min_size=1, max_size=4))),
            draw(st.sampled_from(("s1", "s2", None))),
        )
        for _ in range(draw(st.integers(1, 8)))
    ]
    return routes, snapshot
