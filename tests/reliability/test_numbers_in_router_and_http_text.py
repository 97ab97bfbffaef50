"""Numbers read from router output and HTTP headers go through the strict helper too: a
Unicode digit or a 5,000-digit number is "not a number", never a ValueError."""

from __future__ import annotations

from routesieve.collect.bird_routes import _int as bird_int
from routesieve.collect.openbgpd_routes import _asn as openbgpd_asn
from routesieve.sessions.bird_status import _int as status_int
from routesieve.web.security import declared_length


def test_a_content_length_of_five_thousand_digits_is_not_a_length() -> None:
    assert declared_length({b"content-length": b"9" * 5000}) is None
    assert declared_length({b"content-length": b"42"}) == 42


def test_superscript_digits_in_birds_counters_are_not_numbers() -> None:
    assert bird_int("³²") is None and status_int("³²") is None
    assert bird_int("12") == 12 and status_int("12") == 12


def test_an_openbgpd_neighbour_as_in_unicode_digits_is_not_an_as_number() -> None:
    assert openbgpd_asn("６５００１") is None
    assert openbgpd_asn("65001") == 65001
