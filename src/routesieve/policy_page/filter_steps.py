"""Steps 1 to 5 of the route filter algorithm, worded for peers, with the limits and
switches of the configuration (``[policy]``, ``[policy.checks]``, ``[local] families``,
``[[exchanges]]``) written in. The rule numbers are those of the algorithm and of the
verdicts routesieve reports, so a peer can match a rejection to its rule.
"""

from __future__ import annotations

from routesieve.config import Config
from routesieve.engine.rules import Rule
from routesieve.policy_page.document import Item, Section, Text, code, families_phrase, link, t

AS_SET_DRAFT = "https://datatracker.ietf.org/doc/draft-ietf-idr-deprecate-as-set-confed-set/"
IANA_ASN = "https://www.iana.org/assignments/as-numbers/as-numbers.xhtml"
RFC_7606 = "https://www.rfc-editor.org/rfc/rfc7606"


def _lengths(config: Config) -> Text:
    p = config.policy_settings
    v6 = f"IPv6 prefixes shorter than /{p.ipv6_min_length} or longer than /{p.ipv6_max_length}"
    if "ipv4" in config.local.families or not p.checks.afi:
        v4 = f"IPv4 prefixes shorter than /{p.ipv4_min_length} or longer than /{p.ipv4_max_length}"
        return t(f"Reject {v4}, and {v6}.")
    return t(f"Reject {v6}.")


def _exchange_names(config: Config) -> str:
    names = [e.name for e in config.exchanges]
    return ": " + ", ".join(names) if names else ""


def _rejections(config: Config) -> tuple[Item, ...]:
    p = config.policy_settings
    local = f"AS{config.local.asn}"
    items = [
        Item("3.1", "Default routes", t("Reject ", code("0.0.0.0/0"), " and ", code("::/0"), ".")),
        Item(
            "3.2",
            "AS_SET in the path",
            t(
                "Reject AS paths that use BGP AS_SET notation (",
                code("{1}"),
                " or ",
                code("{1 2}"),
                "), confederation segments included. See ",
                link("draft-ietf-idr-deprecate-as-set-confed-set", AS_SET_DRAFT),
                ".",
            ),
        ),
        Item("3.3", "Prefix length", _lengths(config)),
        Item(
            "3.4",
            "Bogons",
            t(
                "Reject bogon prefixes (RFC 1918, documentation prefixes, 6to4, and for IPv6 "
                "anything outside ",
                code("2000::/3"),
                ")",
                " and full bogons (unallocated address space)."
                if config.sources.full_bogons
                else ".",
            ),
        ),
        Item(
            "3.5",
            "Exchange prefixes",
            t(
                f"Reject the LAN prefixes of every exchange {local} is connected to"
                f"{_exchange_names(config)}."
            ),
        ),
        Item(
            "3.6",
            "Path length",
            t(
                f"Reject AS paths longer than {p.max_hops} hops (prepends counted). "
                "Excessive AS path prepending is a self-inflicted vulnerability."
            ),
        ),
        Item(
            "3.7",
            "Unallocated AS numbers",
            t(
                "Reject AS paths that use unallocated 32-bit AS numbers between "
                f"{p.unallocated_asn_first} and {p.unallocated_asn_last} (",
                link("IANA AS number registry", IANA_ASN),
                ").",
            ),
        ),
        Item("3.8", "AS_TRANS", t("Reject AS paths that contain AS 23456 (AS_TRANS).")),
        Item(
            "3.9",
            "AS 0",
            t("Reject AS paths that contain AS 0 (", link("RFC 7606", RFC_7606), ")."),
        ),
        Item(
            "3.10",
            "RPKI invalid",
            t("Reject routes whose RPKI status is INVALID_ASN or INVALID_LENGTH."),
        ),
    ]
    return tuple(items)


