"""The value types of the configuration file, each with the check that guards it.

Every validator raises :class:`~pydantic_core.PydanticCustomError` with a message meant
for the operator; :mod:`routesieve.config.errors` adds the file and the key path.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from routesieve.model import MAX_ASN, ParseError, Prefix, parse_asn
from routesieve.numbers import is_digits

Family = Literal["ipv4", "ipv6"]
FAMILY_VERSION: dict[str, int] = {"ipv4": 4, "ipv6": 6}
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that end up in router configuration: a closed alphabet, nothing to escape.
_SET_PART = r"AS-[A-Z0-9](?:[A-Z0-9_-]*[A-Z0-9])?"
_AS_SET_NAME = re.compile(
    rf"(?:[A-Z0-9][A-Z0-9_-]{{0,31}}::)?(?:AS[0-9]{{1,10}}:)*{_SET_PART}"
    rf"(?::(?:AS[0-9]{{1,10}}|{_SET_PART}))*"
    r"|AS[0-9]{1,10}",
    re.IGNORECASE | re.ASCII,
)
AS_SET_MAX_LENGTH = 255
_SESSION_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}", re.ASCII)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_FORBIDDEN_IN_TEXT = re.compile(r'[\x00-\x1f\x7f"\\]')
TEXT_MAX_LENGTH = 200


def _fail(kind: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(kind, message, context or None)


def _need_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise _fail("type", f"must be {what} written as a string, not {describe(value)}")
    return value


def describe(value: Any) -> str:
    """How a TOML value reads in a message: its TOML type and, when short, the value."""
    kind = {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), f"a {type(value).__name__}")
    if isinstance(value, bool):
        return f"{kind} ({str(value).lower()})"
    if isinstance(value, int | float | str) and len(repr(value)) <= 60:
        return f"{kind} ({value!r})"
    return kind


def check_asn(value: Any) -> int:
    """``214312``, ``"214312"``, ``"AS214312"`` or asdot ``"3.17704"``; not 0 or AS_TRANS."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _fail("asn", f"must be an AS number (214312 or 'AS214312'), not {describe(value)}")
    try:
        asn = parse_asn(value)
    except ParseError:
        raise _fail(
            "asn", f"not an AS number: {value!r} (write 214312 or 'AS214312', 0..{MAX_ASN})"
        ) from None
    if asn == 0:
        raise _fail("asn", "AS 0 is reserved and cannot be a BGP speaker (RFC 7607)")
    if asn == 23456:
        raise _fail("asn", "AS 23456 is AS_TRANS, a placeholder, not a real AS (RFC 6793)")
    return asn


def check_as_set_name(value: Any) -> str:
    text = _need_str(value, "an as-set name")
    if len(text) > AS_SET_MAX_LENGTH or not _AS_SET_NAME.fullmatch(text):
        raise _fail(
            "as_set",
            f"not an as-set name: {text!r}; write AS-FOO, SOURCE::AS-FOO, AS65001:AS-FOO "
            "or AS65001 (letters, digits, '-', '_' and ':' only: these names are copied "
            "into router configuration)",
        )
    return text


def check_session_name(value: Any) -> str:
    text = _need_str(value, "a session name")
    if not _SESSION_NAME.fullmatch(text):
        raise _fail(
            "session_name",
            f"not a session name: {text!r}; use 1 to 64 of A-Z a-z 0-9 _ . : - "
            "(the name is copied into router configuration)",
        )
    return text


def check_text(value: Any) -> str:
    """A free-text name (peer, exchange, local network): one printable line."""
    text = _need_str(value, "a name")
    if not text.strip():
        raise _fail("text", "must not be empty")
    if len(text) > TEXT_MAX_LENGTH:
        raise _fail("text", f"is {len(text)} characters long; at most {TEXT_MAX_LENGTH}")
    bad = _FORBIDDEN_IN_TEXT.search(text)
    if bad:
        raise _fail(
            "text",
            f"contains {bad.group()!r}: control characters, '\"' and '\\' are not allowed "
            "(names are copied into reports and router configuration)",
        )
    return text


def check_prefix(value: Any) -> Prefix:
    """A prefix with an explicit length and no host bits set."""
    text = _need_str(value, "an IP prefix").strip()
    address, _, length = text.partition("/")
    if not is_digits(length, 3):
        raise _fail("prefix", f"not an IP prefix: {text!r}; write e.g. '2001:db8::/64'")
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise _fail("prefix", f"not an IP prefix: {text!r}") from None
    if int(net.network_address) != int(ipaddress.ip_address(address)):
        raise _fail("prefix", f"{text!r} has host bits set; the network is {net} (write that)")
    return Prefix(net.version, int(net.network_address), net.prefixlen)


def check_address(value: Any) -> IpAddress:
    text = _need_str(value, "an IP address")
    if "/" in text:
        raise _fail("address", f"{text!r} is a prefix; write the address alone, without '/'")
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise _fail("address", f"not an IP address: {text!r}") from None


def check_path(value: Any, info: ValidationInfo) -> Path:
    """A local file path; a relative one is taken from the config file's folder."""
    text = _need_str(value, "a file path")
    if _URL.match(text.strip()):
        raise _fail("url", f"{text!r} is a URL; this key takes a local path")
    if not text.strip() or "\x00" in text:
        raise _fail("path", "must be a file path (not empty, no NUL character)")
    path = expanded_path(text)
    base = info.context.get("base") if isinstance(info.context, dict) else None
    if not path.is_absolute() and isinstance(base, Path):
        path = base / path
    return path


def expanded_path(text: str) -> Path:
    """``Path(text)`` with a leading ``~`` or ``~user`` expanded; an unknown user (or no
    home directory) is a configuration error, not a ``RuntimeError``."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        user = text.strip().partition("/")[0]
        raise _fail(
            "path", f"{text!r}: {user!r} names no home directory known on this system"
        ) from None


def one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Asn = Annotated[int, PlainValidator(check_asn)]
AsSetName = Annotated[str, PlainValidator(check_as_set_name)]
SessionName = Annotated[str, PlainValidator(check_session_name)]
Text = Annotated[str, PlainValidator(check_text)]
PrefixValue = Annotated[Prefix, PlainValidator(check_prefix)]
Address = Annotated[IpAddress, PlainValidator(check_address)]
SourcePath = Annotated[Path, PlainValidator(check_path)]
# A single string is a one-item list (the error path then has no [0]: see errors.py).
SourcePaths = Annotated[tuple[SourcePath, ...], BeforeValidator(one_or_many)]
Length4 = Annotated[StrictInt, Field(ge=0, le=32)]
Length6 = Annotated[StrictInt, Field(ge=0, le=128)]
AsnNumber = Annotated[StrictInt, Field(ge=0, le=MAX_ASN)]
Positive = Annotated[StrictInt, Field(gt=0)]
Flag = StrictBool


class Section(BaseModel):
    """A section of the file: unknown keys are refused; values are never coerced between
    TOML types. Its validator is built when first used (``defer_build``): loading a file
    builds the whole file's schema once, not each section's at import."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


S = TypeVar("S", bound=Section)


def defaults(section: type[S]) -> Callable[[], S]:
    """The ``default_factory`` of a table left out of the file: the section with its
    defaults, made without validating them (they are valid; a test keeps each equal to
    ``section()``), so that a file without the table does not build that section's own
    validator at load (the file's schema holds it already)."""

    def made() -> S:
        return cast("S", section.model_construct())

    return made
