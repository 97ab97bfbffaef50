"""Strings from PeeringDB made harmless before they reach a report, TOML, BIRD or email.

Everything in a PeeringDB record is typed by whoever runs the network: a name may hold
a newline followed by ``protocol bgp {``, an email address may carry a second header,
a URL may be ``javascript:``. Each value routesieve uses goes through one of these
functions first; what does not fit the value's form is dropped (and said so), never
passed on as it is.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from pydantic_core import PydanticCustomError

from routesieve.config.fields import TEXT_MAX_LENGTH, check_as_set_name

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+", re.ASCII)
_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[!-~]*)?", re.ASCII)


def one_line(text: object, limit: int = TEXT_MAX_LENGTH) -> str:
    """Printable text on one line: control, format and separator characters become
    spaces, runs of spaces one, and the text is cut at ``limit`` characters."""
    if not isinstance(text, str):
        return ""
    out = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)
    out = " ".join(out.split())
    return out if len(out) <= limit else out[: limit - 1] + "…"


def name_text(text: object) -> str:
    """A name fit for the configuration's ``Text`` (no ``"`` or ``\\``, one line)."""
    return one_line(text).replace('"', "'").replace("\\", "/")


def as_set_names(text: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The as-set names in PeeringDB's ``irr_as_set`` (space or comma separated): the
    well-formed ones, and the rest (shortened) that cannot be used."""
    good: list[str] = []
    bad: list[str] = []
    for word in re.split(r"[\s,]+", text if isinstance(text, str) else ""):
        if not word:
            continue
        try:
            good.append(check_as_set_name(word))
        except PydanticCustomError:
            bad.append(one_line(word, 40))
    return tuple(dict.fromkeys(good)), tuple(bad)


def email_address(text: object) -> str | None:
    """A plain ``local@domain`` address, or None: nothing that could add a header."""
    if not isinstance(text, str):
        return None
    candidate = text.strip()
    return candidate if _EMAIL.fullmatch(candidate) else None


def web_url(text: object) -> str | None:
    """An ``http(s)://`` URL of printable ASCII without spaces, or None."""
    if not isinstance(text, str):
        return None
    candidate = text.strip()
    return candidate if len(candidate) <= 300 and _URL.fullmatch(candidate) else None


def ipv6_address(text: object) -> str | None:
    """A global-scope-looking IPv6 address in its short form, or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        addr = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if addr.version != 6 or addr.is_link_local or addr.is_multicast or addr.is_unspecified:
        return None
    return str(addr)


def count(value: object) -> int | None:
    """A non-negative integer count (PeeringDB's ``info_prefixes6``), or None."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value
