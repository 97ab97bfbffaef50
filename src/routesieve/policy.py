"""The local routing policy as the engine sees it: plain values, built from the config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from routesieve.model import ExchangePrefix


@dataclass(frozen=True, slots=True)
class PeerPolicy:
    """What the operator configured for one peer AS.

    ``as_sets`` is the opt-in of step 1.1: empty means no as-set is used.
    """

    asn: int
    name: str = ""
    as_sets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    """The limits of step 3, the switches of the X- checks, and the peers."""

    local_asn: int
    families: frozenset[int] = frozenset({4, 6})
    ipv4_min_length: int = 8
    ipv4_max_length: int = 24
    ipv6_min_length: int = 16
    ipv6_max_length: int = 48
    max_hops: int = 50
    unallocated_asn_first: int = 1_000_000
    unallocated_asn_last: int = 4_199_999_999
    check_afi: bool = True
    check_first_as: bool = False
    check_bogon_asn: bool = False
    check_aspa: bool = False
    irr_strict_origin: bool = False
    as_set_max_depth: int = 10
    as_set_max_members: int = 100_000
    peers: Mapping[int, PeerPolicy] = field(default_factory=dict)
    route_server_sessions: frozenset[str] = frozenset()
    customer_sessions: frozenset[str] = frozenset()  # we are the customer: X-ASPA downstream
    exchange_prefixes: tuple[ExchangePrefix, ...] = ()

    def peer(self, asn: int) -> PeerPolicy:
        """The configured policy of a peer, or the defaults for a peer not configured."""
        return self.peers.get(asn) or PeerPolicy(asn)

    def length_limits(self, version: int) -> tuple[int, int]:
        if version == 4:
            return self.ipv4_min_length, self.ipv4_max_length
        return self.ipv6_min_length, self.ipv6_max_length
