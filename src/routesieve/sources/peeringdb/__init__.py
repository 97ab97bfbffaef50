"""PeeringDB over its REST API: :class:`PeeringDbClient` (queries, batching, rate
limits, cache) and :func:`fetch_exchange_lans` (the exchange LAN files ``sync`` writes).

Saved answers are read by :mod:`routesieve.sources.peeringdb_files`.
"""

from routesieve.sources.peeringdb.client import DEFAULT_URL, PeeringDbClient, api_url
from routesieve.sources.peeringdb.fetch import IXLAN_FILE, IXPFX_FILE, fetch_exchange_lans

__all__ = [
    "DEFAULT_URL",
    "IXLAN_FILE",
    "IXPFX_FILE",
    "PeeringDbClient",
    "api_url",
    "fetch_exchange_lans",
]
