"""The state of BIRD 2's BGP protocols, read from ``show protocols all`` and ``show status``.

:mod:`routesieve.collect.bird_routes` reads the same reply for what collecting routes
needs (neighbours, channels, import tables); this module reads what monitoring needs:
the state and since-time of the header line, the BGP state, the last error and every
number of the ``Routes:`` line. The header line is ``name proto table state since info``;
its since-time is one word (``10:52:22.851``, BIRD's default for today, or
``2026-11-26``) or two (``2026-11-26 10:52:22``, with ``timeformat protocol iso long``),
so it is found by its shape, not by its column.

What cannot be read is left empty (None), never guessed: an unknown line changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from routesieve.collect.bird_socket import BirdClient, BirdError
from routesieve.numbers import is_digits

_TIME = r"\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?"
_DATE = r"\d{4}-\d{2}-\d{2}"
_HEAD = re.compile(
    rf"^(?P<name>\S+)\s+(?P<proto>\S+)\s+(?P<table>\S+)\s+(?P<state>\S+)\s+"
    rf"(?P<since>{_DATE}[ T]{_TIME}|{_DATE}|{_TIME}|\d{{2}}:\d{{2}}|\S+)"
    r"(?:\s+(?P<info>.*?))?\s*$"
)
_COUNT = re.compile(r"(\d+)\s+(imported|filtered|exported|preferred)")
_SERVER_TIME = "Current server time is "


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """One channel (``ipv6``, ``ipv4``) of a BGP protocol and its ``Routes:`` counts.

    ``imported`` routes passed the import filter; ``filtered`` ones were rejected and kept
    (BIRD keeps them only with ``import keep filtered on``); ``updates_filtered`` counts
    the filtered updates since the session came up, kept or not.
    """

    name: str
    state: str = ""
    table: str = ""
    import_filter: str = ""
    imported: int | None = None
    filtered: int | None = None
    exported: int | None = None
    preferred: int | None = None
    updates_received: int | None = None
    updates_filtered: int | None = None

    @property
    def keeps_filtered(self) -> bool | None:
        """False when BIRD filtered updates and kept no route: its filtered count is then
        not the number of routes the filter rejects. None when the reply does not tell."""
        if self.filtered:
            return True
        if self.filtered == 0 and self.updates_filtered:
            return False
        return None


@dataclass(frozen=True, slots=True)
class ProtocolStatus:
    """One BGP protocol: ``state`` is BIRD's (up, start, down...), ``bgp_state`` the BGP
    finite state machine's (Established, Active, Connect, Idle, OpenSent...)."""

    name: str
    state: str
    since: str
    info: str
    bgp_state: str = ""
    description: str = ""
    neighbor_address: str | None = None
    neighbor_as: int | None = None
    local_as: int | None = None
    last_error: str = ""
    channels: tuple[ChannelStatus, ...] = ()

    @property
    def established(self) -> bool:
        return (self.bgp_state or self.info.split(" ", 1)[0]) == "Established"


def parse_protocols_all(lines: Iterable[tuple[int, str]]) -> list[ProtocolStatus]:
    """The BGP protocols of a ``show protocols all`` reply, given as ``(code, text)``."""
    found: list[ProtocolStatus] = []
    head: re.Match[str] | None = None
    fields: dict[str, str] = {}
    channels: list[dict[str, str]] = []
    for code, text in lines:
        if code == 1002:
            if head is not None:
                found.append(_protocol(head, fields, channels))
            match = _HEAD.match(text)
            head = match if match and match["proto"] == "BGP" else None
            fields, channels = {}, []
        elif code == 1006 and head is not None:
            key, sep, value = text.strip().partition(":")
            if text.startswith("  Channel ") and len(text.split()) == 2:
                channels.append({"name": text.split()[1]})
            elif not sep:
                continue
            elif text.startswith("    ") and channels:
                channels[-1].setdefault(key, value.strip())
            elif not channels:
                fields.setdefault(key, value.strip())
    if head is not None:
        found.append(_protocol(head, fields, channels))
    return found


def _protocol(
    head: re.Match[str], fields: dict[str, str], channels: list[dict[str, str]]
) -> ProtocolStatus:
    return ProtocolStatus(
        name=head["name"],
        state=head["state"],
        since=head["since"],
        info=(head["info"] or "").strip(),
        bgp_state=fields.get("BGP state", ""),
        description=fields.get("Description", ""),
        neighbor_address=fields.get("Neighbor address") or None,
        neighbor_as=_int(fields.get("Neighbor AS")),
        local_as=_int(fields.get("Local AS")),
        last_error=fields.get("Last error", ""),
        channels=tuple(_channel(c) for c in channels),
    )


def _channel(fields: dict[str, str]) -> ChannelStatus:
    counts = {kind: int(n) for n, kind in _COUNT.findall(fields.get("Routes", ""))}
    updates = fields.get("Import updates", "").split()
    ok = len(updates) == 5 and all(is_digits(u) for u in updates)
    return ChannelStatus(
        name=fields["name"],
        state=fields.get("State", ""),
        table=fields.get("Table", ""),
        import_filter=fields.get("Input filter", ""),
        imported=counts.get("imported"),
        filtered=counts.get("filtered"),
        exported=counts.get("exported"),
        preferred=counts.get("preferred"),
        updates_received=int(updates[0]) if ok else None,
        updates_filtered=int(updates[2]) if ok else None,
    )


def _int(text: str | None) -> int | None:
    return int(text) if text is not None and is_digits(text) else None


def server_time(lines: Iterable[tuple[int, str]]) -> datetime | None:
    """BIRD's clock from a ``show status`` reply (its local time, as its since-times)."""
    for _, text in lines:
        if text.startswith(_SERVER_TIME):
            return parse_bird_time(text[len(_SERVER_TIME) :].strip(), None)
    return None


def parse_bird_time(text: str, now: datetime | None) -> datetime | None:
    """A since-time as BIRD prints it. A time of day alone (BIRD's default format for
    today) takes ``now``'s date, or the day before when it would be later than ``now``;
    without ``now`` it cannot be placed and gives None."""
    text = text.replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    for fmt in ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M"):
        try:
            clock = datetime.strptime(text, fmt).time()
        except ValueError:
            continue
        if now is None:
            return None
        when = datetime.combine(now.date(), clock)
        return when - timedelta(days=1) if when > now + timedelta(seconds=1) else when
    return None


@dataclass(frozen=True, slots=True)
class BirdReading:
    """One read of a BIRD router: its protocols, its clock and its version."""

    protocols: tuple[ProtocolStatus, ...]
    now: datetime | None
    version: str


def read_bird(socket_path: str, timeout: float) -> BirdReading:
    """Ask BIRD at ``socket_path``; every wait for BIRD is bounded by ``timeout`` seconds.
    Raises :class:`~routesieve.collect.bird_socket.BirdError` naming the socket."""
    with BirdClient(socket_path, timeout=timeout) as client:
        protocols = parse_protocols_all(client.lines("show protocols all"))
        try:
            now = server_time(client.command("show status"))
        except BirdError:
            now = None
        return BirdReading(tuple(protocols), now, client.version)
