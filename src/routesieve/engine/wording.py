"""The wording of each rule: a row's reason for the peer's NOC and its evidence.

Reasons say what was found, what the limit is, and for rule 5 what was looked for and not
found. ``word_row(d, row, texts)`` reads the row's per-row values only through ``texts``
(``engine.slots``): with real texts it words that row, with markers it gives a template.
A rule's wording may read, at its row, only the columns ``engine.templates`` keys it by.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from routesieve.engine.decisions import Decisions
from routesieve.engine.paths import bogon_asn_reason
from routesieve.engine.rpki import STATES
from routesieve.engine.rules import ALL_RULES, Rule
from routesieve.engine.slots import FAMILY, Slot, Texts, handle_json
from routesieve.model import AsPath, RpkiState, set_prefix_ref

I64 = npt.NDArray[np.int64]

# ---- the wording -----------------------------------------------------------------------


def word_row(d: Decisions, i: int, t: Texts) -> tuple[str, dict[str, Any]]:
    """The reason and evidence of row ``i``; per-row values come from ``t``."""
    rule = ALL_RULES[int(d.rule[i])]
    state = STATES[int(d.rpki_state[i])]
    reason, evidence = _wording(d, i, rule, state, t)
    if state is not None and d.rpki_vrp[i] >= 0 and "vrp" not in evidence:
        evidence["rpki_vrp"] = t(Slot.VRP_JSON)
    return reason, evidence


def _wording(
    d: Decisions, i: int, rule: Rule, state: RpkiState | None, t: Texts
) -> tuple[str, dict[str, Any]]:
    policy = d.policy
    peer = int(d.table.peer[i])
    detail = int(d.detail[i])
    if rule is Rule.X_AFI:
        version = int(d.table.prefixes.version[i])
        fams = " and ".join(FAMILY[f] for f in sorted(policy.families))
        return (
            f"{FAMILY[version]} route, but AS{policy.local_asn} takes {fams} routes only",
            {"family": FAMILY[version]},
        )
    if rule is Rule.X_MALFORMED:
        return (t(Slot.PROBLEM), {})
    prefix = t(Slot.PREFIX)
    if rule is Rule.DEFAULT_ROUTE:
        return (f"{prefix} is a default route, never accepted from a peer", {})
    if rule is Rule.AS_SET:
        return (
            f"AS path {t(Slot.PATH)} uses AS_SET or confederation segments "
            "(deprecated, draft-ietf-idr-deprecate-as-set-confed-set)",
            {},
        )
    if rule is Rule.PREFIX_LENGTH:
        version = int(d.table.prefixes.version[i])
        length = int(d.table.prefixes.length[i])
        low, high = policy.length_limits(version)
        return (
            f"prefix length /{length} is outside /{low}–/{high} allowed for {FAMILY[version]}",
            {"length": length, "min": low, "max": high},
        )
    if rule is Rule.BOGON:
        b = d.index.bogons[detail]
        why = f" ({b.reason})" if b.reason else ""
        return (
            f"{prefix} lies inside bogon {b.prefix}{why}",
            {"bogon": {"prefix": str(b.prefix), "reason": b.reason}},
        )
    if rule is Rule.EXCHANGE_PREFIX:
        x = d.index.exchanges[detail]
        return (
            f"{prefix} lies inside {x.prefix}, the LAN of exchange {x.exchange}",
            {
                "exchange": {
                    "prefix": str(x.prefix),
                    "name": x.exchange,
                    "peeringdb_ix": x.peeringdb_ix,
                }
            },
        )
    if rule is Rule.PATH_TOO_LONG:
        path = _path(d, i)
        return (
            f"AS path has {path.hop_count} hops, more than the limit of {policy.max_hops} "
            "(prepends count)",
            {"hops": path.hop_count, "limit": policy.max_hops},
        )
    if rule is Rule.UNALLOCATED_ASN:
        return (
            f"AS{detail} in the path is unallocated (inside {policy.unallocated_asn_first}–"
            f"{policy.unallocated_asn_last} and not in an IANA-allocated block)",
            {"asn": detail},
        )
    if rule is Rule.AS_TRANS:
        return ("AS 23456 (AS_TRANS) appears in the path", {"asn": 23456})
    if rule is Rule.AS_ZERO:
        return ("AS 0 appears in the path (RFC 7606)", {"asn": 0})
    if rule is Rule.RPKI_INVALID:
        if state is RpkiState.INVALID_LENGTH:
            text = (
                f"RPKI INVALID_LENGTH: the VRP {t(Slot.VRP_PREFIX)} for AS{t(Slot.VRP_ASN)} "
                f"allows lengths up to /{t(Slot.VRP_MAX)}, the route is /{t(Slot.LENGTH)}"
            )
        else:
            text = (
                f"RPKI INVALID_ASN: {prefix} is covered by a VRP for AS{t(Slot.VRP_ASN)} "
                f"({_vrp_text(t)}), and none for the origin AS{t(Slot.ORIGIN)}"
            )
        return text, {"vrp": t(Slot.VRP_JSON)}
    if rule is Rule.X_FIRST_AS:
        path = _path(d, i)
        return (
            f"first AS of the path is AS{path.first}, "
            f"not the neighbour AS{int(d.table.received_from[i])}",
            {"first_asn": path.first},
        )
    if rule is Rule.X_BOGON_ASN:
        return (f"AS{detail} in the path is {bogon_asn_reason(detail)}", {"asn": detail})
    if rule is Rule.X_ASPA:
        result = d.aspa[i]
        return result.summary(), {"aspa": result.to_json(), "hops": result.lines()}
    if rule is Rule.RPKI_VALID_ORIGIN:
        return (
            f"originated by the peer AS{t(Slot.PEER)} and RPKI VALID (VRP {_vrp_text(t)})",
            {"vrp": t(Slot.VRP_JSON)},
        )
    if rule is Rule.DOWNSTREAM_OF_ACCEPTED:
        seed = t(Slot.SEED_PREFIX)
        seed_rule = ALL_RULES[int(d.rule[detail])].value
        return (
            f"inside {seed}, which the peer AS{t(Slot.PEER)} originates and which was "
            f"accepted by rule {seed_rule}",
            {"covering_prefix": seed, "covering_rule": seed_rule},
        )
    if rule is Rule.RIR_HANDLE:
        ev = _handle(d, i, peer_side=True)
        return (
            f"the RIR handle {ev['id']} ({ev['source']}) holds both {ev['prefix']} and "
            f"AS{t(Slot.PEER)}",
            {"handle": ev},
        )
    if rule is Rule.IRR_EXACT:
        return _irr_exact(d, detail, peer, t)
    if rule is Rule.AS_SET_TWO_HOPS:
        origin = t(Slot.ORIGIN)
        members_of = list(d.expansions[peer].sets)
        found: dict[str, Any] = {"as_sets": members_of}
        if state is RpkiState.VALID:
            found["vrp"] = t(Slot.VRP_JSON)
            why = "RPKI VALID"
        else:
            found["handle"] = _handle(d, i, peer_side=False)
            why = f"RIR handle {found['handle']['id']} holds the prefix and AS{origin}"
        return (
            f"two-hop path from AS{origin}, a member of {', '.join(members_of)}, "
            f"through the peer; {why}",
            found,
        )
    valid_elsewhere = state is RpkiState.VALID and _path(d, i).origin != peer
    origin = t(Slot.ORIGIN) if valid_elsewhere else ""
    return _not_accepted(d, peer, prefix, origin, state, valid_elsewhere)


def _path(d: Decisions, i: int) -> AsPath:
    """The AS path of row ``i`` (built from the path table: read only where the key
    holds what the wording reads of it)."""
    return d.table.paths[int(d.table.path_id[i])]


def _vrp_text(t: Texts) -> str:
    return f"{t(Slot.VRP_PREFIX)} max /{t(Slot.VRP_MAX)}"


def _irr_exact(d: Decisions, detail: int, peer: int, t: Texts) -> tuple[str, dict[str, Any]]:
    source = d.index.route_objects[detail].source
    ro_prefix, ro_origin = t(Slot.RO_PREFIX), t(Slot.RO_ORIGIN)
    sets = d.expansions[peer].sets if peer in d.expansions else ()
    via = f"AS{peer}" + (f" and {', '.join(sets)}" if sets else "")
    listed_in = set_prefix_ref(source)
    if listed_in is not None:
        sources = source.rpartition("@")[2]
        return (
            f"{ro_prefix} is in the prefix list of {listed_in} from {sources} (the route "
            f"objects of its member ASNs, as the IRR server gives them); the peer opted in "
            f"{listed_in} ({via})",
            {
                "set_prefix_list": {
                    "prefix": ro_prefix,
                    "as_set": listed_in,
                    "sources": sources.split(","),
                },
                "irr_policy": [f"AS{peer}", *sets],
            },
        )
    src = f" in {source}" if source else ""
    return (
        f"route object {ro_prefix} with origin AS{ro_origin}{src} matches exactly; "
        f"AS{ro_origin} is in the IRR policy of the peer ({via})",
        {
            "route_object": {
                "prefix": ro_prefix,
                "origin": t(Slot.RO_ORIGIN_JSON),
                "source": source,
            },
            "irr_policy": [f"AS{peer}", *sets],
        },
    )


def _handle(d: Decisions, i: int, peer_side: bool) -> dict[str, Any]:
    rir, org = (d.rir_peer[i], d.org_peer[i]) if peer_side else (d.rir_origin[i], d.org_origin[i])
    if rir >= 0:
        return handle_json(d.index.rir, int(rir))
    return handle_json(d.index.org, int(org))


def _not_accepted(
    d: Decisions,
    peer: int,
    prefix: str,
    origin: str,
    state: RpkiState | None,
    valid_elsewhere: bool,
) -> tuple[str, dict[str, Any]]:
    rpki_text = state.value if state is not None else "not computed"
    if valid_elsewhere:
        rpki_text += f" (but the origin AS{origin} is not the peer)"
    sets = d.expansions[peer].sets if peer in d.expansions else ()
    policy_text = f"AS{peer}" + (f" or {', '.join(sets)}" if sets else "")
    return (
        f"not accepted: RPKI {rpki_text}; no accepted covering prefix originated by the peer; "
        f"no RIR handle shared by the prefix and AS{peer}; no route object for exactly "
        f"{prefix} with an origin in {policy_text}"
        + ("" if sets else "; no as-set in use (ask for one, rule 1.1)"),
        {"looked_for": {"rpki": rpki_text, "irr_policy": [f"AS{peer}", *sets]}},
    )
