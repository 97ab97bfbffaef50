"""FRR (8.x) configuration from a :class:`RouterPolicy`: prefix-lists, as-path lists,
route-maps and the BGP sessions.

Two files: ``filters.conf`` (everything a route-map needs, usable with the operator's
own sessions) and ``sessions.conf`` (``router bgp`` with one neighbour per configured
session that has an address). The guard is one route-map, ``routesieve_guard``, that
every peer's ``peer_as<N>_in`` calls first.

AS_SET paths (3.2) and a wrong first AS (X-FIRST-AS) are denied by the route-maps, and
the sessions say ``no bgp reject-as-sets`` and ``no neighbor X enforce-first-as``: with
those knobs on, FRR 8.4 treats such an UPDATE as a withdrawal and the route vanishes
from the Adj-RIB-In, where step 2 must see it (checked with the real daemon in
``tests/outputs/test_frr_e2e.py``). A path with AS 0 is withdrawn by FRR's parser
whatever the configuration (RFC 7607); it cannot be made visible.

RPKI: FRR validates origins only against an RTR cache (the ``rpki`` module, rtrlib;
``bgpd -M rpki``). With ``rp.rtr`` set, ``filters.conf`` holds the ``rpki`` block with
the caches and the guard denies ``match rpki invalid``; FRR then re-runs the import
route-maps on its own when a VRP changes (from the Adj-RIB-In that ``soft-reconfiguration
inbound`` keeps). Without a cache, the ROA set is written as prefix-lists
per origin AS (the prefixes a ROA of that AS makes VALID, ``le maxLength``) and one
prefix-list of every ROA prefix: a route covered by a ROA whose (prefix, origin) is in
no origin's list is INVALID (RFC 6811) and is denied. This is exact, but a route-map
holds at most 65535 entries, so the ROA set may have at most ``MAX_ROA_ORIGINS``
origin ASes per family; beyond that, use an RTR cache and ``match rpki invalid``.

The helpers here (``template_env``, ``header``, ``safe_text``) are shared with the
OpenBGPD renderer.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2

from routesieve import __version__
from routesieve.model import BITS, Prefix
from routesieve.outputs.filterspec import (
    AS_TRANS,
    PeerFilter,
    RouterPolicy,
    SessionSpec,
    minimal_prefixes,
)

MAX_ROA_ORIGINS = 60000
_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.,:/()+&@")
_FAMILY = {4: "ip", 6: "ipv6"}


def template_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("routesieve.outputs", "templates"),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def safe_text(text: str, limit: int | None = None) -> str:
    """Outside text made inert: accents dropped, anything but letters, digits, space and
    ``-_.,:/()+&@`` replaced by ``_``, whitespace collapsed. No quote, backslash, ``$``,
    comment sign or line break can remain, so the text cannot leave a quoted string, a
    description or a comment in either target."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch in _SAFE:
            out.append(ch)
        elif not unicodedata.combining(ch):
            out.append(" " if ch.isspace() else "_")
    clean = " ".join("".join(out).split())
    if limit is not None:
        clean = clean[:limit].rstrip()
    return clean or "-"


def header(rp: RouterPolicy, target: str) -> dict[str, Any]:
    """What produced the files and from which data, in the order of the snapshot."""
    sources = [
        {
            "kind": safe_text(p.kind),
            "location": safe_text(p.location),
            "generated": safe_text(p.generated) if p.generated else "undated",
            "count": p.count,
        }
        for p in rp.provenance
    ]
    return {"version": __version__, "target": target, "local_asn": rp.local_asn, "sources": sources}


def check_neighbor(session: SessionSpec, families: frozenset[int]) -> str | None:
    """The neighbour address in canonical form, or None; refuse a family not enabled."""
    if session.neighbor is None:
        return None
    address = ipaddress.ip_address(session.neighbor)
    if address.version not in families:
        raise ValueError(
            f"session {session.name!r}: {address} is an IPv{address.version} address, "
            f"but the local policy routes only IPv{'/IPv'.join(map(str, sorted(families)))}"
        )
    return str(address)


# ---- numeric ranges as regular expressions ----------------------------------------


def range_patterns(low: int, high: int) -> list[str]:
    """Alternatives that match exactly the decimal numbers ``low``..``high`` (no leading
    zeros), e.g. ``range_patterns(8, 12) == ["[89]", "1[0-2]"]``."""
    if low < 0 or high < low:
        raise ValueError(f"bad range {low}-{high}")
    out: list[str] = []
    while low <= high:
        top = min(high, 10 ** len(str(low)) - 1)
        out.extend(_same_length(str(low), str(top)))
        low = top + 1
    return out


