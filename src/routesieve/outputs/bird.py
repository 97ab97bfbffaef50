"""BIRD 2 configuration from a :class:`RouterPolicy`: filters and sessions, via Jinja2.

``render_bird2`` returns two files:

- ``routesieve-filters.conf``: the guard (sets and functions), the ROA tables with the
  protocols that fill them (a static protocol from the VRP snapshot, or one ``protocol
  rpki`` per RTR cache when ``rp.rtr`` is set), one accept set per peer (and per
  route-server member) and the import filter ``peer_as<N>_in`` of every peer. It can be
  included on its own from an operator's existing configuration.
- ``routesieve-sessions.conf``: one ``protocol bgp`` per configured session that has a
  neighbour address, using those filters.

Everything that comes from outside (peer names, exchange names, data-file locations) is
written only inside ``#`` comments or double-quoted strings, through the ``comment`` and
``bird_string`` filters, which take out every character that could end either of them.
Symbols (protocol and set names) are built from numbers and a closed alphabet only.
The same policy always gives the same bytes: no clock, everything sorted.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from routesieve import __version__
from routesieve.model import Prefix
from routesieve.outputs.filterspec import PeerFilter, RouterPolicy, RtrCache, SessionSpec

FILTERS_FILE = "routesieve-filters.conf"
SESSIONS_FILE = "routesieve-sessions.conf"
TEMPLATES = Path(__file__).resolve().parent / "templates" / "bird2"
MAX_TEXT = 200  # outside text longer than this is cut (a comment line stays readable)
MAX_SYMBOL = 60  # BIRD symbols are at most 64 characters


def _clean(text: object) -> str:
    """One line of printable text: control, format, line and paragraph separator
    characters become spaces; long text is cut."""
    out = "".join(
        " " if unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") else c
        for c in str(text)
    )
    out = " ".join(out.split())
    return out if len(out) <= MAX_TEXT else out[: MAX_TEXT - 1] + "…"


def bird_comment(text: object) -> str:
    """Text safe after ``#``: one line, and no ``/*`` or ``*/`` that a reader (or a tool
    that rewrites the file into a block comment) could take for a comment boundary."""
    return _clean(text).replace("/*", "/ *").replace("*/", "* /")


def bird_string(text: object) -> str:
    """Text safe between double quotes. BIRD 2 strings have no escapes: a ``"`` or a
    newline would end the string, so ``"`` becomes ``'`` and ``\\`` becomes ``/``."""
    return bird_comment(text).replace('"', "'").replace("\\", "/")


def symbol_part(text: str) -> str:
    """A piece of a BIRD symbol: only ``[a-z0-9_]``."""
    return re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_") or "x"


@dataclass(frozen=True, slots=True)
class PrefixSet:
    name: str
    family: int
    prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberView:
    asn: int
    sets: tuple[PrefixSet, ...]


@dataclass(frozen=True, slots=True)
class FilterView:
    name: str
    peer: PeerFilter
    sets: tuple[PrefixSet, ...]
    members: tuple[MemberView, ...]
    dispatch: bool  # a route-server filter: the accept list is the first AS's
    check_first_as: bool


@dataclass(frozen=True, slots=True)
class RtrView:
    name: str
    cache: RtrCache
    remote: str  # an address as it is, a host name quoted


def _rtr_views(rp: RouterPolicy) -> list[RtrView]:
    if rp.rtr is None:
        return []
    return [
        RtrView(
            f"routesieve_rtr{i}",
            c,
            c.host if c.is_address else f'"{bird_string(c.host)}"',
        )
        for i, c in enumerate(rp.rtr.caches, start=1)
    ]


@dataclass(frozen=True, slots=True)
class ProtocolView:
    name: str
    session: SessionSpec
    peer: PeerFilter
    address: str | None
    skipped: str | None  # why the session is not rendered
    filter_name: str


def _prefix_sets(
    stem: str, prefixes: Iterable[Prefix], families: Iterable[int]
) -> tuple[PrefixSet, ...]:
    by_family: dict[int, list[str]] = {}
    for p in sorted(set(prefixes)):
        by_family.setdefault(p.version, []).append(str(p))
    return tuple(
        PrefixSet(f"{stem}_V{fam}", fam, tuple(by_family[fam]))
        for fam in sorted(families)
        if by_family.get(fam)
    )