def _checks_before(config: Config) -> tuple[Item, ...]:
    """The checks beyond the algorithm that run before 3.1 (X-AFI when on, X-MALFORMED)."""
    out = []
    if config.policy_settings.checks.afi:
        fams = families_phrase(config.local.families)
        out.append(
            Item(
                Rule.X_AFI.value,
                "Address family",
                t(f"Reject routes that are not {fams}: we route {fams} only."),
            )
        )
    out.append(
        Item(
            Rule.X_MALFORMED.value,
            "Malformed routes",
            t("Reject routes with an empty AS path, or whose prefix or path cannot be read."),
        )
    )
    return tuple(out)


def _checks_after(config: Config) -> tuple[Item, ...]:
    """The switchable checks beyond the algorithm that run after 3.10, when on."""
    checks = config.policy_settings.checks
    out = []
    if checks.first_as:
        out.append(
            Item(
                Rule.X_FIRST_AS.value,
                "First AS",
                t("Reject paths whose first AS is not your AS (except on route-server sessions)."),
            )
        )
    if checks.bogon_asn:
        out.append(
            Item(
                Rule.X_BOGON_ASN.value,
                "Bogon AS numbers",
                t("Reject paths with private, reserved or documentation AS numbers."),
            )
        )
    if checks.aspa:
        out.append(
            Item(
                Rule.X_ASPA.value,
                "ASPA (route leaks)",
                t(
                    "Verify the AS path against the ASPA records the RPKI publishes "
                    "(draft-ietf-sidrops-aspa-verification): reject a path that cannot be "
                    "valley-free, where an AS passed the route to an AS that its ASPA does "
                    "not list as a provider. A path with ASes that publish no ASPA is not "
                    "rejected for that."
                ),
            )
        )
    return tuple(out)


def _acceptances(config: Config) -> tuple[Item, ...]:
    strict = config.policy_settings.irr_strict_origin
    irr = (
        "If the prefix exactly matches a route object of your IRR policy (your AS, or the "
        "expanded as-set you asked for), "
        + ("and its origin is the announced origin, " if strict else "")
        + "accept it."
    )
    return (
        Item("4.1", "RPKI", t("If the origin is your AS and the RPKI status is VALID, accept.")),
        Item(
            "4.2",
            "Downstream of accepted prefixes",
            t(
                "If the prefix is a subnet of a prefix you originate that was accepted by "
                "RPKI (4.1) or an RIR handle match (4.3), accept it."
            ),
        ),
        Item("4.3", "RIR handles", t("If RIR handles match for the prefix and your AS, accept.")),
        Item("4.4", "IRR", t(irr)),
        Item(
            "4.5",
            "Your customers",
            t(
                "If the path is two hops long, starts with your AS, its origin is in your "
                "expanded as-set, and the RPKI status is VALID or an RIR handle matches the "
                "origin AS and the prefix, accept."
            ),
        ),
    )


def filter_section(config: Config) -> Section:
    p = config.policy_settings
    return Section(
        "route-filtering",
        "Route filtering",
        t(
            "Every route received from a peer is checked by this algorithm; routesieve "
            "reports each decision with its rule number."
        ),
        (
            Item(
                "1",
                "As-set",
                t(
                    "We don't use an as-set by default; if you need one, please ask for it. "
                    "Without one, your IRR policy is your own AS. An as-set is expanded "
                    f"recursively up to {p.as_set_max_depth} levels deep and "
                    f"{p.as_set_max_members} members."
                ),
            ),
            Item(
                "2",
                "Collect",
                t(
                    "Collect the routes received on every BGP session with your AS, both "
                    "accepted and filtered."
                ),
            ),
            Item(
                "3",
                "Rejection tests",
                t("For each route, in this order, the first that fails rejects it:"),
                _checks_before(config) + _rejections(config) + _checks_after(config),
            ),
            Item(
                "4",
                "Acceptance tests",
                t("For each remaining route, in this order, the first that matches accepts it:"),
                _acceptances(config),
            ),
            Item("5", "Default", t("Reject all prefixes not explicitly accepted.")),
        ),
    )
