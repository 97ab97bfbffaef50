"""The advice for a route X-ASPA rejected names the hop and both ways out."""

from __future__ import annotations

from routesieve.engine.aspa import AspaIndex, Direction, verify
from routesieve.model import Action, Aspa, AsPath, Verdict
from routesieve.outputs.report.advice import advice


def verdict_of(evidence: dict[str, object]) -> Verdict:
    return Verdict(
        peer_asn=40,
        prefix="2a0a:1000::/32",
        as_path="40 20 30 10",
        origin_asn=10,
        action=Action.REJECT,
        rule="X-ASPA",
        reason="ASPA Invalid",
        rpki=None,
        sessions=(),
        evidence=evidence,
    )


def test_x_aspa_advice_names_the_customer_the_provider_and_its_aspa() -> None:
    idx = AspaIndex.of([Aspa.of(10, [30]), Aspa.of(30, [50])], 0)
    result = verify(AsPath.sequence([40, 20, 30, 10]), 40, Direction.UPSTREAM, idx)
    tips = advice(verdict_of({"aspa": result.to_json()}), (), 214312)
    assert tips[0] == (
        "if AS20 is a transit provider of AS30, AS30 should add AS20 to its ASPA "
        "(its ASPA lists AS50)"
    )
    assert tips[1].startswith("if not, AS30 leaked this route to AS20")


def test_x_aspa_advice_without_a_stop_hop_points_at_the_hops() -> None:
    (tip,) = advice(verdict_of({"aspa": {"stops_valley_free_at": None}}), (), 214312)
    assert "cannot be valley-free" in tip
