"""Rule codes, their order, and what each one means. The codes are permanent.

Codes are the step numbers of the route filter algorithm; checks that are not in the
algorithm start with ``X-``. ``REJECTION_ORDER`` is the order in which the rejection tests
run (the first that fails is the verdict), ``ACCEPTANCE_ORDER`` the order of step 4.
"""

from __future__ import annotations

import enum


class Rule(enum.StrEnum):
    X_AFI = "X-AFI"
    X_MALFORMED = "X-MALFORMED"
    DEFAULT_ROUTE = "3.1"
    AS_SET = "3.2"
    PREFIX_LENGTH = "3.3"
    BOGON = "3.4"
    EXCHANGE_PREFIX = "3.5"
    PATH_TOO_LONG = "3.6"
    UNALLOCATED_ASN = "3.7"
    AS_TRANS = "3.8"
    AS_ZERO = "3.9"
    RPKI_INVALID = "3.10"
    X_FIRST_AS = "X-FIRST-AS"
    X_BOGON_ASN = "X-BOGON-ASN"
    X_ASPA = "X-ASPA"
    RPKI_VALID_ORIGIN = "4.1"
    DOWNSTREAM_OF_ACCEPTED = "4.2"
    RIR_HANDLE = "4.3"
    IRR_EXACT = "4.4"
    AS_SET_TWO_HOPS = "4.5"
    NOT_ACCEPTED = "5"


REJECTION_ORDER: tuple[Rule, ...] = (
    Rule.X_AFI,
    Rule.X_MALFORMED,
    Rule.DEFAULT_ROUTE,
    Rule.AS_SET,
    Rule.PREFIX_LENGTH,
    Rule.BOGON,
    Rule.EXCHANGE_PREFIX,
    Rule.PATH_TOO_LONG,
    Rule.UNALLOCATED_ASN,
    Rule.AS_TRANS,
    Rule.AS_ZERO,
    Rule.RPKI_INVALID,
    Rule.X_FIRST_AS,
    Rule.X_BOGON_ASN,
    Rule.X_ASPA,
)

ACCEPTANCE_ORDER: tuple[Rule, ...] = (
    Rule.RPKI_VALID_ORIGIN,
    Rule.DOWNSTREAM_OF_ACCEPTED,
    Rule.RIR_HANDLE,
    Rule.IRR_EXACT,
    Rule.AS_SET_TWO_HOPS,
)

ALL_RULES: tuple[Rule, ...] = (*REJECTION_ORDER, *ACCEPTANCE_ORDER, Rule.NOT_ACCEPTED)

TITLES: dict[Rule, str] = {
    Rule.X_AFI: "address family not enabled by the local policy",
    Rule.X_MALFORMED: "route could not be read",
    Rule.DEFAULT_ROUTE: "default route",
    Rule.AS_SET: "AS path uses AS_SET or confederation segments",
    Rule.PREFIX_LENGTH: "prefix length outside the allowed range",
    Rule.BOGON: "bogon prefix",
    Rule.EXCHANGE_PREFIX: "exchange LAN prefix",
    Rule.PATH_TOO_LONG: "AS path too long",
    Rule.UNALLOCATED_ASN: "unallocated 32-bit AS number in the path",
    Rule.AS_TRANS: "AS 23456 (AS_TRANS) in the path",
    Rule.AS_ZERO: "AS 0 in the path",
    Rule.RPKI_INVALID: "RPKI invalid",
    Rule.X_FIRST_AS: "first AS of the path is not the peer",
    Rule.X_BOGON_ASN: "private, reserved or documentation AS number in the path",
    Rule.X_ASPA: "ASPA verification: the AS path is not valley-free (route leak)",
    Rule.RPKI_VALID_ORIGIN: "originated by the peer and RPKI valid",
    Rule.DOWNSTREAM_OF_ACCEPTED: "downstream route inside an accepted prefix of the peer",
    Rule.RIR_HANDLE: "RIR handle of the prefix matches the peer",
    Rule.IRR_EXACT: "exact match of a route object in the peer's IRR policy",
    Rule.AS_SET_TWO_HOPS: "two-hop route from an AS in the peer's as-set, RPKI valid or RIR match",
    Rule.NOT_ACCEPTED: "not explicitly accepted",
}


def is_acceptance(rule: Rule) -> bool:
    return rule in ACCEPTANCE_ORDER
