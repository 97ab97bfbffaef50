"""The routes every BGP neighbour sent to OpenBGPD, before its filters, via bgpctl.

``bgpctl -j -s SOCKET show neighbor`` gives each neighbour's address and remote AS;
``bgpctl -j -s SOCKET show rib in detail`` the Adj-RIB-In: every route every neighbour
sent, before the filters, including the routes bgpd treats as withdrawn (flag ``E``: an
AS_SET with ``reject as-set yes``, AS 0). ``detail`` adds the communities (the plain
``show rib in`` JSON has none). The answer is one ``{"rib": [...]}`` object; its
routes are read one at a time as the output streams (:mod:`routesieve.collect.
command_json`). bgpd prints an AS_SET as ``{ a b }`` and confederation segments as
``( a b )`` / ``[ a b ]`` in ``aspath``, which :meth:`AsPath.parse` reads as sent. A route
whose prefix, path or neighbour cannot be read is kept with a problem (X-MALFORMED).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import ijson
import orjson

from routesieve.collect.command_json import CommandError, cached_path, stream_json
from routesieve.model import AsPath, ParseError, Prefix, Route
from routesieve.numbers import is_digits
from routesieve.problems import Problem, ReadResult
from routesieve.snapshot import Provenance

KIND = "routes-openbgpd"
DEFAULT_SOCKET = "/var/run/bgpd.sock"
BGPCTL = "bgpctl"
TIMEOUT = 600.0


@dataclass(frozen=True)
class Bgpctl:
    """How to run bgpctl: the program, bgpd's control socket and the time allowed."""

    socket: str = DEFAULT_SOCKET
    program: str = BGPCTL
    timeout: float = TIMEOUT

    def args(self, *words: str) -> list[str]:
        return [self.program, "-j", "-s", self.socket, *words]

    @property
    def source(self) -> str:
        return f"bgpctl -s {self.socket}"


def neighbor_asns(bgpctl: Bgpctl) -> dict[str, int | None]:
    """Each neighbour's address and remote AS (None when bgpd does not show one)."""
    data, _ = stream_json(bgpctl.args("show", "neighbor"), lambda f: f.read(), bgpctl.timeout)
    try:
        parsed = orjson.loads(data) if data.strip() else {}
    except orjson.JSONDecodeError as exc:
        raise CommandError(f"{bgpctl.source} show neighbor: output is not JSON: {exc}") from None
    neighbors = parsed.get("neighbors", []) if isinstance(parsed, dict) else None
    if not isinstance(neighbors, list):
        raise CommandError(f"{bgpctl.source} show neighbor: no 'neighbors' list")
    out: dict[str, int | None] = {}
    for n in neighbors:
        if isinstance(n, dict) and isinstance(n.get("remote_addr"), str):
            out[n["remote_addr"]] = _asn(n.get("remote_as"))
    return out


def collect_routes(bgpctl: Bgpctl, router: str) -> ReadResult[Route]:
    """Every route of bgpd's Adj-RIB-In as a ``Route`` with the neighbour's remote AS as
    ``peer_asn`` and ``<router>:<neighbour address>`` as ``session``."""
    asns = neighbor_asns(bgpctl)
    routes: list[Route] = []
    problems: list[Problem] = []

    def consume(stream: Any) -> None:
        items = ijson.items(stream, "rib.item", use_float=True)
        routes.extend(parse_rib(items, asns, router, problems, bgpctl.source))

    stream_json(bgpctl.args("show", "rib", "in", "detail"), consume, bgpctl.timeout)
    provenance = Provenance(KIND, bgpctl.source, None, len(routes), f"{len(asns)} neighbours")
    return ReadResult(tuple(routes), tuple(problems), provenance)


def parse_rib(
    items: Iterable[Any],
    asns: Mapping[str, int | None],
    router: str,
    problems: list[Problem],
    source: str,
) -> Iterator[Route]:
    """The route objects of ``"rib"`` as routes. A route of a neighbour whose AS is not
    known cannot be judged (its peer AS is unknown): it is kept with AS 0 and a problem."""
    paths: dict[str, AsPath] = {}
    unknown: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(Problem(source, None, f"rib entry {i} is not a JSON object", router))
            continue
        neighbor = item.get("neighbor")
        address = neighbor.get("remote_addr") if isinstance(neighbor, dict) else None
        session = f"{router}:{address}" if isinstance(address, str) else router
        peer = asns.get(address) if isinstance(address, str) else None
        raw = str(item.get("prefix", ""))
        text = item.get("aspath")
        why = None
        if peer is None:
            if session not in unknown:
                unknown.add(session)
                problems.append(Problem(source, None, "the neighbour's AS is not shown", session))
            why = "neighbour AS unknown"
        if not isinstance(text, str):
            yield Route(peer or 0, None, AsPath(()), session, why or "route has no 'aspath'", raw)
            continue
        path = cached_path(paths, text)
        if isinstance(path, str):
            yield Route(peer or 0, None, AsPath(()), session, why or path, raw)
            continue
        try:
            prefix: Prefix | None = Prefix.parse(raw)
        except (ParseError, ValueError) as exc:
            prefix, why = None, why or f"unreadable prefix: {exc}"
        if why is None and path.is_empty:
            why = "empty AS path"
        comms = (*_texts(item.get("communities")), *_texts(item.get("large_communities")))
        yield Route(peer or 0, prefix, path, session, why, raw, comms)


def _texts(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _asn(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_digits(value, 10):
        return int(value)
    return None
