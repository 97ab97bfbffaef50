"""Source locations: a local file path or a URL whose scheme says how to reach it.

Each ``[sources]`` key takes the schemes that make sense for its data: ``https://`` and
``http://`` for files everywhere, ``rtr://host:port`` only for ``rpki`` (an RTR server;
``rtrs://`` over TLS, ``rtr+ssh://`` over SSH),
``whois://host:port?sources=A,B`` only for ``irr`` (an IRR whois server, queried for the
configured peers' as-sets and AS numbers). A URL that cannot work is refused when the
configuration is loaded, with the key named: a scheme the key does not take, no host, a
bad port, a user name or password written in the URL, spaces or control characters.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import ValidationInfo
from pydantic_core import PydanticCustomError

from routesieve.config.fields import expanded_path

FILE_SCHEMES = ("https", "http")
DEFAULT_PORTS = {"https": 443, "http": 80, "rtr": 323, "rtrs": 324, "rtr+ssh": 22, "whois": 43}
RTR_SCHEMES = ("rtr", "rtrs", "rtr+ssh")  # TCP, TLS, SSH
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_BAD_CHARACTER = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}]")
_IRR_SOURCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}", re.ASCII)
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", re.ASCII)


@dataclass(frozen=True, slots=True)
class SourceUrl:
    """A checked source URL. ``text`` is the URL as written (it holds no credentials)."""

    text: str
    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        return self.text

    @property
    def irr_sources(self) -> tuple[str, ...]:
        """``whois://…?sources=RIPE,RADB`` -> ``("RIPE", "RADB")``; empty for other URLs."""
        query = urlsplit(self.text).query
        for key, value in parse_qsl(query):
            if key == "sources":
                return tuple(s.strip().upper() for s in value.split(",") if s.strip())
        return ()


Location = Path | SourceUrl


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("url", message)


def parse_source_url(text: str, schemes: tuple[str, ...]) -> SourceUrl:
    """Check ``text`` as a URL of one of ``schemes``; raise a message for the operator."""
    scheme = text.split("://", 1)[0].lower()
    allowed = ", ".join(f"{s}://" for s in schemes)
    if scheme not in schemes:
        raise _fail(f"{text!r}: this key takes a file path or a URL of {allowed}, not {scheme}://")
    bad = _BAD_CHARACTER.search(text)
    if bad:
        raise _fail(f"{text!r}: a URL may not contain {bad.group()!r} (encode it as %XX)")
    parts = urlsplit(text)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _fail(
            f"{scheme}://…: a user name or password written in the URL would be stored and "
            "shown in clear; routesieve does not take credentials in source URLs"
        )
    host = parts.hostname or ""
    if not _usable_host(host, bracketed="[" in parts.netloc):
        raise _fail(f"{text!r}: no usable host name in the URL")
    try:
        port = parts.port
    except ValueError:
        raise _fail(f"{text!r}: the port must be a number from 1 to 65535") from None
    if port == 0 or (parts.netloc.endswith(":") and port is None):
        raise _fail(f"{text!r}: the port must be a number from 1 to 65535")
    if parts.fragment:
        raise _fail(f"{text!r}: a source URL has no '#' part")
    if scheme in RTR_SCHEMES and (parts.path not in ("", "/") or parts.query):
        raise _fail(
            f"{text!r}: an {scheme}:// URL is only host and port, e.g. {scheme}://host:8282"
        )
    if scheme == "whois":
        _check_whois(text, parts.path, parts.query)
    return SourceUrl(text, scheme, host, port or DEFAULT_PORTS[scheme])


def _usable_host(host: str, *, bracketed: bool) -> bool:
    if bracketed:
        try:
            return ipaddress.ip_address(host).version == 6
        except ValueError:
            return False
    return bool(_HOST.fullmatch(host)) and ".." not in host


def _check_whois(text: str, path: str, query: str) -> None:
    if path not in ("", "/"):
        raise _fail(f"{text!r}: a whois:// URL is host, port and ?sources=, no path")
    if not query:
        return
    pairs = parse_qsl(query, keep_blank_values=True)
    for key, value in pairs:
        if key != "sources":
            raise _fail(f"{text!r}: a whois:// URL takes only ?sources=A,B, not {key!r}")
        names = value.split(",")
        if not all(_IRR_SOURCE.fullmatch(n.strip()) for n in names):
            raise _fail(f"{text!r}: sources= lists IRR database names, e.g. RIPE,RADB")


def location_checker(
    schemes: tuple[str, ...],
    *,
    path_allowed: bool = True,
    example: str = "https://www.peeringdb.com/api",
) -> Any:
    """The pydantic validator of one ``[sources]`` key: a path, or a URL of ``schemes``
    (``example`` is the URL a message suggests when a path is given where none is allowed)."""

    def check(value: Any, info: ValidationInfo) -> Location:
        if not isinstance(value, str):
            raise _fail("must be a file path or a URL written as a string")
        text = value.strip()
        if _SCHEME.match(text):
            return parse_source_url(text, schemes)
        if not path_allowed:
            raise _fail(f"{value!r} is not a URL; write e.g. {example}")
        if not text or "\x00" in value:
            raise _fail("must be a file path or a URL (not empty, no NUL character)")
        path = expanded_path(value)
        base = info.context.get("base") if isinstance(info.context, dict) else None
        if not path.is_absolute() and isinstance(base, Path):
            path = base / path
        return path

    return check
