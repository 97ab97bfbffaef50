"""One peering request checked end to end: PeeringDB looked up, then the policy applied.

Shared by ``routesieve peering request``/``accept`` and the request form of ``serve``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from routesieve.config import Config
from routesieve.peering.lookup import local_exchanges, peer_lookup
from routesieve.peering.proposal import Proposal, Terms, propose
from routesieve.sources.peeringdb.client import DEFAULT_URL, PeeringDbClient


@dataclass(frozen=True)
class CheckedRequest:
    """The proposal, and what PeeringDB warned about (e.g. a cached answer was used)."""

    proposal: Proposal
    warnings: tuple[str, ...]


def peeringdb_url(config: Config, override: str | None = None) -> str:
    """The PeeringDB API base URL: ``override``, else ``[sources] peeringdb``, else public."""
    return str(override or config.sources.peeringdb or DEFAULT_URL)


def check_request(
    config: Config,
    asn: int,
    *,
    url: str | None = None,
    taken: frozenset[str] = frozenset(),
    cache: Path | None = None,
    refresh: bool = False,
    timeout: float = 30.0,
) -> CheckedRequest:
    """The policy's answer to a request from ``asn``.

    Raises ``FetchError`` when PeeringDB cannot be reached (and nothing is cached), and
    ``ValueError`` for an unusable PeeringDB URL.
    """
    with PeeringDbClient(
        peeringdb_url(config, url),
        timeout=timeout,
        cache_dir=cache,
        cache_max_age=0 if refresh else 3600,
    ) as client:
        record = peer_lookup(client, asn)
        exchanges = local_exchanges(client, config)
        warnings = tuple(client.warnings)
    settings = config.peering
    terms = Terms(
        settings.max_prefix_margin, settings.max_prefix_min, settings.direct, settings.email
    )
    return CheckedRequest(propose(asn, record, exchanges, config.local.asn, terms, taken), warnings)
