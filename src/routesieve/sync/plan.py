"""What ``routesieve sync`` has to do: one entry per configured source.

An entry names the ``[sources]`` key it comes from, the location as written (a URL or a
local file), how it is reached (the ``method``: a URL scheme, ``peeringdb-api`` or
``local``), and, for URLs, the folder that holds its copy and its record:
``<state>/sources/<key>/<slug-of-url>/``. The slug is readable (host and path) and ends
in a short hash of the whole URL, so two URLs never share a folder.

The configuration's *sources fingerprint* is a hash of everything a snapshot depends on:
the sources, the exchanges (rule 3.5 keeps their LAN prefixes only) and, when an IRR
whois server is queried, the peers' as-sets and AS numbers. A stored snapshot is used
only by a configuration with the same fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from routesieve.config import Config, SourceUrl
from routesieve.config.sections import AGE_GROUP

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """One configured source. ``folder`` is None for a local file."""

    key: str
    location: str
    method: str
    url: SourceUrl | None
    local: Path | None
    folder: Path | None

    @property
    def age_group(self) -> str:
        return AGE_GROUP[self.key]

    @property
    def record_path(self) -> Path | None:
        return None if self.folder is None else self.folder / "record.json"


def slug(url: str) -> str:
    """``https://ftp.ripe.net/ripe/dbase/split/ripe.db.route6.gz`` ->
    ``ftp.ripe.net_ripe_dbase_split_ripe.db.route6.gz-<8 hex>``."""
    readable = _UNSAFE.sub("_", url.split("://", 1)[-1]).strip("._-")[:80] or "source"
    return f"{readable}-{hashlib.sha256(url.encode()).hexdigest()[:8]}"


def method_of(key: str, url: SourceUrl) -> str:
    return "peeringdb-api" if key == "peeringdb" else url.scheme


def make_plan(config: Config) -> tuple[PlanEntry, ...]:
    """Every source of ``config``, in key order, with where its copy lives."""
    sources = config.state_dir / "sources"
    out: list[PlanEntry] = []
    for key, loc in config.sources.entries():
        if isinstance(loc, SourceUrl):
            folder = sources / key / slug(loc.text)
            out.append(PlanEntry(key, loc.text, method_of(key, loc), loc, None, folder))
        else:
            out.append(PlanEntry(key, str(loc), "local", None, loc, None))
    return tuple(out)


def fingerprint(config: Config) -> str:
    """A hash of what a snapshot built for ``config`` depends on (see the module text)."""
    sources = config.sources
    doc: dict[str, object] = {
        "sources": [[key, str(loc)] for key, loc in sources.entries()],
        "exchanges": sorted([x.name, x.peeringdb_ix] for x in config.exchanges),
    }
    if any(isinstance(loc, SourceUrl) and loc.scheme == "whois" for loc in sources.irr):
        settings = config.policy_settings
        doc["peers"] = sorted([p.asn, sorted(s.upper() for s in p.as_sets)] for p in config.peers)
        doc["as_set_limits"] = [settings.as_set_max_depth, settings.as_set_max_members]
        # what is fetched: per-AS route objects (strict) or prefix lists, of which families
        doc["irr_fetch"] = [settings.irr_strict_origin, sorted(config.local.families)]
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
