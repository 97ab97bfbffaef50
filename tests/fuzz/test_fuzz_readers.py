"""Every reader, fed mutated real inputs and raw bytes by hypothesis, keeps its invariant:
it returns or raises only the project's own errors, in bounded time, and a route reader
accounts for every line or record. (The long run is bench/fuzz_readers.py; the targets,
seeds and invariant are in fuzz_targets.py, shared by both; docs/reliability.md.)

``ROUTESIEVE_FUZZ_EXAMPLES`` sets the examples per reader (default 200: the whole file
takes well under a minute). Inputs are derandomized: the same ones every run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import timedelta

import fuzz_targets as ft
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("ROUTESIEVE_FUZZ_EXAMPLES", "200"))
#: An input that takes longer is a hang (the issue's bound).
HANG_SECONDS = 10.0

pytestmark = pytest.mark.skipif(not ft.SHARED.is_dir(), reason="no ../shared/data")


@st.composite
def inputs(draw: st.DrawFn, name: str) -> bytes:
    """A mutated seed (most of the time) or raw bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=2048))

    def pick(n: int) -> int:
        return draw(st.integers(0, max(n - 1, 0))) if n > 1 else 0

    return ft.mutate(ft.seeds_of(name), pick, compressible=ft.TARGETS[name].compressible)


def _fuzz(name: str) -> Callable[[], None]:
    @settings(
        max_examples=EXAMPLES,
        deadline=timedelta(seconds=HANG_SECONDS),
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=inputs(name))
    def run(data: bytes) -> None:
        started = time.monotonic()
        ft.check(name, data)
        assert time.monotonic() - started < HANG_SECONDS

    return run


@pytest.mark.parametrize("name", list(ft.TARGETS))
def test_reader_survives_mutated_real_input(name: str) -> None:
    _fuzz(name)()


def test_every_reader_has_a_fuzz_target() -> None:
    assert set(ft.TARGETS) == {
        "mrt",
        "bgpdump",
        "jsonl",
        "rpki_json",
        "rpki_csv",
        "rpsl",
        "rir",
        "iana",
        "bogons",
        "peeringdb",
        "toml",
        "bmp",
        "rtr",
        "whois",
        "snapshot",
        "snapshot_sealed",
    }


@pytest.mark.parametrize("name", list(ft.TARGETS))
def test_every_seed_is_read_cleanly(name: str) -> None:
    """The seeds are real, readable inputs (so the mutations start from the real shape)."""
    seeds = ft.seeds_of(name)
    assert seeds
    read = 0
    for seed in seeds:
        try:
            read += ft.TARGETS[name].run(seed)
        except ft.ALLOWED:
            continue
    assert read > 0, f"no seed of {name} gave anything"
