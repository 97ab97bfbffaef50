"""Writing the static report site: ``index.html``, one page per peer, data and downloads.

Layout (every link relative, so the folder can be opened from ``file://``, copied under
a Hugo site's ``static/`` folder or served by any web server)::

    index.html
    static/report.css, static/report.js
    peers/as<N>.html
    data/as<N>/routes-<k>.js, data/as<N>/detail-<k>.js
    downloads/as<N>-accept.{txt,bird2.conf,frr.conf,openbgpd.conf}

HTML comes from Jinja2 templates with autoescape on; data for scripts only through
``data.js_data``. The pages' script builds the table with ``textContent``, never
``innerHTML``, so nothing a peer controls is ever read as markup.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from routesieve import __version__
from routesieve.engine.explain import Explanation
from routesieve.engine.rules import TITLES
from routesieve.model import Verdict
from routesieve.outputs.diff import TITLES as CHANGE_TITLES
from routesieve.outputs.diff import Change, RunDiff, count_changes
from routesieve.outputs.filterspec import RouterPolicy, SessionSpec
from routesieve.outputs.live_rpki import live_rpki
from routesieve.outputs.report import data
from routesieve.outputs.report.advice import advice
from routesieve.outputs.report.downloads import FORMATS, accept_list_files
from routesieve.outputs.report.summary import RULE_ORDER, PeerSummary, SourceStatus, summarise

HERE = Path(__file__).resolve().parent
MAX_CHANGES_SHOWN = 1000


@dataclass(frozen=True, slots=True)
class PeerInputs:
    """What the operator configured for one peer, and the handles found for its AS."""

    asn: int
    name: str
    as_sets: tuple[str, ...]
    sessions: tuple[SessionSpec, ...]
    max_prefix: int | None
    handles: tuple[str, ...]


@dataclass(frozen=True)
class ReportInput:
    local_asn: int
    local_name: str
    when: datetime
    config_path: str
    verdicts: Sequence[Verdict]
    peers: Mapping[int, PeerInputs]
    router: RouterPolicy
    sources: Sequence[SourceStatus]
    explanations: Mapping[int, Explanation]  # verdict index -> every rule
    diff: RunDiff | None = None
    previous: str | None = None  # what the diff compares with (a run's time or file)
    explain_note: str | None = None  # why no route has the listing of every rule


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["js_data"] = lambda v: Markup(data.js_data(v))
    env.filters["num"] = lambda n: f"{n:,}"
    return env


def _peer_file(asn: int) -> str:
    return f"as{asn}"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_site(inp: ReportInput, out: Path) -> list[Path]:
    """Write the whole site into ``out`` (created; files of an older report in the
    folders this writes are replaced). Returns the peer pages written."""
    out.mkdir(parents=True, exist_ok=True)
    for folder in ("peers", "data", "downloads"):
        shutil.rmtree(out / folder, ignore_errors=True)
    shutil.copytree(HERE / "static", out / "static", dirs_exist_ok=True)
    env = _environment()
    names = {asn: p.name for asn, p in inp.peers.items()}
    summaries = summarise(inp.verdicts, names, inp.peers)
    rows_of: dict[int, list[int]] = {}
    for i, v in enumerate(inp.verdicts):
        rows_of.setdefault(v.peer_asn, []).append(i)
    filters = {pf.asn: pf for pf in inp.router.peers}
    changes = inp.diff.by_peer() if inp.diff else {}
    common = {
        "version": __version__,
        "local_asn": inp.local_asn,
        "local_name": inp.local_name,
        "when": inp.when.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "previous": inp.previous,
        "change_titles": {k.value: t for k, t in CHANGE_TITLES.items()},
    }
    pages = []
    for s in summaries:
        page = out / "peers" / f"{_peer_file(s.asn)}.html"
        downloads: list[dict[str, str]] = []
        pf = filters.get(s.asn)
        if pf is not None:
            for key, text in accept_list_files(pf, inp.router.guard.families).items():
                label, ext = FORMATS[key]
                name = (
                    f"{_peer_file(s.asn)}-accept.{key}.{ext}"
                    if key != "txt"
                    else (f"{_peer_file(s.asn)}-accept.txt")
                )
                _write(out / "downloads" / name, text)
                downloads.append({"label": label, "href": f"../downloads/{name}", "key": key})
        meta = _write_data(inp, s.asn, rows_of.get(s.asn, []), out)
        peer_changes = changes.get(s.asn, [])
        _write(
            page,
            env.get_template("peer.html.j2").render(
                common,
                root="../",
                s=s,
                inputs=inp.peers.get(s.asn),
                downloads=downloads,
                accept_count=len(pf.accept) if pf else None,
                meta=meta,
                changes=[_change_view(c) for c in peer_changes[:MAX_CHANGES_SHOWN]],
                change_total=len(peer_changes),
                change_counts=_counts(peer_changes),
                has_diff=inp.diff is not None,
            ),
        )
        pages.append(page)
    _write(
        out / "index.html",
        env.get_template("index.html.j2").render(
            common,
            root="",
            peers=[_peer_view(s, changes.get(s.asn, [])) for s in summaries],
            totals=_totals(summaries),
            sources=inp.sources,
            live_rpki=live_rpki(inp.router.rtr, inp.sources, inp.when),
            has_diff=inp.diff is not None,
            diff_counts=_counts(inp.diff.changes) if inp.diff else {},
            config_path=inp.config_path,
        ),
    )
    return pages


def _counts(changes: Sequence[Change]) -> dict[str, int]:
    return {k.value: n for k, n in count_changes(changes).items()}


def _change_view(c: Change) -> dict[str, Any]:
    def side(s: Any) -> str:
        return "—" if s is None else f"{s.action} {s.rule}"

    return {
        "kind": c.kind.value,
        "prefix": c.prefix,
        "as_path": c.as_path,
        "before": side(c.before),
        "after": side(c.after),
    }


def _peer_view(s: PeerSummary, changes: Sequence[Change]) -> dict[str, Any]:
    return {"s": s, "href": f"peers/{_peer_file(s.asn)}.html", "changes": _counts(changes)}


def _totals(summaries: Sequence[PeerSummary]) -> dict[str, int]:
    return {
        "peers": len(summaries),
        "received": sum(s.received for s in summaries),
        "accepted": sum(s.accepted for s in summaries),
        "filtered": sum(s.filtered for s in summaries),
    }


def _write_data(inp: ReportInput, asn: int, rows: list[int], out: Path) -> dict[str, Any]:
    """Write the peer's chunk files; returns what the page's script needs to load them."""
    folder = out / "data" / _peer_file(asn)
    sets = inp.peers[asn].as_sets if asn in inp.peers else ()
    used: dict[str, None] = {}
    explained = 0
    for n, span in data.chunks(len(rows), data.CHUNK):
        routes = [data.row(inp.verdicts[rows[i]]) for i in span]
        _write(folder / f"routes-{n}.js", data.js_call("routes", n, routes))
    for n, span in data.chunks(len(rows), data.DETAIL_CHUNK):
        details = []
        for i in span:
            v = inp.verdicts[rows[i]]
            e = inp.explanations.get(rows[i])
            explained += e is not None
            details.append(data.detail(v, advice(v, sets, inp.local_asn), e))
            used[v.rule] = None
        _write(folder / f"detail-{n}.js", data.js_call("detail", n, details))
    codes = sorted(used, key=lambda c: RULE_ORDER.get(c, 99))
    return {
        "asn": asn,
        "total": len(rows),
        "chunk": data.CHUNK,
        "detail_chunk": data.DETAIL_CHUNK,
        "chunks": (len(rows) + data.CHUNK - 1) // data.CHUNK,
        "base": f"../data/{_peer_file(asn)}/",
        "rules": data.rule_names({r.value: t for r, t in TITLES.items()}, codes),
        "explained": explained,
        "explain_command": f"routesieve explain --config {inp.config_path} --peer {asn} --prefix",
        "explain_note": inp.explain_note,
    }
