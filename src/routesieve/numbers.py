"""Numbers and text from outside input, read strictly, in one place.

Every reader turns digits into integers here: ASCII digits only (``str.isdigit`` accepts
``²`` and ``٣``, which ``int`` then refuses or reads), a bounded number of digits (Python
refuses integers of over 4,300 digits, and nothing routesieve reads needs more than 20),
and a bounded value. Unix times become dates only inside ``datetime``'s range. Text from
JSON may hold lone UTF-16 surrogates (``"\\ud800"``) that no writer can encode:
:func:`safe_text` replaces them where the text enters.

:class:`ParseError` lives here so that this module needs nothing else of routesieve;
:mod:`routesieve.prefix` re-exports it, as it always has.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

#: No number routesieve reads has more digits (2**64 has 20).
MAX_DIGITS = 20
#: The latest Unix time a date can be made of: 9999-12-31T23:59:59Z.
MAX_UNIX_TIME = 253_402_300_799
#: An integer in JSON with more digits is kept as its text (and then refused as a number).
MAX_JSON_DIGITS = 40

_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


class ParseError(ValueError):
    """A value from outside could not be read; the message says what and why."""


def shown(text: str, limit: int = 40) -> str:
    """``repr`` of outside text for a message, cut to ``limit`` characters."""
    return repr(text[:limit]) + ("…" if len(text) > limit else "")


def is_digits(text: str, max_digits: int = MAX_DIGITS) -> bool:
    """True for 1 to ``max_digits`` ASCII digits and nothing else."""
    return 0 < len(text) <= max_digits and text.isascii() and text.isdigit()


def parse_uint(
    text: str, what: str, maximum: int | None = None, max_digits: int = MAX_DIGITS
) -> int:
    """A non-negative integer written in ASCII digits, at most ``maximum``."""
    if not is_digits(text, max_digits):
        if text.isascii() and text.isdigit():
            raise ParseError(f"{what} has too many digits ({len(text)}): {shown(text)}")
        raise ParseError(f"{what} is not a number: {shown(text)}")
    number = int(text)
    if maximum is not None and number > maximum:
        raise ParseError(f"{what} {shown(text)} is over {maximum}")
    return number


def uint_value(value: Any, what: str, maximum: int | None = None) -> int:
    """A non-negative integer given as a JSON/TOML integer or as digits in text."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0 or (maximum is not None and value > maximum):
            raise ParseError(f"{what} {value} is out of range")
        return value
    if isinstance(value, str):
        return parse_uint(value.strip(), what, maximum)
    raise ParseError(f"{what} is not a number: {shown(str(value))}")


def json_int(text: str) -> int | str:
    """``parse_int`` for :func:`json.loads`: an integer too long to be a real value stays text.

    Without it one 5,000-digit number makes the whole document unreadable; kept as text,
    the field that holds it is refused on its own, with its place.
    """
    if len(text) > MAX_JSON_DIGITS:
        return text
    return int(text)


def unix_time(value: Any, what: str = "Unix time") -> int:
    """Seconds since 1970 that a date can be made of (up to the year 9999)."""
    if isinstance(value, float):
        if not value == value or value in (float("inf"), float("-inf")):
            raise ParseError(f"{what} is not a finite number: {value}")
        if not 0 <= value <= MAX_UNIX_TIME:
            raise ParseError(f"{what} {value} is out of range")
        return int(value)
    return uint_value(value, what, MAX_UNIX_TIME)


def unix_to_iso(value: Any) -> str | None:
    """``2024-03-10T16:55:01Z`` for a Unix time, None when it is not one a date can hold."""
    try:
        seconds = unix_time(value)
    except ParseError:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def safe_text(text: str) -> str:
    """``text`` with every lone UTF-16 surrogate replaced by U+FFFD (so it can be written)."""
    return _SURROGATE.sub("\ufffd", text)


def may_hold_surrogates(json_text: str) -> bool:
    """Cheap test on raw JSON: only a ``\\uD800``-``\\uDFFF`` escape can make a surrogate."""
    return _ESCAPED_SURROGATE.search(json_text) is not None


def safe_json(value: Any) -> tuple[Any, int]:
    """Parsed JSON with every string made :func:`safe_text`, and how many were changed."""
    changed = 0

    def walk(item: Any) -> Any:
        nonlocal changed
        if isinstance(item, str):
            if has_surrogates(item):
                changed += 1
                return safe_text(item)
            return item
        if isinstance(item, list):
            return [walk(x) for x in item]
        if isinstance(item, dict):
            return {walk(k): walk(v) for k, v in item.items()}
        return item

    # iterative depth is bounded by json's own recursion limit on the same document
    return walk(value), changed
