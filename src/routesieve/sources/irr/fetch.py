"""``fetch_whois``: one IRR whois server (``whois://host:port?sources=A,B``) to one RPSL file.

The file holds the as-set objects walked from the peers' opted-in sets and the route /
route6 objects of every AS reached (and of the peers' own ASNs), each with its ``source:``,
so :func:`routesieve.sources.rpsl.read_rpsl` reads it like any dump and the engine expands
the sets itself. It is written only when everything was fetched (else the last good copy
stays and :class:`FetchError` names the URL).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from routesieve.model import AsSet, RouteObject, set_prefix_ref
from routesieve.sources.fetched import Fetched, FetchError, write_atomically
from routesieve.sources.irr.expand import fetch_as_sets, fetch_routes
from routesieve.sources.irr.set_lists import fetch_set_lists
from routesieve.sources.irr.whois import DEFAULT_PORT, WhoisConnection, WhoisError

MEMBERS_PER_LINE = 8


def parse_whois_url(url: str) -> tuple[str, int, tuple[str, ...]]:
    """``whois://host[:port][?sources=A,B]`` as (host, port, sources); ValueError if not."""
    parts = urlsplit(url)
    if parts.scheme != "whois":
        raise ValueError("not a whois:// URL")
    if parts.username or parts.password or parts.path not in ("", "/") or parts.fragment:
        raise ValueError("a whois URL is whois://host:port?sources=A,B and nothing more")
    host = parts.hostname
    if not host:
        raise ValueError("no host in the URL")
    port = parts.port or DEFAULT_PORT
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    if set(query) - {"sources"}:
        raise ValueError(f"unknown URL parameter(s): {', '.join(sorted(set(query) - {'sources'}))}")
    sources = [s.strip().upper() for v in query.get("sources", []) for s in v.split(",")]
    if any(not s or not s.replace("-", "").replace("_", "").isalnum() for s in sources):
        raise ValueError("sources= must be source names separated by commas")
    return host, port, tuple(sources)


def fetch_whois(
    url: str,
    dest: Path,
    *,
    as_sets: Sequence[str],
    asns: Sequence[int],
    max_depth: int = 10,
    max_members: int = 100_000,
    timeout: float = 30.0,
    strict_origin: bool = False,
    versions: Sequence[int] = (4, 6),
) -> Fetched:
    """Fetch what the peers' as-sets ``as_sets`` (names, maybe ``SOURCE::NAME``) stand for
    and the route objects of ``asns`` (the peers) from one server into ``dest`` (RPSL).

    By default a set is fetched as IRRd expands it, like bgpq4: its member ASNs
    (``!i<set>,1``) and its prefix list (``!a6``, and ``!a4`` when 4 is in ``versions``),
    see :mod:`routesieve.sources.irr.set_lists`. With ``strict_origin`` (rule 4.4 then
    compares the origin) the nested sets are walked and every AS's route objects fetched
    (:mod:`routesieve.sources.irr.expand`): one or two queries per set and AS."""
    try:
        host, port, sources = parse_whois_url(url)
    except ValueError as exc:
        raise FetchError(url, str(exc)) from None
    try:
        lists: tuple[RouteObject, ...] = ()
        with WhoisConnection(host, port, timeout=timeout) as conn:
            generated, known = _server_info(conn)
            order = sources or known
            if not order:
                raise FetchError(url, "the server lists no sources; give ?sources=")
            if strict_origin:
                walk = fetch_as_sets(
                    conn, as_sets, order, max_depth=max_depth, max_members=max_members
                )
                sets, found_notes = walk.as_sets, walk.notes
                routes = fetch_routes(conn, walk.asns | set(asns), order)
            else:
                got = fetch_set_lists(
                    conn, as_sets, order, versions=versions, max_members=max_members
                )
                sets, lists, found_notes = got.as_sets, got.prefixes, got.notes
                routes = fetch_routes(conn, set(asns), order)
    except WhoisError as exc:
        raise FetchError(url, str(exc)) from None
    fetched_at = int(time.time())
    write_atomically(dest, _rpsl(url, fetched_at, sets, [*routes, *lists]))
    note = f"{len(sets)} as-sets, {len(routes)} route objects"
    if lists:
        note += f", {len(lists)} prefixes of as-set prefix lists"
    note += f" from {','.join(order)}"
    if found_notes:
        # what was cut by a limit first, then loops, then sets not found
        notes = sorted(found_notes, key=_weight)
        shown = "; ".join(notes[:5])
        more = f" (and {len(notes) - 5} more)" if len(notes) > 5 else ""
        note += f"; {shown}{more}"
    return Fetched(url, dest, fetched_at, generated, len(routes) + len(lists), note)


def _weight(note: str) -> int:
    if "stopped" in note or "deeper than" in note:
        return 0
    return 1 if "loops back" in note else 2


def _server_info(conn: WhoisConnection) -> tuple[str | None, tuple[str, ...]]:
    """The server's version and its sources with serials (``!v``, ``!j-*``), if it says."""
    info: list[str] = []
    known: list[str] = []
    for query in ("!v", "!j-*"):
        try:
            answer = conn.query(query)
        except WhoisError as exc:
            if exc.query != query:
                raise
            continue
        for line in (answer or "").splitlines():
            if query == "!j-*" and ":" in line:
                known.append(line.split(":", 1)[0].strip().upper())
            if line.strip():
                info.append(line.strip())
    return ("; ".join(info)[:500] or None), tuple(known)


def _rpsl(
    url: str, fetched_at: int, as_sets: Sequence[AsSet], routes: Sequence[RouteObject]
) -> Iterator[bytes]:
    yield f"% fetched from {url} at {fetched_at} by routesieve\n\n".encode()
    for s in as_sets:
        lines = [f"as-set:         {s.name}"]
        for i in range(0, len(s.members), MEMBERS_PER_LINE):
            lines.append(f"members:        {', '.join(s.members[i : i + MEMBERS_PER_LINE])}")
        lines.append(f"source:         {s.source}")
        yield ("\n".join(lines) + "\n\n").encode()
    if any(set_prefix_ref(r.source) is not None for r in routes):
        yield (
            b"% an object whose source: is SET@SOURCES is one prefix of that as-set's prefix\n"
            b"% list (!a4/!a6) from those sources: a route object of some member AS, origin\n"
            b"% unknown (written AS0)\n\n"
        )
    batch: list[str] = []
    for r in routes:
        cls = "route:          " if r.prefix.version == 4 else "route6:         "
        batch.append(
            f"{cls}{r.prefix}\norigin:         AS{r.origin}\nsource:         {r.source}\n\n"
        )
        if len(batch) >= 4096:
            yield "".join(batch).encode()
            batch.clear()
    yield "".join(batch).encode()
