"""Session state as Prometheus metrics, through the official ``prometheus_client``.

:class:`SessionMetrics` is a custom collector: every ``collect()`` calls ``read`` (a
fresh :class:`SessionReport`, or a fixed one) and turns it into metric families, so the
HTTP exporter reads the routers on each scrape. The library writes the text format and
escapes label values (``\\``, ``"``, newlines), so no peer name can break the output.

Metrics (``session`` labels: ``peer_asn``, ``peer_name``, ``exchange``, ``session``,
``router``, ``protocol``):

- ``routesieve_session_up`` 1 when Established, else 0;
- ``routesieve_session_routes`` by ``family`` and ``kind`` (received/accepted/filtered);
- ``routesieve_session_established_seconds`` for the sessions that are up;
- ``routesieve_session_state_seconds`` how long each session has been in its state;
- ``routesieve_session_flag`` 1 per raised flag (``flag`` label, see ``Flag``);
- ``routesieve_peer_contact_missing``, ``routesieve_peer_peeringdb_changed``,
  ``routesieve_peer_peeringdb_missing`` per peer (``peer_asn``, ``peer_name``), when
  PeeringDB was checked;
- ``routesieve_sessions_scrape_success`` and ``routesieve_sessions_scrape_seconds`` per
  router, ``routesieve_sessions_read_timestamp_seconds`` once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest, start_http_server
from prometheus_client.exposition import write_to_textfile
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from routesieve.sessions.status import SessionReport, SessionStatus

SESSION_LABELS = ("peer_asn", "peer_name", "exchange", "session", "router", "protocol")
PEER_LABELS = ("peer_asn", "peer_name")
KINDS = ("received", "accepted", "filtered")


def _session_labels(s: SessionStatus) -> list[str]:
    return [str(s.peer_asn), s.peer_name, s.exchange, s.session, s.router, s.protocol]


def report_metrics(report: SessionReport) -> list[Metric]:
    """The metric families of one report."""
    up = GaugeMetricFamily(
        "routesieve_session_up", "1 when the BGP session is Established", labels=SESSION_LABELS
    )
    routes = GaugeMetricFamily(
        "routesieve_session_routes",
        "Routes of the session: received = accepted + filtered by the import policy",
        labels=(*SESSION_LABELS, "family", "kind"),
    )
    established = GaugeMetricFamily(
        "routesieve_session_established_seconds",
        "Seconds since the session was established (sessions that are up)",
        labels=SESSION_LABELS,
    )
    in_state = GaugeMetricFamily(
        "routesieve_session_state_seconds",
        "Seconds the session has been in its current state, by the router's clock",
        labels=(*SESSION_LABELS, "state"),
    )
    flags = GaugeMetricFamily(
        "routesieve_session_flag",
        "1 for each flag raised on a session (protocol-missing, never-established, ...)",
        labels=(*SESSION_LABELS, "flag"),
    )
    for s in report.sessions:
        labels = _session_labels(s)
        up.add_metric(labels, 1.0 if s.up else 0.0)
        for fam in s.families:
            for kind in KINDS:
                value = getattr(fam, kind)
                if value is not None:
                    routes.add_metric([*labels, fam.family, kind], float(value))
        if s.state_seconds is not None:
            in_state.add_metric([*labels, s.state], s.state_seconds)
            if s.up:
                established.add_metric(labels, s.state_seconds)
        for flag in s.flags:
            flags.add_metric([*labels, flag.value], 1.0)
    return [up, routes, established, in_state, flags, *_peer_metrics(report), *_reads(report)]


def _peer_metrics(report: SessionReport) -> list[Metric]:
    names = {
        "contact_missing": "1 when PeeringDB lists no contact with an email or phone",
        "peeringdb_changed": "1 when the PeeringDB record changed since the session was set up",
        "peeringdb_missing": "1 when PeeringDB has no record for the peer AS",
    }
    families = {
        key: GaugeMetricFamily(f"routesieve_peer_{key}", text, labels=PEER_LABELS)
        for key, text in names.items()
    }
    for peer in report.peers:
        labels = [str(peer.peer_asn), peer.peer_name]
        values = {
            "contact_missing": peer.contact_missing,
            "peeringdb_changed": peer.changed,
            "peeringdb_missing": None if peer.in_peeringdb is None else not peer.in_peeringdb,
        }
        for key, value in values.items():
            if value is not None:
                families[key].add_metric(labels, 1.0 if value else 0.0)
    return list(families.values())


def _reads(report: SessionReport) -> list[Metric]:
    success = GaugeMetricFamily(
        "routesieve_sessions_scrape_success",
        "1 when the router could be read",
        labels=("router", "kind"),
    )
    seconds = GaugeMetricFamily(
        "routesieve_sessions_scrape_seconds", "Seconds reading the router took", labels=("router",)
    )
    for r in report.routers:
        success.add_metric([r.name, r.kind], 1.0 if r.ok else 0.0)
        seconds.add_metric([r.name], r.seconds)
    taken = GaugeMetricFamily(
        "routesieve_sessions_read_timestamp_seconds", "When the routers were read (Unix time)"
    )
    taken.add_metric([], datetime.fromisoformat(report.taken_at).timestamp())
    return [success, seconds, taken]


class SessionMetrics(Collector):
    """A collector reading a fresh report on every scrape (one at a time: a scrape that
    arrives during a read waits for it and gets its result)."""

    def __init__(self, read: Callable[[], SessionReport]) -> None:
        self.read = read
        self._lock = threading.Lock()

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            report = self.read()
        yield from report_metrics(report)

    def describe(self) -> Iterable[Metric]:
        return []  # unchecked at registration: the families depend on what was read


def registry_for(read: Callable[[], SessionReport]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SessionMetrics(read))
    return registry


def exposition(report: SessionReport) -> str:
    """The report in the Prometheus text format."""
    return generate_latest(registry_for(lambda: report)).decode("utf-8")


def write_textfile(path: Path, report: SessionReport) -> None:
    """Write for node_exporter's textfile collector: the library writes a temporary file
    next to ``path`` and renames it into place, so a scrape never sees half a file."""
    write_to_textfile(str(path), registry_for(lambda: report))


def serve(host: str, port: int, read: Callable[[], SessionReport]) -> tuple[Any, threading.Thread]:
    """Start the HTTP exporter (``/metrics``) in a daemon thread; returns the server (call
    ``shutdown()`` to stop it) and the thread."""
    return start_http_server(port, addr=host, registry=registry_for(read))
