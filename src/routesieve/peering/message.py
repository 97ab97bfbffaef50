"""The AS number a peering request email names.

A request is free text ("we are AS65001 and would like to peer"), usually a whole email
with headers. :func:`request_asns` returns the AS numbers written in its subject and
plain-text body (``AS65001``, ``AS 65001``, ``ASN 65001``, ``ASN: 65001``), without the
local network's own; :func:`sender` the plain address it came from, when there is one.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from email.utils import parseaddr

from routesieve.model import MAX_ASN
from routesieve.peering.sanitize import email_address

_ASN = re.compile(r"\bAS(?:N)?\s*[:#]?\s*([0-9]{1,10})\b", re.IGNORECASE | re.ASCII)


def _parse(text: str) -> EmailMessage:
    msg = email.message_from_string(text, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    if part is None:
        return msg.get_payload() if isinstance(msg.get_payload(), str) else ""  # type: ignore[return-value]
    try:
        content = part.get_content()
    except (LookupError, ValueError):
        return ""
    return content if isinstance(content, str) else ""


def request_asns(text: str, local_asn: int) -> tuple[int, ...]:
    """AS numbers in the request, in order of appearance, without ``local_asn``."""
    msg = _parse(text)
    has_headers = bool(msg.keys())
    where = f"{msg.get('Subject', '')}\n{_body(msg)}" if has_headers else text
    found: list[int] = []
    for match in _ASN.finditer(where):
        asn = int(match.group(1))
        if 0 < asn <= MAX_ASN and asn not in (23456, local_asn):
            found.append(asn)
    return tuple(dict.fromkeys(found))


def sender(text: str) -> str | None:
    """The plain address of the ``From`` (or ``Reply-To``) header, if it is one."""
    msg = _parse(text)
    for header in ("Reply-To", "From"):
        value = msg.get(header)
        if value:
            address = email_address(parseaddr(str(value))[1])
            if address:
                return address
    return None
