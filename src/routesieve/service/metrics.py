"""Every metric of ``routesieve run``, in one registry of its own (docs/service.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client import Counter as PromCounter

from routesieve.model import Verdict

#: the reason label of a refused deploy: a fixed set, so the label cannot grow
REFUSAL_REASONS = ("emptied", "shrink", "stale", "check_failed")


def refusal_reason(text: str) -> str:
    if "to none" in text:
        return "emptied"
    if "shrink" in text:
        return "shrink"
    if "hours old" in text:
        return "stale"
    return "check_failed"


class ServiceMetrics:
    def __init__(self) -> None:
        r = self.registry = CollectorRegistry()
        self.source_last_success = Gauge(
            "routesieve_source_last_success_timestamp_seconds",
            "Unix time of the last successful fetch or update of a source",
            ["source"],
            registry=r,
        )
        self.source_duration = Gauge(
            "routesieve_source_duration_seconds",
            "How long the last fetch or update of a source took",
            ["source"],
            registry=r,
        )
        self.source_items = Gauge(
            "routesieve_source_items", "Items held from a source", ["source"], registry=r
        )
        self.source_stale = Gauge(
            "routesieve_source_stale",
            "1 when the last attempt at a source failed and the last good copy is in use",
            ["source"],
            registry=r,
        )
        self.session_routes = Gauge(
            "routesieve_session_routes", "Routes received on a session", ["session"], registry=r
        )
        self.verdicts = Gauge(
            "routesieve_verdicts", "Merged routes per peer and rule", ["peer", "rule"], registry=r
        )
        self.deploys = PromCounter(
            "routesieve_deploys", "Deploys done (checked and reloaded)", registry=r
        )
        self.deploys_refused = PromCounter(
            "routesieve_deploys_refused", "Deploys refused, by reason", ["reason"], registry=r
        )
        for reason in REFUSAL_REASONS:
            self.deploys_refused.labels(reason)
        self.mismatches = PromCounter(
            "routesieve_incremental_mismatches",
            "Full re-evaluations whose verdicts differed from the incremental state (a bug)",
            registry=r,
        )
        self.full_checks = PromCounter(
            "routesieve_full_checks", "Full re-evaluations run as a safety net", registry=r
        )
        self.redecided = PromCounter(
            "routesieve_redecided_routes", "Merged routes re-decided incrementally", registry=r
        )
        self.change_to_reload = Histogram(
            "routesieve_change_to_reload_seconds",
            "Time from a data change to the router reloaded with its result",
            buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
            registry=r,
        )
        self.config_reloads = PromCounter(
            "routesieve_config_reloads", "SIGHUP reloads, by result", ["result"], registry=r
        )
        self.runs_stored = PromCounter(
            "routesieve_runs_stored", "Runs stored because verdicts changed", registry=r
        )
        self.web_builds = PromCounter(
            "routesieve_web_builds",
            "Report pages and API rebuilt over the live state ([run] listen_web)",
            registry=r,
        )
        self.web_build_seconds = Gauge(
            "routesieve_web_build_seconds", "How long the last web rebuild took", registry=r
        )
        self.web_built = Gauge(
            "routesieve_web_built_timestamp_seconds",
            "When the web's pages and API last took the live state",
            registry=r,
        )

    def count_verdicts(self, verdicts: Iterable[Verdict]) -> None:
        counts = Counter((v.peer_asn, v.rule) for v in verdicts)
        self.verdicts.clear()
        for (peer, rule), n in counts.items():
            self.verdicts.labels(str(peer), rule).set(n)

    def count_sessions(self, per_session: Counter[str]) -> None:
        self.session_routes.clear()
        for session, n in per_session.items():
            self.session_routes.labels(session).set(n)

    def web_build(self, seconds: float) -> None:
        self.web_builds.inc()
        self.web_build_seconds.set(seconds)
        self.web_built.set_to_current_time()
