"""The notification events built from what the service saw (service/events.py)."""

from __future__ import annotations

from routesieve.engine.changes import Applied, VerdictChange
from routesieve.model import Action, RpkiState, Verdict
from routesieve.outputs.deploy_plan import PeerChange
from routesieve.service.deployer import DeployOutcome
from routesieve.service.events import deploy_refused, verdicts_changed


def _verdict(prefix: str, action: Action, rule: str, reason: str) -> Verdict:
    return Verdict(
        65010, prefix, "65010", 65010, action, rule, reason, RpkiState.VALID, ("s1",), {}
    )


def _change(before: Verdict | None, after: Verdict | None) -> VerdictChange:
    prefix = (after or before).prefix  # type: ignore[union-attr]
    return VerdictChange(65010, (65010, prefix), before, after)


def test_route_becoming_accepted_is_gained_with_its_rule() -> None:
    before = _verdict("2001:db8::/32", Action.REJECT, "5", "not accepted")
    after = _verdict("2001:db8::/32", Action.ACCEPT, "4.1", "RPKI VALID")
    event = verdicts_changed(Applied(1, (_change(before, after),)))
    assert event == {
        "event": "verdicts_changed",
        "peers": [
            {
                "asn": 65010,
                "gained": [
                    {
                        "prefix": "2001:db8::/32",
                        "as_path": "65010",
                        "rule": "4.1",
                        "reason": "RPKI VALID",
                    }
                ],
                "lost": [],
            }
        ],
    }


def test_withdrawn_accepted_route_is_lost_as_withdrawn() -> None:
    before = _verdict("2001:db8::/32", Action.ACCEPT, "4.1", "RPKI VALID")
    event = verdicts_changed(Applied(1, (_change(before, None),)))
    assert event is not None
    (peer,) = event["peers"]
    assert peer["gained"] == [] and peer["lost"][0]["reason"] == "withdrawn"
    assert peer["lost"][0]["rule"] == "4.1"


def test_change_of_reason_without_change_of_action_sends_nothing() -> None:
    before = _verdict("2001:db8::/32", Action.REJECT, "5", "not accepted")
    after = _verdict("2001:db8::/32", Action.REJECT, "3.1", "RPKI INVALID")
    assert verdicts_changed(Applied(1, (_change(before, after),))) is None


def test_deploy_refused_names_reasons_and_each_peer_s_change() -> None:
    change = PeerChange(65010, ("2001:db8:1::/48",), ("2001:db8::/32",), 12, 1)
    outcome = DeployOutcome(False, ("AS65010: 12 prefixes to 1",), (change,))
    assert deploy_refused(outcome) == {
        "event": "deploy_refused",
        "reasons": ["AS65010: 12 prefixes to 1"],
        "peers": [{"asn": 65010, "added": ["2001:db8:1::/48"], "removed": ["2001:db8::/32"]}],
    }