def _filters(rp: RouterPolicy) -> list[FilterView]:
    fams = rp.guard.families
    out: list[FilterView] = []
    for peer in sorted(rp.peers, key=lambda p: p.asn):
        stem = f"ROUTESIEVE_AS{peer.asn}"
        mixed = peer.route_server and any(not s.route_server for s in peer.sessions)
        if not peer.route_server or mixed:
            out.append(
                FilterView(
                    peer.filter_name,
                    peer,
                    _prefix_sets(stem, peer.accept, fams),
                    (),
                    dispatch=False,
                    check_first_as=rp.guard.check_first_as,
                )
            )
        if peer.route_server:
            members = tuple(
                MemberView(m, _prefix_sets(f"{stem}_M{m}", prefixes, fams))
                for m, prefixes in sorted(peer.members)
            )
            name = f"peer_as{peer.asn}_rs_in" if mixed else peer.filter_name
            out.append(FilterView(name, peer, (), members, dispatch=True, check_first_as=False))
    return out


def _protocols(rp: RouterPolicy, filters: list[FilterView]) -> list[ProtocolView]:
    by_name = {f.name: f for f in filters}
    used: set[str] = set()
    out: list[ProtocolView] = []
    for peer in sorted(rp.peers, key=lambda p: p.asn):
        for spec in sorted(peer.sessions, key=lambda s: s.name):
            base = f"rs_as{peer.asn}_{symbol_part(spec.name)}"[:MAX_SYMBOL]
            name, n = base, 1
            while name in used:
                n += 1
                name = f"{base[: MAX_SYMBOL - 4]}_{n}"
            used.add(name)
            filter_name = peer.filter_name
            if spec.route_server and f"peer_as{peer.asn}_rs_in" in by_name:
                filter_name = f"peer_as{peer.asn}_rs_in"
            address, skipped = _address(spec.neighbor, rp.guard.families)
            out.append(ProtocolView(name, spec, peer, address, skipped, filter_name))
    return out


def _address(text: str | None, families: frozenset[int]) -> tuple[str | None, str | None]:
    if text is None:
        return None, "the configuration gives no neighbor address"
    try:
        addr = ipaddress.ip_address(text.strip())
    except ValueError:
        return None, f"the neighbor address {text!r} is not an IP address"
    if addr.version not in families:
        return None, f"the neighbor {addr} is IPv{addr.version}, a family the policy does not route"
    if addr.is_link_local:
        return None, f"the neighbor {addr} is link-local and needs an interface"
    return str(addr), None


def _range_mask(ranges: Iterable[tuple[int, int]]) -> str:
    """A path mask matching a path that holds any AS of the ranges."""
    items = ", ".join(str(a) if a == b else f"{a}..{b}" for a, b in sorted(ranges))
    return f"[= * [{items}] * =]" if items else ""


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["comment"] = bird_comment
    env.filters["bird_string"] = bird_string
    return env


def render_bird2(rp: RouterPolicy) -> dict[str, str]:
    """File name -> content of the BIRD 2 configuration that enforces ``rp``."""
    guard = rp.guard
    filters = _filters(rp)
    context = {
        "version": __version__,
        "rp": rp,
        "guard": guard,
        "families": sorted(guard.families),
        "provenance": sorted(
            rp.provenance, key=lambda p: (p.kind, p.location, p.generated or "", p.count)
        ),
        "bogon_sets": _prefix_sets("ROUTESIEVE_BOGONS", guard.bogons, guard.families),
        "exchange_sets": _prefix_sets(
            "ROUTESIEVE_EXCHANGES", guard.exchange_prefixes, guard.families
        ),
        "set_cases": [(n, " ".join("?" * (n + 1))) for n in range(1, guard.max_hops + 1)],
        "unallocated_mask": _range_mask(guard.unallocated_asns),
        "bogon_asn_mask": _range_mask(guard.bogon_asns),
        "roas": {
            fam: sorted(
                (r for r in set(rp.roas) if r.prefix.version == fam),
                key=lambda r: (r.prefix, r.max_length, r.asn),
            )
            for fam in sorted(guard.families)
        },
        "filters": filters,
        "protocols": _protocols(rp, filters),
        "rtr_caches": _rtr_views(rp),
    }
    env = _environment()
    return {
        FILTERS_FILE: env.get_template("filters.conf.j2").render(context),
        SESSIONS_FILE: env.get_template("sessions.conf.j2").render(context),
    }