def _digits(a: str, b: str) -> str:
    return a if a == b else f"[{a}-{b}]" if int(b) - int(a) > 1 else f"[{a}{b}]"


def _any(count: int) -> str:
    return "" if count == 0 else "[0-9]" if count == 1 else f"[0-9]{{{count}}}"


def _same_length(a: str, b: str) -> list[str]:
    if a == b:
        return [a]
    i = 0
    while a[i] == b[i]:
        i += 1
    pre, a, b = a[:i], a[i:], b[i:]
    rest = len(a) - 1
    if a[1:] == "0" * rest and b[1:] == "9" * rest:
        return [pre + _digits(a[0], b[0]) + _any(rest)]
    out: list[str] = []
    first, last = int(a[0]), int(b[0])
    if a[1:] != "0" * rest:
        out.extend(pre + p for p in _same_length(a, a[0] + "9" * rest))
        first += 1
    tail: list[str] = []
    if b[1:] != "9" * rest:
        tail = [pre + p for p in _same_length(b[0] + "0" * rest, b)]
        last -= 1
    if first <= last:
        out.append(pre + _digits(str(first), str(last)) + _any(rest))
    return out + tail


def asn_regexes(ranges: Iterable[tuple[int, int]], width: int = 900) -> list[str]:
    """FRR as-path regexes (``_`` is FRR's AS delimiter) matching any AS in ``ranges``,
    split so that no line of the configuration gets too long."""
    alts = [p for low, high in ranges for p in range_patterns(low, high)]
    out: list[str] = []
    chunk: list[str] = []
    for alt in alts:
        if chunk and sum(len(c) + 1 for c in chunk) + len(alt) > width:
            out.append("_(" + "|".join(chunk) + ")_")
            chunk = []
        chunk.append(alt)
    if chunk:
        out.append("_(" + "|".join(chunk) + ")_")
    return out


# ---- the FRR model -----------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    action: str
    matches: tuple[str, ...]
    comment: str = ""


def _plist_lines(name: str, prefixes: Sequence[Prefix], or_longer: bool) -> list[str]:
    lines = []
    for seq, p in enumerate(prefixes, start=1):
        le = f" le {p.bits}" if or_longer and p.length < p.bits else ""
        lines.append(f"{_FAMILY[p.version]} prefix-list {name} seq {seq * 5} permit {p}{le}")
    return lines


def _reject_prefixes(rp: RouterPolicy, version: int) -> list[str]:
    g = rp.guard
    fam, bits = _FAMILY[version], BITS[version]
    name = f"routesieve_reject_v{version}"
    zero = "0.0.0.0/0" if version == 4 else "::/0"
    if version not in g.families:
        return [f"{fam} prefix-list {name} seq 5 permit {zero} le {bits}"]
    low, high = g.ipv4_length if version == 4 else g.ipv6_length
    rules = [f"permit {zero}"]
    if low > 1:
        rules.append(f"permit {zero} le {low - 1}")
    if high < bits:
        rules.append(f"permit {zero} ge {high + 1}")
    for p in (*g.bogons, *g.exchange_prefixes):
        if p.version == version:
            rules.append(f"permit {p} le {bits}" if p.length < bits else f"permit {p}")
    return [f"{fam} prefix-list {name} seq {i * 5} {r}" for i, r in enumerate(rules, start=1)]


def _peer_entries(peer: PeerFilter, families: frozenset[int], first_as: bool) -> list[_Entry]:
    entries = [_Entry("permit", ("call routesieve_guard", "on-match next"), "the guard first")]
    lists: list[tuple[str, int, tuple[Prefix, ...], str]] = []
    gate = first_as or peer.route_server
    lists.append((f"peer_as{peer.asn}_accept", peer.asn if gate else 0, peer.accept, "accept list"))
    for member, prefixes in peer.members:
        lists.append(
            (f"peer_as{peer.asn}_member_as{member}", member, prefixes, f"member AS{member}")
        )
    for name, first, prefixes, what in lists:
        for version in sorted(families):
            if any(p.version == version for p in prefixes):
                m = [f"match {_FAMILY[version]} address prefix-list {name}_v{version}"]
                if first:
                    m.insert(0, f"match as-path routesieve_first_as{first}")
                entries.append(_Entry("permit", tuple(m), f"{what}, IPv{version}"))
    return entries


