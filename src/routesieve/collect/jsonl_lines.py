"""Received routes as JSON lines, read one line at a time.

One object a line::

    {"peer_asn": 65001, "prefix": "2a0e:1000::/32", "as_path": "65001 65002 {65003 65004}",
     "session": "locix-1"}

``as_path`` may also be a list, an inner list being an AS_SET; ``session`` is optional.
Blank lines and lines starting with ``#`` are skipped. A line that is not a JSON object
or has no usable ``peer_asn`` is a problem and skipped. A line with a usable peer but a
bad prefix or AS path becomes a route with ``problem`` set, so that the engine can give
it a verdict (X-MALFORMED) instead of losing it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from routesieve.model import AsPath, ParseError, Prefix, Route, parse_asn
from routesieve.numbers import json_int, may_hold_surrogates, safe_json, shown
from routesieve.problems import Accounting, Problem, ReadResult, skipped_reasons
from routesieve.snapshot import Provenance
from routesieve.textio import DamagedFile, open_text

KIND = "routes-jsonl"


class LineReader:
    """The JSON-lines reader one line at a time: the reference the columnar reader in
    :mod:`routesieve.collect.jsonl` is held to, and what it falls back to for any line it
    does not handle itself."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.routes: list[Route] = []
        self.problems: list[Problem] = []
        self.skipped: dict[str, int] = {}
        self.paths: dict[str, AsPath] = {}  # one object per distinct path: read once
        self.read = 0
        self.malformed = 0

    def line(self, lineno: int, line: str) -> None:
        """Take one line (numbered from 1): a route, a skipped line, or nothing."""
        text = line.strip()
        if not text or text.startswith("#"):
            return
        self.read += 1
        problems = self.problems
        try:
            route = _route_from_line(text, self.name, lineno, problems, self.paths)
        except (ParseError, ValueError, TypeError, RecursionError) as exc:
            # a value no check above foresaw: still this line's problem only
            problems.append(Problem(self.name, lineno, f"unreadable line: {exc}"))
            route = None
        if route is None:
            why = problems[-1].message.partition(":")[0] if problems else "unreadable"
            self.skipped[why] = self.skipped.get(why, 0) + 1
            return
        self.routes.append(route)
        if route.problem is not None:
            self.malformed += 1


def read_routes_lines(path: str | Path) -> ReadResult[Route]:
    """Read every route of a JSON-lines file one line at a time; junk lines become
    problems with line numbers.

    Every line that is not blank or a comment is accounted for: a route (perhaps
    malformed) or a skipped line with its reason. A compressed file damaged part way
    keeps the routes before the damage and says where it broke off.
    """
    reader = LineReader(str(path))
    try:
        with open_text(path) as fh:
            for lineno, line in enumerate(fh, start=1):
                reader.line(lineno, line)
    except DamagedFile as exc:
        reader.problems.extend(exc.problems)
    name, routes = reader.name, reader.routes
    provenance = Provenance(KIND, name, None, len(routes))
    accounting = Accounting(
        name, "lines", reader.read, len(routes), reader.malformed, skipped_reasons(reader.skipped)
    )
    return ReadResult(tuple(routes), tuple(reader.problems), provenance, accounting)


def _route_from_line(
    text: str, name: str, lineno: int, problems: list[Problem], paths: dict[str, AsPath]
) -> Route | None:
    try:
        obj: Any = json.loads(text, parse_int=json_int)
    except (ValueError, RecursionError) as exc:
        problems.append(Problem(name, lineno, f"not JSON: {exc}"))
        return None
    if may_hold_surrogates(text):
        obj, changed = safe_json(obj)
        if changed:
            problems.append(
                Problem(name, lineno, f"{changed} text value(s) with lone surrogates: replaced")
            )
    if not isinstance(obj, dict):
        problems.append(Problem(name, lineno, f"not a JSON object but {type(obj).__name__}"))
        return None
    if "peer_asn" not in obj:
        problems.append(Problem(name, lineno, "no peer_asn"))
        return None
    try:
        peer_asn = parse_asn(obj["peer_asn"])
    except ParseError as exc:
        problems.append(Problem(name, lineno, f"unusable peer_asn: {exc}"))
        return None

    session = obj.get("session")
    if session is not None and not isinstance(session, str):
        session = json.dumps(session)
    issues: list[str] = []

    raw = obj.get("prefix")
    raw_prefix = raw if isinstance(raw, str) else ("" if raw is None else json.dumps(raw))
    prefix: Prefix | None = None
    if raw is None:
        issues.append("no prefix")
    elif not isinstance(raw, str):
        issues.append(f"prefix must be text, not {raw_prefix}")
    else:
        try:
            prefix = Prefix.parse(raw)
        except ParseError:
            issues.append(f"unparseable prefix {shown(raw, 80)}")

    as_path = AsPath(())
    if "as_path" not in obj or obj["as_path"] is None:
        issues.append("no AS path")
    else:
        given = obj["as_path"]
        key = given if isinstance(given, str) else json.dumps(given)
        try:
            known = paths.get(key)
            as_path = known if known is not None else AsPath.from_json(given)
        except (ParseError, RecursionError) as exc:
            issues.append(f"unparseable AS path: {exc}")
        else:
            paths[key] = as_path
            if as_path.is_empty:
                issues.append("empty AS path")

    recorded = obj.get("problem")  # a problem found where the route was collected
    if isinstance(recorded, str) and recorded and recorded not in issues:
        issues.insert(0, recorded)
    communities = obj.get("communities", [])
    if not isinstance(communities, list) or not all(isinstance(c, str) for c in communities):
        problems.append(Problem(name, lineno, "communities must be a list of text; ignored"))
        communities = ()
    return Route(
        peer_asn=peer_asn,
        prefix=prefix,
        as_path=as_path,
        session=session,
        problem="; ".join(issues) or None,
        raw_prefix=raw_prefix,
        communities=tuple(communities),
    )
