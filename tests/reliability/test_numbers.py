"""The strict number helper every reader uses, against the obvious reference."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from routesieve.model import MAX_ASN, ParseError, parse_asn
from routesieve.numbers import (
    MAX_UNIX_TIME,
    is_digits,
    json_int,
    parse_uint,
    safe_json,
    safe_text,
    unix_to_iso,
)

ASCII_DIGITS = re.compile(r"[0-9]+\Z")


def reference_uint(text: str, limit: int) -> int | None:
    """1 to 20 ASCII digits at most ``limit``, else None."""
    if not ASCII_DIGITS.match(text) or len(text) > 20:
        return None
    number = int(text)
    return number if number <= limit else None


@given(st.one_of(st.text(max_size=30), st.text("0123456789²³١٢", max_size=30)))
def test_parse_uint_takes_exactly_ascii_digits_in_range(text: str) -> None:
    expected = reference_uint(text, 2**32)
    if expected is None:
        with pytest.raises(ParseError):
            parse_uint(text, "value", 2**32)
    else:
        assert parse_uint(text, "value", 2**32) == expected


@given(st.one_of(st.text("0123456789²AS. ", max_size=14), st.integers(-5, 2**33)))
def test_parse_asn_fast_and_slow_paths_agree_with_the_reference(value: str | int) -> None:
    """Plain digits, AS-prefixed and asdot, or a ParseError: never another exception."""
    text = str(value).strip()
    body = text[2:] if text[:2].upper() == "AS" else text
    if "." in body:
        high, _, low = body.partition(".")
        ok = bool(ASCII_DIGITS.match(high) and ASCII_DIGITS.match(low))
        ok = ok and len(high) <= 5 and len(low) <= 5 and int(high) < 65536 and int(low) < 65536
        expected = int(high) * 65536 + int(low) if ok else None
    else:
        ok = bool(ASCII_DIGITS.match(body)) and len(body) <= 10 and int(body) <= MAX_ASN
        expected = int(body) if ok else None
    if isinstance(value, int):
        expected = value if 0 <= value <= MAX_ASN else None
    if expected is None:
        with pytest.raises(ParseError):
            parse_asn(value)
    else:
        assert parse_asn(value) == expected


def test_digits_python_refuses_or_misreads_are_not_numbers() -> None:
    for text in ("²", "³²", "١٢", "1²", "", " 1", "9" * 21):
        assert not is_digits(text)
    assert is_digits("9" * 20)


@pytest.mark.parametrize("value", [-1, MAX_UNIX_TIME + 1, 1e300, float("inf"), float("nan")])
def test_times_no_date_can_hold_give_no_date(value: float) -> None:
    assert unix_to_iso(value) is None


def test_time_limits() -> None:
    assert unix_to_iso(0) == "1970-01-01T00:00:00Z"
    assert unix_to_iso(MAX_UNIX_TIME) == "9999-12-31T23:59:59Z"


def test_json_integers_too_long_to_be_values_stay_text() -> None:
    doc = json.loads('{"a": 12, "b": ' + "9" * 5000 + "}", parse_int=json_int)
    assert doc["a"] == 12 and doc["b"] == "9" * 5000


def test_lone_surrogates_are_replaced_and_counted() -> None:
    doc = json.loads('{"\\ud800k": ["\\udfff", "\\ud83d\\ude00", "ok"]}')
    safe, changed = safe_json(doc)
    assert changed == 2
    assert safe == {"\ufffdk": ["\ufffd", "😀", "ok"]}
    assert safe_text("a\ud800b") == "a\ufffdb"
    json.dumps(safe, ensure_ascii=False).encode("utf-8")  # writable now
