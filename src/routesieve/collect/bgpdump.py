"""Received routes from ``bgpdump -m`` (or ``-vm``) text lines.

The lines read are::

    TABLE_DUMP2|ts|B|peer_ip|peer_as|prefix|as_path|origin|...
    TABLE_DUMP2_AP|ts|B|peer_ip|peer_as|prefix|path_id|as_path|origin|...
    TABLE_DUMP|ts|B|peer_ip|peer_as|prefix|as_path|...
    BGP4MP|ts|A|peer_ip|peer_as|prefix|as_path|...      (BGP4MP_ET, *_AP alike)
    BGP4MP|ts|W|peer_ip|peer_as|prefix
    BGP4MP|ts|STATE|peer_ip|peer_as|old|new

Withdrawals and state changes are not routes: they are counted (and withdrawals are
kept as events for :func:`routesieve.collect.replay.final_events`). The session of a
route is the neighbour address ``peer_ip``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from routesieve.collect.replay import EventKind, ReadStats, RouteEvent, final_events
from routesieve.model import AsPath, ParseError, Prefix, Route, parse_asn
from routesieve.numbers import is_digits, shown, unix_time
from routesieve.problems import Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.textio import DamagedFile, open_text

KIND = "routes-bgpdump"
_KNOWN = ("TABLE_DUMP2", "TABLE_DUMP", "BGP4MP", "BGP4MP_ET")


def iter_bgpdump_events(
    path: str | Path,
    problems: list[Problem] | None = None,
    stats: ReadStats | None = None,
) -> Iterator[RouteEvent]:
    """Every announcement and withdrawal of a ``bgpdump -m`` file, in file order.

    Lines that cannot be read are appended to ``problems`` (file and line number);
    ``stats`` counts lines, announcements, withdrawals, state changes and skipped lines.
    """
    name = str(path)
    sink = problems if problems is not None else []
    st = stats if stats is not None else ReadStats()
    lineno = 0
    paths: dict[str, AsPath] = {}  # one object per distinct path: read once, merged fast
    try:
        with open_text(path) as fh:
            for lineno, line in enumerate(fh, start=1):
                text = line.rstrip("\r\n")
                if not text.strip() or text.startswith("#"):
                    continue
                st.records += 1
                st.units += 1
                known, states = len(sink), st.state_changes
                try:
                    event = _parse_line(text, name, lineno, sink, st, paths)
                except (ValueError, TypeError, IndexError) as exc:
                    # a value no check foresaw: still this line's problem only
                    sink.append(Problem(name, lineno, f"unreadable line: {exc}"))
                    event = None
                if event is not None:
                    yield event
                elif len(sink) > known:
                    st.no_route("unreadable lines (see the problems)")
                elif st.state_changes > states:
                    st.no_route("state changes")
                else:
                    st.no_route("lines of other kinds")
    except DamagedFile as exc:
        sink.extend(exc.problems)


def read_routes_bgpdump(path: str | Path, *, final: bool = False) -> ReadResult[Route]:
    """The announced routes of a ``bgpdump -m`` file.

    With ``final=False`` every announcement (every RIB entry of a table dump); with
    ``final=True`` only what is left at the end of an update stream (see
    :func:`routesieve.collect.replay.final_events`).
    """
    problems: list[Problem] = []
    stats = ReadStats()
    events = stats.counted(iter_bgpdump_events(path, problems, stats))
    if final:
        routes = [e.to_route() for e in final_events(events)]
    else:
        routes = [e.to_route() for e in events if e.kind is EventKind.ANNOUNCE]
    note = stats.note() + (", end state of the stream" if final else "")
    provenance = Provenance(KIND, str(path), stats.first_time_text(), len(routes), note)
    accounting = stats.accounting(str(path), "lines", routes)
    return ReadResult(tuple(routes), tuple(problems), provenance, accounting)


def _parse_line(
    text: str,
    name: str,
    lineno: int,
    problems: list[Problem],
    stats: ReadStats,
    paths: dict[str, AsPath],
) -> RouteEvent | None:
    fields = text.split("|")
    kind = fields[0]
    addpath = kind.endswith("_AP")
    base = kind[:-3] if addpath else kind
    if base not in _KNOWN:
        stats.skip(f"{kind or 'empty'} lines")
        return None
    if len(fields) < 6:
        problems.append(Problem(name, lineno, f"too few fields ({len(fields)}) for a {kind} line"))
        return None
    action = fields[2]
    if action == "STATE":
        stats.state_changes += 1
        return None
    if action not in ("A", "B", "W"):
        problems.append(Problem(name, lineno, f"unknown entry type {action!r}"))
        return None
    try:
        peer_asn = parse_asn(fields[4])
    except ParseError as exc:
        problems.append(Problem(name, lineno, f"unusable peer AS: {exc}"))
        return None
    issues: list[str] = []  # what makes this route malformed (it is kept, to be judged)
    try:
        timestamp, micro = _timestamp(fields[1])
    except ParseError as exc:
        timestamp, micro = 0, 0
        issues.append(str(exc))
    peer_ip = fields[3]
    raw_prefix = fields[5]
    rest = 6
    path_id: int | None = None
    if addpath:
        if len(fields) <= rest or not is_digits(fields[rest], 10) or int(fields[rest]) >> 32:
            issues.append(
                f"bad ADD-PATH path id {fields[rest][:40] if len(fields) > rest else ''!r}"
            )
        else:
            path_id = int(fields[rest])
        rest += 1
    prefix: Prefix | None = None
    try:
        prefix = Prefix.parse(raw_prefix)
    except ParseError:
        issues.append(f"unparseable prefix {shown(raw_prefix, 80)}")

    if action == "W":
        if issues and prefix is not None:
            problems.append(Problem(name, lineno, "withdrawal not applied: " + "; ".join(issues)))
            return None
        if prefix is None:
            problems.append(
                Problem(name, lineno, f"withdrawal of unparseable prefix {shown(raw_prefix, 80)}")
            )
            return None
        stats.withdrawals += 1
        return RouteEvent(
            EventKind.WITHDRAW, timestamp, peer_ip, peer_asn, prefix, None, path_id, micro
        )

    as_path: AsPath | None = None
    if len(fields) <= rest:
        issues.append("no AS path field")
    else:
        try:
            as_path = paths.get(fields[rest]) or AsPath.parse(fields[rest])
            paths[fields[rest]] = as_path
        except ParseError as exc:
            issues.append(f"unparseable AS path: {exc}")
            as_path = AsPath(())
    stats.announcements += 1
    if stats.first_time is None:
        stats.first_time = timestamp
    return RouteEvent(
        EventKind.ANNOUNCE,
        timestamp,
        peer_ip,
        peer_asn,
        prefix,
        as_path,
        path_id,
        micro,
        raw_prefix=raw_prefix,
        problem="; ".join(issues) or None,
    )


def _timestamp(text: str) -> tuple[int, int]:
    whole, _, frac = text.partition(".")
    if frac and not is_digits(frac):
        raise ParseError(f"bad timestamp {text[:40]!r}")
    micro = int((frac + "000000")[:6]) if frac else 0
    return unix_time(whole, "timestamp"), micro
