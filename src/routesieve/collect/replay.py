"""Announce/withdraw events shared by the bgpdump-text and MRT readers, and their replay.

A reader of update files produces every announcement and withdrawal in file order. A
RIB dump produces only announcements. :func:`final_events` replays such a stream and
keeps what is left at its end: the last announcement per (peer ip, peer AS, prefix,
path id), minus what was withdrawn after it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from routesieve.model import AsPath, Prefix, Route
from routesieve.numbers import unix_to_iso
from routesieve.problems import Accounting, skipped_reasons


class EventKind(enum.Enum):
    ANNOUNCE = "A"
    WITHDRAW = "W"


class RouteEvent(NamedTuple):
    """One prefix announced or withdrawn by one peer, as an MRT record or a bgpdump line says.

    ``as_path`` is None for withdrawals. ``prefix`` is None only when the text of a
    bgpdump line could not be read; ``raw_prefix`` then keeps the text and ``problem``
    says what was wrong, so that the route can still be judged as malformed.
    ``path_id`` is the ADD-PATH path identifier (RFC 7911), None without ADD-PATH.
    ``local`` is True for a message the collector sent to the peer (MRT
    BGP4MP_MESSAGE_LOCAL): not a route received from the peer. (A named tuple, not a
    dataclass: readers make millions of these.)
    """

    kind: EventKind
    timestamp: int
    peer_ip: str
    peer_asn: int
    prefix: Prefix | None
    as_path: AsPath | None = None
    path_id: int | None = None
    microseconds: int = 0
    raw_prefix: str = ""
    problem: str | None = None
    local: bool = False

    @property
    def is_announce(self) -> bool:
        return self.kind is EventKind.ANNOUNCE

    @property
    def prefix_text(self) -> str:
        return str(self.prefix) if self.prefix is not None else self.raw_prefix

    def key(self) -> tuple[str, int, str, int | None]:
        """What identifies one route of one session: (peer ip, peer AS, prefix, path id)."""
        return (self.peer_ip, self.peer_asn, self.prefix_text, self.path_id)

    def to_route(self) -> Route:
        """The announcement as a received route; the session is the peer's address."""
        path = self.as_path if self.as_path is not None else AsPath(())
        problem = self.problem
        if problem is None and self.as_path is None:
            problem = "no AS_PATH attribute"
        elif problem is None and path.is_empty:
            problem = "empty AS path"
        return Route(
            peer_asn=self.peer_asn,
            prefix=self.prefix,
            as_path=path,
            session=self.peer_ip,
            problem=problem,
            raw_prefix=self.raw_prefix or self.prefix_text,
        )


@dataclass
class ReadStats:
    """What a reader of bgpdump text or MRT saw, beyond the routes themselves."""

    records: int = 0
    announcements: int = 0
    withdrawals: int = 0
    state_changes: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    remarks: dict[str, int] = field(default_factory=dict)
    first_time: int | None = None
    # accounting: the lines (bgpdump) or entries (MRT: events, and records giving none)
    # read, why those that gave no event gave none, and what the readers' caller saw
    units: int = 0
    no_routes: dict[str, int] = field(default_factory=dict)
    seen_announcements: int = 0
    seen_withdrawals: int = 0
    local_announcements: int = 0

    def first_time_text(self) -> str | None:
        """The time of the first record, ISO 8601 UTC, as the data set's own date."""
        if self.first_time is None:
            return None
        return unix_to_iso(self.first_time)

    def no_route(self, why: str, count: int = 1) -> None:
        """Count ``count`` lines or records that gave no announcement or withdrawal."""
        self.no_routes[why] = self.no_routes.get(why, 0) + count

    def counted(self, events: Iterable[RouteEvent]) -> Iterator[RouteEvent]:
        """``events`` as they are, counted by kind for :meth:`accounting`."""
        for event in events:
            if event.kind is EventKind.ANNOUNCE:
                self.seen_announcements += 1
            else:
                self.seen_withdrawals += 1
            yield event

    def accounting(self, file: str, unit: str, routes: Sequence[Route]) -> Accounting:
        """Where every line or entry went, given the routes made of the counted events."""
        table = dict(self.no_routes)
        table["withdrawals"] = self.seen_withdrawals
        table["messages the collector itself sent"] = self.local_announcements
        replaced = self.seen_announcements - self.local_announcements - len(routes)
        table["announcements replaced or withdrawn later in the stream"] = replaced
        malformed = sum(1 for r in routes if r.problem is not None)
        return Accounting(file, unit, self.units, len(routes), malformed, skipped_reasons(table))

    def skip(self, what: str, count: int = 1) -> None:
        self.skipped[what] = self.skipped.get(what, 0) + count

    def remark(self, what: str) -> None:
        """Count something worth knowing that was not skipped."""
        self.remarks[what] = self.remarks.get(what, 0) + 1

    def note(self) -> str:
        parts = [
            f"{self.records} records",
            f"{self.announcements} announcements",
            f"{self.withdrawals} withdrawals",
            f"{self.state_changes} state changes",
        ]
        parts += [f"{n} skipped: {what}" for what, n in sorted(self.skipped.items())]
        parts += [f"{n} {what}" for what, n in sorted(self.remarks.items())]
        return ", ".join(parts)


def final_events(events: Iterable[RouteEvent]) -> list[RouteEvent]:
    """The announcements still in force at the end of the stream, in first-announced order.

    A later announcement with the same key replaces an earlier one; a withdrawal removes
    it. A withdrawal of a route never announced in the stream is ignored (the stream may
    begin after the announcement).
    """
    live: dict[tuple[str, int, str, int | None], RouteEvent] = {}
    for event in events:
        key = event.key()
        if event.kind is EventKind.ANNOUNCE:
            live[key] = event
        else:
            live.pop(key, None)
    return list(live.values())


def final_routes(events: Iterable[RouteEvent]) -> list[Route]:
    """:func:`final_events` as received routes."""
    return [event.to_route() for event in final_events(events)]
