"""Property tests: verdicts written from columns equal verdicts written one by one.

The columnar writers (``outputs/verdict_arrow.py``: per-rule templates filled with Arrow
string kernels) must give, byte for byte, what the per-verdict writers give, on the
random small worlds of ``test_fast_matches_reference`` (nesting prefixes, malformed
routes, route-server sessions, repeated routes, every rule).
"""

from __future__ import annotations

import io

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_fast_matches_reference import World, worlds

from routesieve.engine.cover import PrefixColumns
from routesieve.engine.evaluate import evaluate
from routesieve.engine.result import Evaluation
from routesieve.model import Prefix
from routesieve.outputs.arrow_text import path_texts, prefix_texts
from routesieve.outputs.verdict_arrow import verdict_table
from routesieve.outputs.verdict_formats import write_csv, write_jsonl


def one_by_one(result: Evaluation) -> Evaluation:
    """The same verdicts, without the columns behind them."""
    return Evaluation.of(list(result), result.warnings)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from((1, 3, 1 << 15)), st.sampled_from((1, 700, 16 << 20)))
def test_columnar_writers_equal_the_per_verdict_writers(
    world: World, batch: int, batch_bytes: int
) -> None:
    import routesieve.outputs.verdict_arrow as verdict_arrow
    import routesieve.outputs.verdict_columns as verdict_columns

    routes, snapshot, policy = world
    result = evaluate(routes, snapshot, policy)
    assert result.decisions is not None
    plain = one_by_one(result)
    old_batch, old_bytes = verdict_arrow.BATCH_ROWS, verdict_columns.BATCH_BYTES
    verdict_arrow.BATCH_ROWS = batch  # batches of one and three rows cut groups apart
    verdict_columns.BATCH_BYTES = batch_bytes  # and so do batches cut by their text
    try:
        for write in (write_jsonl, write_csv):
            fast, slow = io.StringIO(), io.StringIO()
            assert write(result, fast) == write(plain, slow) == len(result)
            assert fast.getvalue() == slow.getvalue()
        table = verdict_table(result)
    finally:
        verdict_arrow.BATCH_ROWS, verdict_columns.BATCH_BYTES = old_batch, old_bytes
    assert table.to_pylist() == verdict_table(plain).to_pylist()
    rows = table.to_pylist()
    for row, verdict in zip(rows, plain, strict=True):
        want = verdict.to_json()
        assert orjson.loads(row.pop("evidence")) == want.pop("evidence")
        assert row == want


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just(4), st.integers(0, (1 << 32) - 1), st.integers(0, 32)),
            st.tuples(
                st.just(6),
                st.lists(
                    st.sampled_from((0, 0, 0, 1, 0xFFFF, 0x2001, 0xDB8, 0xABCD)),
                    min_size=8,
                    max_size=8,
                ).map(lambda ws: sum(w << (16 * (7 - i)) for i, w in enumerate(ws))),
                st.integers(0, 128),
            ),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_prefix_texts_are_those_of_the_prefix_type(drawn: list[tuple[int, int, int]]) -> None:
    prefixes = [Prefix.from_address(v, value, length) for v, value, length in drawn]
    assert prefix_texts(PrefixColumns.of(prefixes)).to_pylist() == [str(p) for p in prefixes]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_path_texts_are_those_of_the_path_type(world: World) -> None:
    paths = [r.as_path for r in world[0]]
    assert path_texts(paths).to_pylist() == [str(p) for p in paths]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_a_file_written_in_many_batches_holds_them_in_order(
    tmp_path_factory: pytest.TempPathFactory, world: World
) -> None:
    """A file's binary buffer is written by a second thread, one batch behind: the lines
    come out in order, as on a text stream."""
    import routesieve.outputs.verdict_arrow as verdict_arrow

    routes, snapshot, policy = world
    result = evaluate(routes, snapshot, policy)
    path = tmp_path_factory.mktemp("out") / "verdicts.jsonl"
    old_batch, verdict_arrow.BATCH_ROWS = verdict_arrow.BATCH_ROWS, 2
    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write("# before\n")  # text already in the stream's buffer goes first
            written = write_jsonl(result, out)
        text = io.StringIO()
        write_jsonl(one_by_one(result), text)
    finally:
        verdict_arrow.BATCH_ROWS = old_batch
    assert written == len(result)
    assert path.read_text(encoding="utf-8") == "# before\n" + text.getvalue()
