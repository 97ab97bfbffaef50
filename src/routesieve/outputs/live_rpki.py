"""What the report and ``explain`` say about rule 3.10 when the routers validate live.

With ``[render] rpki = "rtr"`` the rendered configuration keeps RTR sessions to the caches
and the router judges RPKI itself, from VRPs that change as the caches change; the
verdicts routesieve shows were made from its own snapshot (``routesieve sync``), taken
at one moment, of the same caches or others. ``live_rpki`` pairs the two so the reader
knows which VRPs each side used and how old routesieve's are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from routesieve.config.urls import parse_source_url
from routesieve.outputs.deploy_plan import _age_hours
from routesieve.outputs.filterspec import RtrCache, RtrValidation


class Source(Protocol):
    """A data source as the snapshot's provenance or the report's source list has it."""

    @property
    def kind(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def generated(self) -> str | None: ...
    @property
    def count(self) -> int: ...


@dataclass(frozen=True, slots=True)
class SnapshotCopy:
    """One RPKI source of routesieve's snapshot."""

    location: str
    generated: str | None
    age_hours: float | None
    count: int
    same_cache: bool  # an rtr:// source that is one of the routers' caches


@dataclass(frozen=True, slots=True)
class LiveRpki:
    caches: tuple[RtrCache, ...]
    refresh: int
    copies: tuple[SnapshotCopy, ...]

    @property
    def cache_text(self) -> str:
        return ", ".join(f"{_url(c)} (preference {c.preference})" for c in self.caches)

    def sentences(self) -> tuple[str, ...]:
        """Plain text, one sentence per item: the routers' side, then routesieve's."""
        out = [
            f"RPKI (rule 3.10): the rendered router configuration validates live against "
            f"the RTR cache{'s' if len(self.caches) > 1 else ''} {self.cache_text}, "
            f"asking for changes every {self.refresh} s; the router's RPKI state of a "
            "route follows the cache and may differ from the verdicts here."
        ]
        if not self.copies:
            out.append("These verdicts used no RPKI data (no rpki source in the snapshot).")
        for c in self.copies:
            which = "its own snapshot of the same cache" if c.same_cache else "its snapshot of"
            source = "" if c.same_cache else f" {c.location}"
            where = f" ({c.location})" if c.same_cache else ""
            out.append(
                f"routesieve's verdicts used {which}{source}{where}: {c.count:,} VRPs, "
                f"taken {c.generated or 'at an unknown time'}{_age(c.age_hours)}."
            )
        return tuple(out)


def _url(c: RtrCache) -> str:
    host = f"[{c.host}]" if ":" in c.host else c.host
    return f"rtr://{host}:{c.port}"


def _age(hours: float | None) -> str:
    if hours is None:
        return ""
    if hours < 1:
        return f", {max(hours * 60, 0):.0f} minutes old"
    if hours < 48:
        return f", {hours:.1f} hours old"
    return f", {hours / 24:.1f} days old"


def _endpoint(location: str) -> tuple[str, int] | None:
    if not location.lower().startswith("rtr://"):
        return None
    try:
        url = parse_source_url(location, ("rtr",))
    except ValueError:
        return None
    return url.host, url.port


def live_rpki(
    rtr: RtrValidation | None, provenance: Iterable[Source], now: datetime
) -> LiveRpki | None:
    """None when rule 3.10 is rendered from the snapshot (``[render] rpki = "static"``)."""
    if rtr is None:
        return None
    caches = {(c.host, c.port) for c in rtr.caches}
    copies = tuple(
        SnapshotCopy(
            p.location,
            p.generated,
            _age_hours(p.generated, now) if p.generated else None,
            p.count,
            _endpoint(p.location) in caches,
        )
        for p in provenance
        if p.kind == "rpki"
    )
    return LiveRpki(rtr.caches, rtr.refresh, copies)
