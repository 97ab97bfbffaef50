"""The routes every BGP peer sent to a BIRD 2 router, before import policy.

``list_sessions`` reads the BGP protocols from ``show protocols all``. ``collect_routes``
asks, for every IPv4/IPv6 channel of every session:

- ``show route all import table P.C`` when the channel has ``import table on``: BIRD keeps
  there every route the peer sent, before the import filter, accepted or not;
- otherwise ``show route all table T protocol P`` (the routes the filter accepted) and
  ``show route all table T filtered protocol P`` (the ones it rejected, which BIRD keeps
  only with ``import keep filtered on``).

``show protocols all`` does not say whether a channel has an import table, so each
channel is probed with ``show route import table P.C count`` (BIRD answers
``9001 No import table in channel P.C`` when it has none).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from routesieve.collect.bird_columns import read_show_route_blocks
from routesieve.collect.bird_socket import BirdClient, BirdError
from routesieve.columnar.routes import ReceivedRoutes
from routesieve.model import Route
from routesieve.numbers import is_digits
from routesieve.problems import Problem, ReadResult
from routesieve.snapshot import Provenance

KIND = "routes-bird"
COLLECTED_CHANNELS = ("ipv4", "ipv6")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ROUTES = re.compile(r"(\d+) imported, (?:(\d+) filtered, )?")


@dataclass(frozen=True, slots=True)
class BirdChannel:
    """A channel of a BGP protocol: ``name`` (``ipv6``), its ``table``, ``state`` and
    ``input_filter``; the route counts; ``import_table`` when probed (None: unknown).

    ``keep_filtered`` is True when the channel has ``import keep filtered on``: BIRD
    2.0.12 writes a filtered count in its ``Routes:`` line only then (``Routes: 30
    imported, 10 filtered, 0 exported, 30 preferred``, without it ``Routes: 30
    imported, 0 exported, 30 preferred``). False without it, None when there is no
    ``Routes:`` line. The filtered count alone does not tell: after a reconfigure that
    lets the filter accept every route, BIRD keeps filtered routes and holds none.
    """

    name: str
    table: str = ""
    state: str = ""
    input_filter: str = ""
    imported: int | None = None
    filtered: int | None = None
    filtered_updates: int | None = None
    import_table: bool | None = None
    keep_filtered: bool | None = None


@dataclass(frozen=True, slots=True)
class BirdSession:
    """A BGP protocol of BIRD: the protocol ``name`` is the session name."""

    name: str
    state: str
    bgp_state: str
    neighbor_address: str | None
    neighbor_as: int | None
    local_as: int | None
    description: str
    channels: tuple[BirdChannel, ...]

    @property
    def import_table(self) -> bool:
        return any(c.import_table for c in self.channels)

    @property
    def keep_filtered(self) -> bool | None:
        values = {c.keep_filtered for c in self.channels}
        if True in values:
            return True
        if False in values:
            return False
        return None


def list_sessions(client: BirdClient, probe_import_tables: bool = True) -> list[BirdSession]:
    """The BGP protocols, in BIRD's order, from ``show protocols all``; each IPv4/IPv6
    channel probed for an import table unless ``probe_import_tables`` is False."""
    sessions = parse_protocols(client.lines("show protocols all"))
    if probe_import_tables:
        sessions = [_probe(client, s) for s in sessions]
    return sessions


def parse_protocols(lines: Iterable[tuple[int, str]]) -> list[BirdSession]:
    """The BGP protocols of a ``show protocols all`` reply, given as ``(code, text)``."""
    sessions: list[BirdSession] = []
    current: dict[str, str] | None = None
    channels: list[dict[str, str]] = []
    head: list[str] = []
    for code, text in lines:
        if code == 1002:  # "name proto table state since info"
            if current is not None:
                sessions.append(_session(head, current, channels))
            head = text.split()
            current = {} if len(head) > 1 and head[1] == "BGP" else None
            channels = []
        elif code == 1006 and current is not None:
            key, sep, value = text.strip().partition(":")
            if text.startswith("  Channel "):
                channels.append({"name": text.split()[1]})
            elif sep and text.startswith("    ") and channels:
                channels[-1].setdefault(key, value.strip())
            elif sep:
                current.setdefault(key, value.strip())
    if current is not None:
        sessions.append(_session(head, current, channels))
    return sessions


def collect_routes(
    client: BirdClient, sessions: list[BirdSession] | None = None
) -> ReadResult[Route]:
    """Every route each session's peer sent, accepted or filtered, as a ``Route`` with the
    neighbour AS as ``peer_asn`` and the protocol name as ``session``; the items are
    columns (:class:`ReceivedRoutes`), read from BIRD's text in bulk."""
    if sessions is None:
        sessions = list_sessions(client)
    # hundreds of thousands of long-lived objects and no garbage cycles: the cyclic
    # collector would only walk them again and again (as sync does)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _collect(client, sessions)
    finally:
        if collecting:
            gc.enable()


