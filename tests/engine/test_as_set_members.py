"""How the members of an as-set are read: AS numbers in any case, set names, the rest."""

from __future__ import annotations

from routesieve.engine.as_sets import AsSetCatalog
from routesieve.model import AsSet


def test_as_numbers_are_read_in_any_case_up_to_the_largest_asn() -> None:
    members = ("AS1", "as65000", "As4294967295", "AS4294967296", "AS12345678901", "ASx", "AS")
    catalog = AsSetCatalog([AsSet("AS-ODD", members, "TEST")])
    found = catalog.expand(["AS-ODD"], 5, 1000)
    assert found.asns == frozenset({1, 65000, 4294967295})
    unread = [w for w in found.warnings if "cannot read member" in w]
    assert len(unread) == 4  # too large (twice), no digits, nothing after AS


def test_a_catalog_gives_the_same_expansion_when_asked_again() -> None:
    catalog = AsSetCatalog([AsSet("AS-A", ("AS1", "AS-B"), "T"), AsSet("AS-B", ("AS2",), "T")])
    first = catalog.expand(["AS-A"], 5, 1000)
    assert first.asns == frozenset({1, 2})
    assert catalog.expand(["AS-A"], 5, 1000) is first
    assert catalog.expand(["AS-A"], 1, 1000).asns == frozenset({1})  # other limits: anew
