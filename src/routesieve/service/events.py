"""The notification events the service sends, built from what happened (no I/O here).

Each function returns the JSON object :class:`~routesieve.service.notify.Notifier` sends;
the field names are part of the documented webhook interface (docs/service.md).
"""

from __future__ import annotations

from typing import Any

from routesieve.engine.changes import Applied
from routesieve.service.deployer import DeployOutcome


def verdicts_changed(applied: Applied) -> dict[str, Any] | None:
    """Routes that went from rejected to accepted (``gained``) or back (``lost``, with
    ``withdrawn`` as the reason when the route went away), by peer; None when none did."""
    peers: dict[int, dict[str, list[dict[str, str]]]] = {}
    for c in applied.changes:
        was = c.before is not None and c.before.action.value == "accept"
        now = c.after is not None and c.after.action.value == "accept"
        if was == now:
            continue
        v = c.after if now else c.before
        assert v is not None
        why = c.after or c.before
        assert why is not None
        entry = {
            "prefix": v.prefix,
            "as_path": v.as_path,
            "rule": why.rule,
            "reason": why.reason if c.after is not None else "withdrawn",
        }
        side = "gained" if now else "lost"
        peers.setdefault(c.peer_asn, {"gained": [], "lost": []})[side].append(entry)
    if not peers:
        return None
    return {
        "event": "verdicts_changed",
        "peers": [{"asn": p, **sides} for p, sides in sorted(peers.items())],
    }


def deploy_refused(outcome: DeployOutcome) -> dict[str, Any]:
    """Why a deploy was refused, and what each peer's filter would have gained or lost."""
    return {
        "event": "deploy_refused",
        "reasons": list(outcome.refusals),
        "peers": [
            {"asn": c.asn, "added": list(c.added), "removed": list(c.removed)}
            for c in outcome.changes
        ],
    }
