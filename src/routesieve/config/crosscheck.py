"""Checks that compare keys with each other, run on the raw TOML data.

They run whether or not the rest of the file validated, so one run lists every problem.
Each check looks only at values that are well formed on their own (a malformed value is
already reported by the field checks) and never reports the same fault twice.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError

from routesieve.config.errors import Loc, key_path
from routesieve.config.fields import FAMILY_VERSION, check_address, check_asn

Found = list[tuple[Loc, str]]


def cross_check(raw: dict[str, Any]) -> Found:
    found: Found = []
    found += _policy(_table(raw.get("policy")))
    exchange_names = _exchanges(_array(raw.get("exchanges")), found)
    families = _families(_table(raw.get("local")))
    _peers(_array(raw.get("peers")), exchange_names, families, found)
    _routers(_array(raw.get("routers")), found)
    _rtr_over_ssh(raw, found)
    _render(_table(raw.get("render")), _table(raw.get("sources")), found)
    return found


def _rtr_over_ssh(raw: dict[str, Any], found: Found) -> None:
    """An ``rtr+ssh://`` source needs the known_hosts file and the client key."""
    rpki = _table(raw.get("sources")).get("rpki")
    urls = [rpki] if isinstance(rpki, str) else rpki if isinstance(rpki, list) else []
    if not any(isinstance(u, str) and u.strip().lower().startswith("rtr+ssh://") for u in urls):
        return
    rtr = _table(_table(raw.get("sync")).get("rtr"))
    for key in ("ssh_known_hosts", "ssh_key"):
        if key not in rtr:
            found.append(
                (
                    ("sync", "rtr", key),
                    f"sources.rpki has an rtr+ssh:// URL: [sync.rtr] {key} is needed "
                    "(the cache's host key is checked against ssh_known_hosts; ssh_key "
                    "logs in)",
                )
            )


def _render(render: dict[str, Any], sources: dict[str, Any], found: Found) -> None:
    """``rpki = "rtr"`` needs a cache: ``rtr_caches`` or an ``rtr://`` rpki source."""
    if render.get("rpki") != "rtr" or _array(render.get("rtr_caches")):
        return
    rpki = sources.get("rpki")
    urls = rpki if isinstance(rpki, list) else [rpki]
    if not any(isinstance(u, str) and u.strip().lower().startswith("rtr://") for u in urls):
        found.append(
            (
                ("render", "rpki"),
                '"rtr" needs an RTR cache: list it in [[render.rtr_caches]] or give an '
                'rtr:// URL in [sources] rpki (or write rpki = "static")',
            )
        )


def _routers(routers: list[Any], found: Found) -> None:
    seen: set[str] = set()
    for i, router in enumerate(routers):
        name = _table(router).get("name")
        if isinstance(name, str):
            if name in seen:
                found.append((("routers", i, "name"), f"router name {name!r} is used twice"))
            seen.add(name)


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _array(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _policy(policy: dict[str, Any]) -> Found:
    found: Found = []
    defaults = {
        "ipv4_min_length": 8,
        "ipv4_max_length": 24,
        "ipv6_min_length": 16,
        "ipv6_max_length": 48,
        "unallocated_asn_first": 1_000_000,
        "unallocated_asn_last": 4_199_999_999,
    }
    for low, high in (
        ("ipv4_min_length", "ipv4_max_length"),
        ("ipv6_min_length", "ipv6_max_length"),
        ("unallocated_asn_first", "unallocated_asn_last"),
    ):
        if low not in policy and high not in policy:
            continue
        lo = _int(policy.get(low, defaults[low]))
        hi = _int(policy.get(high, defaults[high]))
        if lo is not None and hi is not None and lo > hi:
            key = low if low in policy else high
            found.append(
                (("policy", key), f"{low} ({lo}) is greater than {high} ({hi}); it must not be")
            )
    return found


def _exchanges(exchanges: list[Any], found: Found) -> dict[str, int]:
    """Reports repeated names and PeeringDB ids; returns each name's first index."""
    names: dict[str, int] = {}
    ix_ids: dict[int, int] = {}
    for i, entry in enumerate(exchanges):
        entry = _table(entry)
        name = entry.get("name")
        if isinstance(name, str):
            if name in names:
                found.append(
                    (
                        ("exchanges", i, "name"),
                        f"{name!r} is already the name of exchanges[{names[name]}]",
                    )
                )
            else:
                names[name] = i
        ix = _int(entry.get("peeringdb_ix"))
        if ix is not None:
            if ix in ix_ids:
                found.append(
                    (
                        ("exchanges", i, "peeringdb_ix"),
                        f"PeeringDB ix {ix} is already configured as exchanges[{ix_ids[ix]}]",
                    )
                )
            else:
                ix_ids[ix] = i
    return names


def _families(local: dict[str, Any]) -> frozenset[int] | None:
    """The enabled IP versions, or None when ``local.families`` is itself malformed."""
    if "families" not in local:
        return frozenset({4, 6})
    value = local["families"]
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(f, str) and f in FAMILY_VERSION for f in value):
        return None
    return frozenset(FAMILY_VERSION[f] for f in value)


def _peers(
    peers: list[Any], exchanges: dict[str, int], families: frozenset[int] | None, found: Found
) -> None:
    asns: dict[int, int] = {}
    sessions: dict[str, Loc] = {}
    for i, entry in enumerate(peers):
        entry = _table(entry)
        try:
            asn: int | None = check_asn(entry.get("asn"))
        except PydanticCustomError:
            asn = None
        if asn is not None:
            if asn in asns:
                found.append(
                    (
                        ("peers", i, "asn"),
                        f"AS{asn} is already configured as peers[{asns[asn]}]; "
                        "give each peer AS one [[peers]] entry and list its sessions there",
                    )
                )
            else:
                asns[asn] = i
        for j, session in enumerate(_array(entry.get("sessions"))):
            _session(
                ("peers", i, "sessions", j), _table(session), exchanges, families, sessions, found
            )


def _session(
    loc: Loc,
    session: dict[str, Any],
    exchanges: dict[str, int],
    families: frozenset[int] | None,
    names: dict[str, Loc],
    found: Found,
) -> None:
    name = session.get("name")
    if isinstance(name, str):
        if name in names:
            first = key_path(names[name])
            found.append(
                (
                    (*loc, "name"),
                    f"session name {name!r} is already used by {first}; "
                    "session names must be unique in the whole file",
                )
            )
        else:
            names[name] = loc
    exchange = session.get("exchange")
    if isinstance(exchange, str) and exchange not in exchanges:
        known = ", ".join(repr(n) for n in exchanges) or "none"
        found.append(
            (
                (*loc, "exchange"),
                f"no [[exchanges]] entry is named {exchange!r} (configured: {known})",
            )
        )
    neighbor = session.get("neighbor")
    if families is None or not isinstance(neighbor, str):
        return
    try:
        address = check_address(neighbor)
    except PydanticCustomError:
        return
    if address.version not in families:
        enabled = " and ".join(f"ipv{v}" for v in sorted(families))
        found.append(
            (
                (*loc, "neighbor"),
                f"{neighbor!r} is an IPv{address.version} address, but local.families "
                f"enables only {enabled}: the local network has no IPv{address.version} "
                f'address to hold this session from (add "ipv{address.version}" to '
                f"local.families if it really peers over IPv{address.version})",
            )
        )
