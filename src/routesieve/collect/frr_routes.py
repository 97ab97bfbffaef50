"""The routes every BGP neighbour sent to an FRR router, before import policy, via vtysh.

``list_neighbors`` reads ``show bgp neighbors json``: per neighbour its address (or
interface, for an unnumbered session), remote AS, state and, per address family, whether
``soft-reconfiguration inbound`` is on (``inboundSoftConfigPermit``). ``collect_routes``
then asks, for every IPv4/IPv6 unicast family of every neighbour,
``show bgp <afi> unicast neighbors <addr> received-routes json``: the Adj-RIB-In that
soft-reconfiguration keeps, every route the neighbour sent, accepted or denied by the
import route-map. Without soft-reconfiguration FRR keeps no such table; that neighbour
and family get a problem saying so, never an empty silence.

The output is parsed as it streams (:mod:`routesieve.collect.command_json`): one route
object at a time from ``receivedRoutes``, so that a full table is never held as text.
FRR prints an AS_SET as ``{a,b}`` and confederation segments as ``(a b)`` / ``[a b]``
in ``path``, which :meth:`AsPath.parse` reads as sent. A route whose prefix or path
cannot be read is kept with a problem (verdict X-MALFORMED). FRR's received-routes JSON
has no communities, so the collected routes have none.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import ijson
import orjson

from routesieve.collect.command_json import CommandError, cached_path, stream_json
from routesieve.model import AsPath, ParseError, Prefix, Route
from routesieve.problems import Problem, ReadResult
from routesieve.snapshot import Provenance

KIND = "routes-frr"
DEFAULT_VTYSH = "vtysh"
TIMEOUT = 600.0
FAMILIES = {"ipv4Unicast": "ipv4", "ipv6Unicast": "ipv6"}
NO_SOFT_RECONFIGURATION = "Inbound soft reconfiguration not enabled"


@dataclass(frozen=True, slots=True)
class FrrNeighbor:
    """A BGP neighbour of FRR: ``families`` maps ``ipv4``/``ipv6`` to whether
    soft-reconfiguration inbound is on for it."""

    address: str
    remote_as: int | None
    state: str
    families: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class Vtysh:
    """How to run vtysh: the command (split as a shell would) and the vty socket folder."""

    command: str = DEFAULT_VTYSH
    vty_socket: str | None = None
    timeout: float = TIMEOUT

    def args(self, show: str) -> list[str]:
        out = shlex.split(self.command)
        if self.vty_socket:
            out += ["--vty_socket", self.vty_socket]
        return [*out, "-c", show]

    @property
    def source(self) -> str:
        return f"vtysh at {self.vty_socket}" if self.vty_socket else "vtysh"


def list_neighbors(vtysh: Vtysh) -> list[FrrNeighbor]:
    """The neighbours of the default BGP instance, in FRR's order."""
    data, _ = stream_json(vtysh.args("show bgp neighbors json"), lambda f: f.read(), vtysh.timeout)
    try:
        parsed = orjson.loads(data) if data.strip() else {}
    except orjson.JSONDecodeError as exc:
        raise CommandError(f"show bgp neighbors json: output is not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise CommandError("show bgp neighbors json: output is not a JSON object")
    if "warning" in parsed and len(parsed) == 1:
        raise CommandError(f"show bgp neighbors json: {parsed['warning']}")
    return [_neighbor(address, value) for address, value in parsed.items()]


def _neighbor(address: str, value: Any) -> FrrNeighbor:
    if not isinstance(value, dict):
        return FrrNeighbor(address, None, "", ())
    remote = value.get("remoteAs")
    families = value.get("addressFamilyInfo")
    found: list[tuple[str, bool]] = []
    if isinstance(families, dict):
        for key, name in FAMILIES.items():
            info = families.get(key)
            if isinstance(info, dict):
                found.append((name, bool(info.get("inboundSoftConfigPermit"))))
    return FrrNeighbor(
        address,
        remote if isinstance(remote, int) and not isinstance(remote, bool) else None,
        str(value.get("bgpState", "")),
        tuple(found),
    )


def collect_routes(
    vtysh: Vtysh,
    router: str,
    neighbors: Iterable[FrrNeighbor] | None = None,
    families: Iterable[str] = ("ipv4", "ipv6"),
) -> ReadResult[Route]:
    """Every route each neighbour sent, accepted or denied, as a ``Route`` with the
    neighbour's remote AS as ``peer_asn`` and ``<router>:<neighbour>`` as ``session``;
    only the address families in ``families`` (the policy's) are read."""
    if neighbors is None:
        neighbors = list_neighbors(vtysh)
    source = vtysh.source
    routes: list[Route] = []
    problems: list[Problem] = []
    how: list[str] = []
    wanted = set(families)
    for n in neighbors:
        session = f"{router}:{n.address}"
        if n.remote_as is None:
            problems.append(Problem(source, None, "no remote AS shown", session))
            continue
        for family, soft in n.families:
            if family not in wanted:
                continue
            if not soft:
                problems.append(
                    Problem(
                        source,
                        None,
                        f"{family} unicast has no 'soft-reconfiguration inbound': FRR keeps "
                        "no Adj-RIB-In for it, so the routes this neighbour sent cannot be "
                        f"collected (add 'neighbor {n.address} soft-reconfiguration inbound' "
                        f"under 'address-family {family} unicast')",
                        session,
                    )
                )
                continue
            show = f"show bgp {family} unicast neighbors {n.address} received-routes json"
            got, found = read_received(vtysh, show, n.remote_as, session, source)
            routes.extend(got)
            problems.extend(found)
            how.append(f"{session} {family}: {len(got)}")
    provenance = Provenance(KIND, source, None, len(routes), "; ".join(how))
    return ReadResult(tuple(routes), tuple(problems), provenance)


def read_received(
    vtysh: Vtysh, show: str, peer_asn: int, session: str, source: str
) -> tuple[list[Route], list[Problem]]:
    """The routes of one ``received-routes json`` answer, read as they stream."""
    routes: list[Route] = []

    def consume(stream: Any) -> None:
        items = ijson.kvitems(stream, "receivedRoutes", use_float=True)
        routes.extend(parse_received(items, peer_asn, session))

    _, output = stream_json(vtysh.args(show), consume, vtysh.timeout)
    problems: list[Problem] = []
    if not routes and output.whole:
        warning = _warning(output.head)
        if warning:
            if NO_SOFT_RECONFIGURATION in warning:
                warning += " (soft-reconfiguration inbound is off: nothing can be collected)"
            problems.append(Problem(source, None, f"{show}: {warning}", session))
    return routes, problems


def parse_received(
    items: Iterable[tuple[str, Any]], peer_asn: int, session: str
) -> Iterator[Route]:
    """``(prefix, route object)`` pairs of ``receivedRoutes`` as routes; with ADD-PATH a
    prefix may come more than once, and each is kept."""
    paths: dict[str, AsPath] = {}
    for key, value in items:
        raw = str(key)
        if not isinstance(value, dict):
            yield _bad(peer_asn, raw, session, "route is not a JSON object")
            continue
        raw = str(value.get("network", raw))
        text = value.get("path")
        if not isinstance(text, str):
            yield _bad(peer_asn, raw, session, "route has no 'path'")
            continue
        try:
            prefix = Prefix.parse(raw)
        except (ParseError, ValueError) as exc:
            yield _bad(peer_asn, raw, session, f"unreadable prefix: {exc}", text)
            continue
        path = cached_path(paths, text)
        if isinstance(path, str):
            yield _bad(peer_asn, raw, session, path)
            continue
        problem = "empty AS path" if path.is_empty else None
        yield Route(peer_asn, prefix, path, session, problem, raw)


def _bad(peer_asn: int, raw: str, session: str, why: str, path: str = "") -> Route:
    try:
        as_path = AsPath.parse(path)
    except (ParseError, ValueError):
        as_path = AsPath(())
    return Route(peer_asn, None, as_path, session, why, raw)


def _warning(head: bytes) -> str:
    try:
        parsed = orjson.loads(head) if head.strip() else None
    except orjson.JSONDecodeError:
        return head.decode("utf-8", "replace").strip()[:200]
    if isinstance(parsed, dict):
        warning = parsed.get("warning")
        if isinstance(warning, str):
            return warning
    return ""
