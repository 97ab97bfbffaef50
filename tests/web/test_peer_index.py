"""The per-peer index the API pages from: its filters agree with a plain scan of the
verdicts, whichever search strategy a query takes, and it cannot be changed."""

from __future__ import annotations

import numpy as np
import pytest

from routesieve.engine.rules import ALL_RULES, Rule
from routesieve.web import ServeData


def plain_filter(
    data: ServeData, asn: int, verdict: str | None, rule: Rule | None, q: str | None
) -> list[int]:
    out = []
    for row in range(len(data.decisions.table)):
        v = data.builder(row)
        if v.peer_asn != asn:
            continue
        if verdict is not None and v.action.value != verdict:
            continue
        if rule is not None and v.rule != rule.value:
            continue
        if q and q.lower() not in f"{v.prefix} {v.as_path}".lower():
            continue
        out.append(row)
    return out


QUERIES = [None, "2a0e", "8A0D", "209001 2090", "zz", ":", "nothing", "/32 209001", "209022"]


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("verdict", [None, "accept", "reject"])
def test_filters_agree_with_a_plain_scan(
    hostile_data: ServeData, q: str | None, verdict: str | None
) -> None:
    for asn, peer in hostile_data.peers.items():
        got = peer.select(verdict, None, q).tolist()
        assert got == plain_filter(hostile_data, asn, verdict, None, q), (asn, q, verdict)


@pytest.mark.parametrize("rule", ALL_RULES)
def test_rule_filter_agrees_with_a_plain_scan(example_data: ServeData, rule: Rule) -> None:
    for asn, peer in example_data.peers.items():
        assert peer.select(None, rule, None).tolist() == plain_filter(
            example_data, asn, None, rule, None
        )


def test_the_last_row_is_found(example_data: ServeData) -> None:
    peer = example_data.peers[209001]
    last = int(peer.rows[-1])
    prefix = example_data.decisions.table.first[last].prefix_text
    assert last in peer.select(None, None, prefix).tolist()


def test_the_index_is_read_only(example_data: ServeData) -> None:
    peer = example_data.peers[209001]
    with pytest.raises(ValueError):
        peer.rows[0] = 5
    with pytest.raises(ValueError):
        peer.accept[:] = True
    with pytest.raises(TypeError):
        example_data.peers[1] = peer  # type: ignore[index]
    assert isinstance(peer.rows, np.ndarray)
