"""engine/aspa.py against engine/reference_aspa.py, the draft's pseudo-code written out
plainly: the same outcome for every path, neighbour and direction hypothesis draws."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from routesieve.engine import reference_aspa
from routesieve.engine.aspa import AspaIndex, Direction, outcome, verify
from routesieve.model import Aspa, AsPath

AS_OF = 1_750_000_000
POOL = st.sampled_from([1, 2, 3, 4, 5, 6])  # few ASes: hops repeat and ramps meet
EXPIRES = st.none() | st.sampled_from([AS_OF - 1, AS_OF, AS_OF + 1])


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Aspa], AsPath, int | None, bool]:
    aspas = draw(
        st.lists(
            st.builds(Aspa.of, POOL, st.lists(POOL | st.just(0), max_size=4), EXPIRES),
            max_size=8,
        )
    )
    asns = draw(st.lists(POOL, min_size=1, max_size=9))  # repeats are prepends or loops
    path = AsPath.sequence(asns)
    neighbour = draw(st.sampled_from([asns[0], None]) | POOL)
    return aspas, path, neighbour, draw(st.booleans())


@settings(max_examples=2000, deadline=None)
@given(world=worlds())
def test_aspa_verification_and_its_fast_state_match_the_pseudo_code(
    world: tuple[list[Aspa], AsPath, int | None, bool],
) -> None:
    aspas, path, neighbour, downstream = world
    direction = Direction.DOWNSTREAM if downstream else Direction.UPSTREAM
    index = AspaIndex.of(aspas, AS_OF)
    plain = reference_aspa.verify(aspas, AS_OF, path, neighbour, downstream)
    assert verify(path, neighbour, direction, index).state.value == plain
    assert outcome(path, neighbour, direction, index).value == plain  # the engine's fast path


@settings(max_examples=300, deadline=None)
@given(world=worlds())
def test_every_hop_of_the_evidence_is_what_the_pseudo_code_hop_says(
    world: tuple[list[Aspa], AsPath, int | None, bool],
) -> None:
    aspas, path, _, _ = world
    result = verify(path, None, Direction.DOWNSTREAM, AspaIndex.of(aspas, AS_OF))
    for h in (*result.up, *result.down):
        assert h.hop.value == reference_aspa.hop(aspas, AS_OF, h.customer, h.provider)
