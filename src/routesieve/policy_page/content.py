"""The public peering policy as a document built from the configuration.

Every number on the page (prefix lengths, hop limit, AS ranges, as-set limits), the
address families, the exchanges and the checks that are switched on are read from the
same :class:`~routesieve.config.Config` the filters are made from, so the published
policy and the filters cannot disagree. What the configuration does not hold (the
contact address, community support, the page date) comes in :class:`PageOptions`.

The document is plain data (:mod:`routesieve.policy_page.document`); the templates
decide how it looks, and escape it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from routesieve.config import Config
from routesieve.policy_page.document import Item, Section, Text, code, families_phrase, link, t
from routesieve.policy_page.filter_steps import filter_section

PEERINGDB = "https://www.peeringdb.com"


@dataclass(frozen=True, slots=True)
class PageOptions:
    """Page facts the configuration does not hold."""

    email: str | None = None
    communities: bool = False
    page_date: date | None = None


@dataclass(frozen=True, slots=True)
class PolicyPage:
    title: str
    description: str
    date: str
    asn: int
    overview: Text
    sections: tuple[Section, ...]


def build_page(config: Config, options: PageOptions) -> PolicyPage:
    asn = config.local.asn
    name = config.local.name or f"AS{asn}"
    label = f"AS{asn}" if name == f"AS{asn}" else f"{name} (AS{asn})"
    fams = config.local.families
    only = f"{families_phrase(fams)}-only" if len(fams) == 1 else families_phrase(fams)
    day = (options.page_date or date.today()).isoformat()
    description = (
        f"Open peering policy of AS{asn}: any network may peer, {only} sessions, no "
        "minimum traffic, and every received route checked by a published filter algorithm."
    )
    overview = t(
        f"{label} welcomes peering with any network that is interested in establishing a "
        "BGP session. We believe in an open and collaborative internet and are happy to "
        "peer with networks of all sizes, across any geographical location."
    )
    return PolicyPage(
        title=f"AS{asn} Peering Policy",
        description=description,
        date=day,
        asn=asn,
        overview=overview,
        sections=(
            _requirements(config, options, only),
            _technical(config, options),
            _process(config, options),
            filter_section(config),
        ),
    )


def _contact(asn: int, options: PageOptions) -> Text:
    pdb = link("PeeringDB", f"{PEERINGDB}/asn/{asn}")
    if options.email:
        mail = link(options.email, f"mailto:{options.email}")
        return t("by email (", mail, ") or by connecting with us on ", pdb, ".")
    return t("by connecting with us on ", pdb, ".")


def _requirements(config: Config, options: PageOptions, only: str) -> Section:
    asn = config.local.asn
    fams = config.local.families
    if len(fams) == 1:
        family = t(
            f"AS{asn} is an {only} autonomous system. All peering sessions must be "
            f"established over {families_phrase(fams)}."
        )
    else:
        family = t(f"We peer over {families_phrase(fams)}; one session per address family.")
    return Section(
        "requirements",
        "General requirements",
        (),
        (
            Item("", f"{only} peering", family),
            Item("", "BGP session", t("Peering is conducted via BGP (Border Gateway Protocol).")),
            Item(
                "",
                "Prefix filtering",
                t(
                    "We expect peers to implement reasonable prefix filtering to ensure the "
                    "stability and security of the network. We filter every route we "
                    "receive as described in ",
                    link("Route filtering", "#route-filtering"),
                    ".",
                ),
            ),
            Item(
                "",
                "No minimum traffic requirement",
                t(
                    f"There is no minimum traffic requirement to peer with AS{asn}. We "
                    "encourage peering for both large and small networks."
                ),
            ),
            Item(
                "",
                "Contact information",
                t("Peering requests can be initiated ", *_contact(asn, options)),
            ),
        ),
        numbered=True,
    )


def _exchanges(config: Config) -> tuple[Item, ...]:
    out = []
    for ex in config.exchanges:
        if ex.peeringdb_ix is not None:
            body = t(link(ex.name, f"{PEERINGDB}/ix/{ex.peeringdb_ix}"))
        else:
            body = t(ex.name)
        out.append(Item("", "", body))
    return tuple(out) or (Item("", "", t("none at the moment: direct sessions only")),)


def _technical(config: Config, options: PageOptions) -> Section:
    asn = config.local.asn
    pdb = f"{PEERINGDB}/asn/{asn}"
    return Section(
        "technical",
        "Technical details",
        (),
        (
            Item("", "AS number", t(code(str(asn)))),
            Item("", "Address families", t(families_phrase(config.local.families))),
            Item("", "PeeringDB profile", t(link(f"AS{asn} on PeeringDB", pdb))),
            Item("", "BGP community support", t("Yes" if options.communities else "No")),
            Item("", "Public peering locations", (), _exchanges(config)),
        ),
    )


def _process(config: Config, options: PageOptions) -> Section:
    places = [ex.name for ex in config.exchanges]
    where = (
        "either at a public peering exchange (" + ", ".join(places) + ") or via direct peering"
        if places
        else "via direct peering"
    )
    return Section(
        "request-process",
        "Peering request process",
        (),
        (
            Item(
                "",
                "Initial contact",
                t(
                    "Interested networks should contact us with their AS number and peering "
                    "information, ",
                    *_contact(config.local.asn, options),
                ),
            ),
            Item(
                "",
                "Session setup",
                t(f"Upon agreement, we will set up a BGP session with you, {where}."),
            ),
            Item(
                "",
                "Monitoring",
                t(
                    "Both parties are expected to monitor the BGP session and maintain "
                    "up-to-date contact information (in PeeringDB) for troubleshooting."
                ),
            ),
        ),
        numbered=True,
    )
