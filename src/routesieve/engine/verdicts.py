"""Reasons and evidence: turning the decided columns of one row into a ``Verdict``.

Reasons are written for the peer's NOC: they say what was found, what the limit is, and
for rule 5 what was looked for and not found.
"""

from __future__ import annotations

from typing import Any

from routesieve.engine.decisions import Decisions
from routesieve.engine.index import HandleIndex
from routesieve.engine.paths import bogon_asn_reason
from routesieve.engine.rpki import STATES
from routesieve.engine.rules import ALL_RULES, Rule, is_acceptance
from routesieve.model import Action, RpkiState, Verdict, Vrp, set_prefix_ref

FAMILY = {4: "IPv4", 6: "IPv6"}


def vrp_json(v: Vrp) -> dict[str, Any]:
    return {"prefix": str(v.prefix), "max_length": v.max_length, "asn": v.asn, "ta": v.ta}


def handle_json(h: HandleIndex, entry: int) -> dict[str, Any]:
    handle = h.handles[int(h.code[entry])]
    return {"source": handle.source, "id": handle.handle, "prefix": str(h.entries[entry])}


class VerdictBuilder:
    """Builds the verdict of one row; the columns are turned into Python lists once."""

    def __init__(self, d: Decisions) -> None:
        self.d = d
        self.rule = [ALL_RULES[r] for r in d.rule.tolist()]
        self.state = [STATES[s] for s in d.rpki_state.tolist()]
        self.vrp = d.rpki_vrp.tolist()
        self.peer = d.table.peer.tolist()
        self.path_id = d.table.path_id.tolist()
        self.detail = d.detail.tolist()
        self.path_text: dict[int, str] = {}

    def __call__(self, i: int) -> Verdict:
        d = self.d
        route = d.table.first[i]
        rule = self.rule[i]
        state = self.state[i]
        pid = self.path_id[i]
        path = d.table.paths[pid]
        text = self.path_text.get(pid)
        if text is None:
            text = self.path_text[pid] = str(path)
        reason, evidence = _explain(d, i, rule, state, self.detail[i], self.peer[i])
        if state is not None and self.vrp[i] >= 0 and "vrp" not in evidence:
            evidence["rpki_vrp"] = vrp_json(d.index.vrps[self.vrp[i]])
        return Verdict(
            peer_asn=self.peer[i],
            prefix=route.prefix_text,
            as_path=text,
            origin_asn=path.origin,
            action=_ACTION[rule],
            rule=_CODE[rule],
            reason=reason,
            rpki=state,
            sessions=d.table.sessions(i),
            evidence=evidence,
        )


def verdict_of(d: Decisions, i: int) -> Verdict:
    """The verdict of row ``i`` (for one-off use; ``VerdictBuilder`` for many rows)."""
    return VerdictBuilder(d)(i)


_CODE = {r: r.value for r in ALL_RULES}
_ACTION = {r: Action.ACCEPT if is_acceptance(r) else Action.REJECT for r in ALL_RULES}


