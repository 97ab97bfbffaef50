"""What real routers get wrong in BMP, and how the station copes or warns.

Seen with FRR 8.4.4 (Debian) monitoring ``pre-policy`` and ``post-policy``:

- **its own AS in front of every path.** FRR encodes the BMP Route Monitoring UPDATE with
  its outbound attribute code, which prepends the local AS (fixed upstream only in 2026,
  FRRouting/frr PR 21815). A router whose Initiation sysDescr names FRRouting is treated as
  affected; for each of its eBGP peers, a path that starts with the router's own AS (learnt
  from the OPEN the router sent, in the Peer Up) loses that first AS. No correct eBGP peer
  sends a path that starts with our own AS, so a fixed FRR is left unchanged.
- **"pre-policy" that is not pre-policy.** The routes FRR's import route-map denies arrive
  in the pre-policy feed as withdrawals (of routes never announced), and without
  ``soft-reconfiguration inbound`` accepted routes are withdrawn from pre-policy while the
  post-policy view still holds them. Either way the routes step 2 needs are missing. The
  station counts both signs per peer (:class:`FeedSigns`) and :func:`feed_problems` turns
  them into problems that point to the vtysh collector (``kind = "frr"``). A router that
  also monitors its Loc-RIB (RFC 9069) is checked the same way: a Loc-RIB route whose path
  starts with a monitored peer's AS must be in the pre-policy view of a peer of that AS
  (:func:`loc_rib_missing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from routesieve.collect.bmp_types import Announcement
from routesieve.model import AsPath, Prefix, SegmentType
from routesieve.problems import Problem

_FRR = re.compile(r"^FRRouting[ /]?(\d+(?:\.\d+)*)")
VTYSH_HINT = (
    'collect this router with [[routers]] kind = "frr" (vtysh, received-routes with '
    "soft-reconfiguration inbound) for the true step-2 routes"
)


def prepends_own_as(sys_descr: str) -> str | None:
    """The FRR version (``"8.4.4"``) when the sysDescr names FRRouting, else None."""
    m = _FRR.match(sys_descr.strip())
    return m.group(1) if m else None


def strip_local_as(a: Announcement, local_asn: int) -> Announcement | None:
    """The announcement without its leading ``local_asn``; None when it does not start
    with it (then it is left as it is)."""
    segments = a.as_path.segments
    if not segments or segments[0].type is not SegmentType.AS_SEQUENCE:
        return None
    first = segments[0]
    if first.asns[0] != local_asn:
        return None
    rest = first.asns[1:]
    head = (first._replace(asns=rest),) if rest else ()
    return a._replace(as_path=AsPath((*head, *segments[1:])))


@dataclass
class FeedSigns:
    """Per peer: withdrawals in the pre-policy feed of routes that feed never announced
    (``phantom``, with an example prefix)."""

    phantom: int = 0
    example: str = ""


def feed_problems(
    router: str,
    session: str,
    signs: FeedSigns,
    shown_not_pre: int,
    example: str,
) -> list[Problem]:
    """The warnings for one peer: ``shown_not_pre`` routes the post-policy view holds that
    the pre-policy view lacks (``example`` one of them), and the phantom withdrawals."""
    where = f"BMP router {router}"
    out = []
    if shown_not_pre:
        out.append(
            Problem(
                where,
                None,
                f"the router's pre-policy feed is not pre-policy: its post-policy view holds "
                f"{shown_not_pre} route(s) that pre-policy withdrew or never sent (e.g. "
                f"{example}); {VTYSH_HINT}",
                session,
            )
        )
    if signs.phantom:
        out.append(
            Problem(
                where,
                None,
                f"the router's pre-policy feed is not pre-policy: it withdrew {signs.phantom} "
                f"route(s) it never announced (e.g. {signs.example}), as a router does for "
                f"the routes its import policy denies, so the filtered routes are missing; "
                f"{VTYSH_HINT}",
                session,
            )
        )
    return out


def loc_rib_missing(
    loc_rib: Iterable[Announcement], pre_by_asn: Mapping[int, set[Prefix]]
) -> tuple[int, str]:
    """How many Loc-RIB routes learnt from a monitored peer (their path starts with the AS
    of a peer in ``pre_by_asn``) no pre-policy view of a peer of that AS holds, and one
    such prefix."""
    count, example = 0, ""
    for a in loc_rib:
        first = a.as_path.first
        if first is not None and first in pre_by_asn and a.prefix not in pre_by_asn[first]:
            count += 1
            example = example or str(a.prefix)
    return count, example
