"""What a peer can do about a rejected route, keyed by rule code. Pure.

The advice is concrete where the verdict allows it: the ROA to create (exact prefix,
maxLength and origin), the route or route6 object, the as-set to ask for, the AS to take
out of the path. It is written for the peer's NOC, like the reasons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from routesieve.engine.rules import Rule
from routesieve.model import Action, RpkiState, Verdict


def _length(prefix: str) -> str:
    return prefix.rpartition("/")[2] or "?"


def _object(prefix: str) -> str:
    return "route6" if ":" in prefix else "route"


def _roa(v: Verdict) -> str:
    return (
        f"create a ROA at the RIR that holds {v.prefix}: prefix {v.prefix}, "
        f"maxLength {_length(v.prefix)}, origin AS{v.origin_asn}"
    )


def _rpki_invalid(v: Verdict, sets: tuple[str, ...], local: int) -> list[str]:
    vrp: dict[str, Any] = v.evidence.get("vrp", {})
    if v.rpki is RpkiState.INVALID_LENGTH:
        return [
            f"announce {v.prefix} only if you mean to: the ROA {vrp.get('prefix')} for "
            f"AS{vrp.get('asn')} allows up to /{vrp.get('max_length')}",
            f"to keep it, {_roa(v)} (or raise that ROA's maxLength to {_length(v.prefix)})",
            f"or announce the covering /{vrp.get('max_length')} (or shorter) instead",
        ]
    return [
        f"if AS{v.origin_asn} is meant to originate {v.prefix}, {_roa(v)}",
        f"if not, stop announcing it: the ROA {vrp.get('prefix')} names AS{vrp.get('asn')}, "
        "so this may be a leak or a hijack; check the filters towards your customers",
    ]


def _not_accepted(v: Verdict, sets: tuple[str, ...], local: int) -> list[str]:
    out: list[str] = []
    obj = _object(v.prefix)
    if v.origin_asn == v.peer_asn:
        out.append(_roa(v) + " (accepted by rule 4.1 at the next run)")
        out.append(
            f"or create a {obj} object {v.prefix} with origin: AS{v.origin_asn} in your RIR's "
            "IRR database (rule 4.4)"
        )
    elif sets:
        out.append(
            f"add AS{v.origin_asn} to {', '.join(sets)} (directly or through a member set) "
            f"and make sure a {obj} object {v.prefix} with origin: AS{v.origin_asn} exists "
            "(rule 4.4)"
        )
    else:
        out.append(
            f"AS{v.origin_asn} is not you: ask AS{local} to use your as-set for your "
            "customers (rule 1.1), then a "
            f"{obj} object {v.prefix} with origin: AS{v.origin_asn} is enough (rule 4.4)"
        )
    if v.origin_asn is not None and v.origin_asn != v.peer_asn:
        out.append(
            f"or let AS{v.origin_asn} create a ROA for {v.prefix} (maxLength "
            f"{_length(v.prefix)}) and be reached in two hops through you (rule 4.5, "
            "with an as-set in use)"
        )
    return out


def _path_asn(v: Verdict, sets: tuple[str, ...], local: int) -> list[str]:
    asn = v.evidence.get("asn")
    return [
        f"fix the path: AS{asn} must not appear in it; filter such routes from your "
        "customers and peers (and remove private AS numbers before exporting)"
    ]


def _aspa(v: Verdict, sets: tuple[str, ...], local: int) -> list[str]:
    stop = (v.evidence.get("aspa") or {}).get("stops_valley_free_at")
    if not stop:
        return [
            "the path cannot be valley-free given the ASPA records of its ASes "
            "(see the hops): check the export filters towards your peers and providers"
        ]
    customer, provider = stop["customer"], stop["provider"]
    listed = ", ".join(f"AS{p}" for p in stop["providers"] or []) or "no provider"
    return [
        f"if AS{provider} is a transit provider of AS{customer}, AS{customer} should add "
        f"AS{provider} to its ASPA (its ASPA lists {listed})",
        f"if not, AS{customer} leaked this route to AS{provider}: it should announce to its "
        "peers and providers only its own routes and its customers' routes",
    ]


_ADVICE: dict[str, Callable[[Verdict, tuple[str, ...], int], list[str]]] = {
    Rule.X_AFI.value: lambda v, s, loc: [
        f"AS{loc} does not take this address family: do not send it on this session"
    ],
    Rule.X_MALFORMED.value: lambda v, s, loc: [
        f"the announcement could not be read ({v.reason}): check the router's export"
    ],
    Rule.DEFAULT_ROUTE.value: lambda v, s, loc: ["do not send a default route to a peer"],
    Rule.AS_SET.value: lambda v, s, loc: [
        "aggregate without AS_SET (no 'as-set' in the aggregate configuration), or announce "
        "the more specific routes"
    ],
    Rule.PREFIX_LENGTH.value: lambda v, s, loc: [
        f"announce a prefix between /{v.evidence.get('min')} and /{v.evidence.get('max')} "
        "(aggregate more specifics, split too short ones)"
    ],
    Rule.BOGON.value: lambda v, s, loc: [
        "stop announcing it: it lies inside a bogon "
        f"({v.evidence.get('bogon', {}).get('prefix')}); fix your export filter"
    ],
    Rule.EXCHANGE_PREFIX.value: lambda v, s, loc: [
        "do not announce an exchange's LAN prefix "
        f"({v.evidence.get('exchange', {}).get('prefix')}); filter it on export"
    ],
    Rule.PATH_TOO_LONG.value: lambda v, s, loc: [
        f"shorten the path to at most {v.evidence.get('limit')} ASes (fewer prepends)"
    ],
    Rule.UNALLOCATED_ASN.value: _path_asn,
    Rule.AS_TRANS.value: _path_asn,
    Rule.AS_ZERO.value: _path_asn,
    Rule.X_BOGON_ASN.value: _path_asn,
    Rule.RPKI_INVALID.value: _rpki_invalid,
    Rule.X_FIRST_AS.value: lambda v, s, loc: [
        f"the path must start with your own AS{v.peer_asn}: do not strip it on export "
        "(this session is not a route server)"
    ],
    Rule.X_ASPA.value: _aspa,
    Rule.NOT_ACCEPTED.value: _not_accepted,
}


def advice(v: Verdict, as_sets: tuple[str, ...], local_asn: int) -> tuple[str, ...]:
    """What the peer can do so that the route is accepted (empty when it is accepted)."""
    if v.action is Action.ACCEPT:
        return ()
    make = _ADVICE.get(v.rule)
    return tuple(make(v, as_sets, local_asn)) if make else ()
