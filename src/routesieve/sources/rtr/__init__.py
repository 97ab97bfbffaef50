"""RPKI-to-Router (RTR) client: VRPs from a cache such as StayRTR, Routinator or
rpki-client with StayRTR, over RFC 8210 (version 1) or RFC 6810 (version 0), over TCP,
TLS or SSH (:mod:`.transport`).

:func:`fetch_rtr` is what the sync command calls; :class:`RtrSession` keeps a live set
up to date with Serial Queries; :mod:`.pdu` encodes and decodes the PDUs.
"""

from routesieve.sources.rtr.fetch import (
    RTR_PORT,
    RtrSecurity,
    fetch_rtr,
    parse_rtr_endpoint,
    parse_rtr_url,
)
from routesieve.sources.rtr.session import RtrSession
from routesieve.sources.rtr.stream import RtrError
from routesieve.sources.rtr.sync_state import SyncResult, Timers

__all__ = [
    "RTR_PORT",
    "RtrError",
    "RtrSecurity",
    "RtrSession",
    "SyncResult",
    "Timers",
    "fetch_rtr",
    "parse_rtr_endpoint",
    "parse_rtr_url",
]
