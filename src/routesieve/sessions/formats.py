"""A session report as a table for people and as JSON for programs.

Text from routers (errors, protocol names) and from the configuration goes into the table
with control characters replaced, so that no value can move the cursor or forge a line.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import orjson

from routesieve.sessions.status import PeerCheck, SessionReport, SessionStatus

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_WIDTH_LIMIT = 40


def clean(text: str, limit: int = _WIDTH_LIMIT) -> str:
    """One printable line of at most ``limit`` characters (cut with an ellipsis)."""
    text = _CONTROL.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes, s = divmod(s, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{s:02d}s"


_HEAD = ("PEER", "NAME", "EXCHANGE", "SESSION", "ROUTER/PROTOCOL", "STATE", "FOR")
_HEAD_COUNTS = ("RECV", "ACC", "FILT", "FLAGS / LAST ERROR")


def _row(s: SessionStatus) -> list[str]:
    where = f"{s.router}/{s.protocol}" if s.protocol else "-"
    notes = ", ".join(f.value for f in s.flags)
    if s.last_error:
        notes = f"{notes}; {s.last_error}" if notes else s.last_error
    return [
        f"AS{s.peer_asn}",
        clean(s.peer_name, 24),
        clean(s.exchange, 24),
        clean(s.session, 24),
        clean(where, 32),
        clean(s.state, 12),
        _duration(s.state_seconds),
        _count(s.total("received")),
        _count(s.total("accepted")),
        _count(s.total("filtered")),
        clean(notes, 80),
    ]


def _peer_line(p: PeerCheck) -> str:
    notes = []
    if p.in_peeringdb is False:
        notes.append("not in PeeringDB")
    if p.contact_missing:
        notes.append("no contact with email or phone")
    if p.changed:
        fields = ", ".join(p.changed_fields)
        notes.append(f"record changed since {p.recorded_at}: {fields}")
    if p.error and p.in_peeringdb is not False:
        notes.append(p.error)
    return clean(f"AS{p.peer_asn} {p.peer_name}: " + ("; ".join(notes) or "ok"), 200)


def render_table(report: SessionReport) -> str:
    """Aligned columns, one line per session, then the routers and the peer checks."""
    rows = [list(_HEAD + _HEAD_COUNTS)] + [_row(s) for s in report.sessions]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = {7, 8, 9}
    lines = []
    for r in rows:
        cells = [
            c.rjust(widths[i]) if i in right else c.ljust(widths[i]) for i, c in enumerate(r[:-1])
        ]
        lines.append("  ".join([*cells, r[-1]]).rstrip())
    if not report.sessions:
        lines.append("(no sessions configured: [[peers]] sessions = [...])")
    lines.append("")
    for read in report.routers:
        state = "read" if read.ok else f"NOT READ: {clean(read.error, 200)}"
        lines.append(f"router {clean(read.name)} ({read.kind}): {state} in {read.seconds:.3f} s")
    lines.extend(_peer_line(p) for p in report.peers)
    lines.append(f"read at {report.taken_at}")
    return "\n".join(lines) + "\n"


def report_dict(report: SessionReport) -> dict[str, Any]:
    """The report as plain data (flags as their names)."""
    data = dataclasses.asdict(report)
    for s, raw in zip(report.sessions, data["sessions"], strict=True):
        raw["flags"] = [f.value for f in s.flags]
        for kind in ("received", "accepted", "filtered"):
            raw[kind] = s.total(kind)
    return data


def render_json(report: SessionReport) -> str:
    return orjson.dumps(report_dict(report), option=orjson.OPT_INDENT_2).decode() + "\n"
