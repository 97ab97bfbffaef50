"""Step 2's grouping of received routes by their keys, against a dictionary of first rows.

A narrow hash makes different keys share hashes, so the regrouping of those groups by
the keys themselves is exercised too."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from routesieve.engine.table import _groups

rows = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 2**64 - 1)))


@settings(max_examples=300, deadline=None)
@given(rows, st.sampled_from((1, 2, 8, 64)), st.booleans())
def test_each_route_is_led_by_the_first_route_with_its_keys(
    keys: list[tuple[int, int, int]], hash_bits: int, repeat: bool
) -> None:
    if repeat:  # many equal keys
        keys = keys + keys[::-1] + keys
    first: dict[tuple[int, int, int], int] = {}
    want = [first.setdefault(k, i) for i, k in enumerate(keys)]
    columns = [np.array([k[j] for k in keys], np.uint64) for j in range(3)]
    assert _groups(columns, len(keys), hash_bits).tolist() == want