def _collect(client: BirdClient, sessions: list[BirdSession]) -> ReadResult[Route]:
    source = client.path
    parts: list[ReceivedRoutes] = []
    problems: list[Problem] = []
    how: list[str] = []
    for session in sessions:
        if session.neighbor_as is None:
            problems.append(Problem(source, None, "no neighbor AS shown", session.name))
            continue
        if not _NAME.match(session.name):
            problems.append(Problem(source, None, "protocol name cannot be used", session.name))
            continue
        for channel in session.channels:
            if channel.name not in COLLECTED_CHANNELS:
                continue
            for command in _commands(session, channel, source, problems):
                got, found = read_show_route_blocks(
                    client.blocks(command), session.neighbor_as, session.name, source, command
                )
                if len(got):  # (joining parts makes their paths one again)
                    parts.append(got)
                problems.extend(found)
                problems.extend(
                    Problem(source, n, "line too long, cut", command) for n in client.cut_lines
                )
            how.append(
                f"{session.name}.{channel.name}: "
                + ("import table" if channel.import_table else "table and filtered")
            )
    routes = ReceivedRoutes.concat(parts)
    provenance = Provenance(KIND, source, _server_time(client), len(routes), "; ".join(how))
    return ReadResult(routes, tuple(problems), provenance)


def _commands(
    session: BirdSession, channel: BirdChannel, source: str, problems: list[Problem]
) -> list[str]:
    name = session.name
    if channel.import_table:
        return [f"show route all import table {name}.{channel.name}"]
    if not channel.table or not _NAME.match(channel.table):
        problems.append(Problem(source, None, f"channel {channel.name} has no usable table", name))
        return []
    if channel.keep_filtered is False and channel.filtered_updates:
        problems.append(
            Problem(
                source,
                None,
                f"channel {channel.name} filtered {channel.filtered_updates} updates and kept "
                "none (no 'import keep filtered on' or 'import table on'): the routes the "
                "filter rejected cannot be collected",
                name,
            )
        )
    base = f"show route all table {channel.table}"
    return [f"{base} protocol {name}", f"{base} filtered protocol {name}"]


def _probe(client: BirdClient, session: BirdSession) -> BirdSession:
    channels = []
    for ch in session.channels:
        if ch.name in COLLECTED_CHANNELS and _NAME.match(session.name):
            try:
                client.command(f"show route import table {session.name}.{ch.name} count")
                has = True
            except BirdError as exc:
                if exc.code is None:
                    raise
                has = False
            ch = replace(ch, import_table=has)
        channels.append(ch)
    return BirdSession(
        session.name,
        session.state,
        session.bgp_state,
        session.neighbor_address,
        session.neighbor_as,
        session.local_as,
        session.description,
        tuple(channels),
    )


def _session(
    head: list[str], fields: dict[str, str], channels: list[dict[str, str]]
) -> BirdSession:
    return BirdSession(
        name=head[0],
        state=head[3] if len(head) > 3 else "",
        bgp_state=fields.get("BGP state", ""),
        neighbor_address=fields.get("Neighbor address") or None,
        neighbor_as=_int(fields.get("Neighbor AS")),
        local_as=_int(fields.get("Local AS")),
        description=fields.get("Description", ""),
        channels=tuple(_channel(c) for c in channels),
    )


def _channel(fields: dict[str, str]) -> BirdChannel:
    imported = filtered = updates = keep = None
    m = _ROUTES.match(fields.get("Routes", ""))
    if m:
        imported = int(m.group(1))
        keep = m.group(2) is not None
        filtered = int(m.group(2)) if keep else None
    stats = fields.get("Import updates", "").split()
    if len(stats) == 5 and is_digits(stats[2]):  # received rejected filtered ignored accepted
        updates = int(stats[2])
    return BirdChannel(
        name=fields["name"],
        table=fields.get("Table", ""),
        state=fields.get("State", ""),
        input_filter=fields.get("Input filter", ""),
        imported=imported,
        filtered=filtered,
        filtered_updates=updates,
        keep_filtered=keep,
    )


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and is_digits(text) else None


def _server_time(client: BirdClient) -> str | None:
    try:
        for _, text in client.lines("show status"):
            if text.startswith("Current server time is "):
                return text[len("Current server time is ") :].strip()
    except BirdError:
        return None
    return None
