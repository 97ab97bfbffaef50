"""The state of the configured BGP sessions, read from the routers, for people
(table), programs (JSON) and Prometheus.

``gather(config, GatherOptions(...))`` reads every router once and returns a
:class:`~routesieve.sessions.status.SessionReport`. Modules: ``bird_status`` (BIRD's
``show protocols all``), ``routers`` (BIRD and BMP routers asked), ``gather`` (matching
configured sessions, flags), ``history`` (sessions seen up), ``peeringdb_watch``
(PeeringDB contact and change checks), ``formats`` (table, JSON), ``metrics``
(Prometheus).
"""

from routesieve.sessions.gather import GatherOptions, gather
from routesieve.sessions.peeringdb_watch import ClientRecords, PeerRecords
from routesieve.sessions.status import Flag, SessionReport, SessionStatus

__all__ = [
    "ClientRecords",
    "Flag",
    "GatherOptions",
    "PeerRecords",
    "SessionReport",
    "SessionStatus",
    "gather",
]