def _explain(
    d: Decisions, i: int, rule: Rule, state: RpkiState | None, detail: int, peer: int
) -> tuple[str, dict[str, Any]]:
    policy = d.policy
    route = d.table.first[i]
    prefix = route.prefix
    path = d.table.paths[int(d.table.path_id[i])]
    origin = path.origin
    if rule is Rule.X_AFI:
        assert prefix is not None
        fams = " and ".join(FAMILY[f] for f in sorted(policy.families))
        return (
            f"{FAMILY[prefix.version]} route, but AS{policy.local_asn} takes {fams} routes only",
            {"family": FAMILY[prefix.version]},
        )
    if rule is Rule.X_MALFORMED:
        return (route.problem or "empty AS path", {})
    assert prefix is not None
    fam = FAMILY[prefix.version]
    if rule is Rule.DEFAULT_ROUTE:
        return (f"{prefix} is a default route, never accepted from a peer", {})
    if rule is Rule.AS_SET:
        return (
            f"AS path {path} uses AS_SET or confederation segments "
            "(deprecated, draft-ietf-idr-deprecate-as-set-confed-set)",
            {},
        )
    if rule is Rule.PREFIX_LENGTH:
        low, high = policy.length_limits(prefix.version)
        return (
            f"prefix length /{prefix.length} is outside /{low}–/{high} allowed for {fam}",
            {"length": prefix.length, "min": low, "max": high},
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
        v = d.index.vrps[int(d.rpki_vrp[i])]
        if state is RpkiState.INVALID_LENGTH:
            text = (
                f"RPKI INVALID_LENGTH: the VRP {v.prefix} for AS{v.asn} allows lengths up to "
                f"/{v.max_length}, the route is /{prefix.length}"
            )
        else:
            text = (
                f"RPKI INVALID_ASN: {prefix} is covered by a VRP for AS{v.asn} "
                f"({v.prefix} max /{v.max_length}), and none for the origin AS{origin}"
            )
        return text, {"vrp": vrp_json(v)}
    if rule is Rule.X_FIRST_AS:
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
        v = d.index.vrps[int(d.rpki_vrp[i])]
        return (
            f"originated by the peer AS{peer} and RPKI VALID (VRP {v.prefix} max /{v.max_length})",
            {"vrp": vrp_json(v)},
        )
    if rule is Rule.DOWNSTREAM_OF_ACCEPTED:
        seed = d.table.first[detail]
        seed_rule = ALL_RULES[int(d.rule[detail])].value
        return (
            f"inside {seed.prefix_text}, which the peer AS{peer} originates and which was "
            f"accepted by rule {seed_rule}",
            {"covering_prefix": seed.prefix_text, "covering_rule": seed_rule},
        )
    if rule is Rule.RIR_HANDLE:
        ev = _handle(d, i, peer_side=True)
        return (
            f"the RIR handle {ev['id']} ({ev['source']}) holds both {ev['prefix']} and AS{peer}",
            {"handle": ev},
        )
    if rule is Rule.IRR_EXACT:
        ro = d.index.route_objects[detail]
        sets = d.expansions[peer].sets if peer in d.expansions else ()
        via = f"AS{peer}" + (f" and {', '.join(sets)}" if sets else "")
        listed_in = set_prefix_ref(ro.source)
        if listed_in is not None:
            sources = ro.source.rpartition("@")[2]
            return (
                f"{ro.prefix} is in the prefix list of {listed_in} from {sources} (the route "
                f"objects of its member ASNs, as the IRR server gives them); the peer opted in "
                f"{listed_in} ({via})",
                {
                    "set_prefix_list": {
                        "prefix": str(ro.prefix),
                        "as_set": listed_in,
                        "sources": sources.split(","),
                    },
                    "irr_policy": [f"AS{peer}", *sets],
                },
            )
        src = f" in {ro.source}" if ro.source else ""
        return (
            f"route object {ro.prefix} with origin AS{ro.origin}{src} matches exactly; "
            f"AS{ro.origin} is in the IRR policy of the peer ({via})",
            {
                "route_object": {
                    "prefix": str(ro.prefix),
                    "origin": ro.origin,
                    "source": ro.source,
                },
                "irr_policy": [f"AS{peer}", *sets],
            },
        )
    if rule is Rule.AS_SET_TWO_HOPS:
        members_of = list(d.expansions[peer].sets)
        found: dict[str, Any] = {"as_sets": members_of}
        if state is RpkiState.VALID:
            found["vrp"] = vrp_json(d.index.vrps[int(d.rpki_vrp[i])])
            why = "RPKI VALID"
        else:
            found["handle"] = _handle(d, i, peer_side=False)
            why = f"RIR handle {found['handle']['id']} holds the prefix and AS{origin}"
        return (
            f"two-hop path from AS{origin}, a member of {', '.join(members_of)}, "
            f"through the peer; {why}",
            found,
        )
    return _not_accepted(d, i, peer, origin, state)


def _handle(d: Decisions, i: int, peer_side: bool) -> dict[str, Any]:
    rir, org = (d.rir_peer[i], d.org_peer[i]) if peer_side else (d.rir_origin[i], d.org_origin[i])
    if rir >= 0:
        return handle_json(d.index.rir, int(rir))
    return handle_json(d.index.org, int(org))


def _not_accepted(
    d: Decisions, i: int, peer: int, origin: int | None, state: RpkiState | None
) -> tuple[str, dict[str, Any]]:
    route = d.table.first[i]
    rpki_text = state.value if state is not None else "not computed"
    if state is RpkiState.VALID and origin != peer:
        rpki_text += f" (but the origin AS{origin} is not the peer)"
    sets = d.expansions[peer].sets if peer in d.expansions else ()
    policy_text = f"AS{peer}" + (f" or {', '.join(sets)}" if sets else "")
    return (
        f"not accepted: RPKI {rpki_text}; no accepted covering prefix originated by the peer; "
        f"no RIR handle shared by the prefix and AS{peer}; no route object for exactly "
        f"{route.prefix_text} with an origin in {policy_text}"
        + ("" if sets else "; no as-set in use (ask for one, rule 1.1)"),
        {"looked_for": {"rpki": rpki_text, "irr_policy": [f"AS{peer}", *sets]}},
    )