def render_frr(rp: RouterPolicy) -> dict[str, str]:
    g = rp.guard
    plists: list[str] = []
    for version in (4, 6):
        plists.extend(_reject_prefixes(rp, version))
    path_rules = [
        ("[][{}()]", "3.2: AS_SET or confederation segment"),
        ("^[0-9]+( [0-9]+){" + str(g.max_hops) + "}", f"3.6: more than {g.max_hops} ASes"),
        *((r, "3.7: unallocated AS") for r in asn_regexes(g.unallocated_asns)),
        (f"_{AS_TRANS}_", "3.8: AS_TRANS"),
        ("_0_", "3.9: AS 0"),
        *((r, "X-BOGON-ASN") for r in asn_regexes(g.bogon_asns)),
    ]
    firsts = sorted(
        {p.asn for p in rp.peers if g.check_first_as or p.route_server}
        | {m for p in rp.peers for m, _ in p.members}
    )
    # RPKI: VALID prefixes per (origin, family), and everything a ROA covers
    valid: dict[tuple[int, int], list[Prefix]] = {}
    lengths: dict[tuple[int, int, Prefix], int] = {}
    for roa in rp.roas if rp.rtr is None else ():  # RTR: the router has the VRPs
        if roa.asn != 0:
            valid.setdefault((roa.prefix.version, roa.asn), []).append(roa.prefix)
            key = (roa.prefix.version, roa.asn, roa.prefix)
            lengths[key] = max(lengths.get(key, 0), roa.max_length)
    if len(valid) > MAX_ROA_ORIGINS:
        raise ValueError(
            f"{len(valid)} origin ASes in the ROA set: FRR route-maps cannot hold them "
            "(at most 65535 entries); validate with an RTR cache instead"
        )
    roa_lists: list[str] = []
    origins: list[dict[str, Any]] = []
    for (version, asn), prefixes in sorted(valid.items()):
        name = f"routesieve_roa_as{asn}_v{version}"
        for seq, p in enumerate(sorted(set(prefixes)), start=1):
            top = lengths[(version, asn, p)]
            le = f" le {top}" if top > p.length else ""
            roa_lists.append(f"{_FAMILY[version]} prefix-list {name} seq {seq * 5} permit {p}{le}")
        origins.append({"asn": asn, "version": version, "family": _FAMILY[version], "list": name})
    covered: dict[int, list[Prefix]] = {}
    for roa in rp.roas if rp.rtr is None else ():
        covered.setdefault(roa.prefix.version, []).append(roa.prefix)
    for version in sorted(covered):
        roa_lists.extend(
            _plist_lines(
                f"routesieve_roa_covered_v{version}", minimal_prefixes(covered[version]), True
            )
        )
    accept_lists: list[str] = []
    peers: list[dict[str, Any]] = []
    for peer in rp.peers:
        named = [(f"peer_as{peer.asn}_accept", peer.accept)]
        named += [(f"peer_as{peer.asn}_member_as{m}", ps) for m, ps in peer.members]
        for name, listed in named:
            for version in sorted(g.families):
                chosen = [p for p in listed if p.version == version]
                accept_lists.extend(_plist_lines(f"{name}_v{version}", chosen, False))
        peers.append(
            {
                "asn": peer.asn,
                "name": safe_text(peer.name),
                "filter": peer.filter_name,
                "route_server": peer.route_server,
                "entries": _peer_entries(peer, g.families, g.check_first_as),
            }
        )
    sessions = [
        {
            "peer": peer.asn,
            "name": safe_text(s.name),
            "exchange": safe_text(s.exchange) if s.exchange else None,
            "address": check_neighbor(s, g.families),
            "description": safe_text(f"AS{peer.asn} {peer.name} {s.name}", 80),
            "route_server": s.route_server,
            "filter": peer.filter_name,
            "max_prefix": peer.max_prefix,
        }
        for peer in rp.peers
        for s in peer.sessions
    ]
    env = template_env()
    ctx: dict[str, Any] = {
        "h": header(rp, "frr"),
        "g": g,
        "families": sorted(g.families),
        "plists": plists,
        "path_rules": path_rules,
        "firsts": firsts,
        "roa_lists": roa_lists,
        "origins": origins,
        "covered": sorted(covered),
        "roa_count": len(rp.roas),
        "rtr": rp.rtr,
        "rtr_caches": sorted(rp.rtr.caches, key=lambda c: c.preference) if rp.rtr else [],
        "accept_lists": accept_lists,
        "peers": peers,
        "sessions": sessions,
        "all_families": {4: "ipv4", 6: "ipv6"},
    }
    return {
        "filters.conf": env.get_template("frr/filters.conf.j2").render(ctx),
        "sessions.conf": env.get_template("frr/sessions.conf.j2").render(ctx),
    }
