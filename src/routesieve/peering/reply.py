"""The reply to an accepted peering request: an email drafted from a Jinja2 template.

The body comes from ``templates/reply.txt.j2`` or from the operator's own template
(``[peering] reply_template``); it is given only cleaned values (see
:mod:`routesieve.peering.sanitize`). The headers are built with :mod:`email`, whose
default policy refuses a line break in a header value: on top of the cleaning, a name
from PeeringDB can never add a header. ``To`` is the requester, else the peer's first
PeeringDB contact with an address (Policy first, then NOC, then Technical).
"""

from __future__ import annotations

import email.policy
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

import jinja2

from routesieve.peering.proposal import Proposal
from routesieve.peering.sanitize import one_line

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_TEMPLATE = "reply.txt.j2"


class TemplateError(Exception):
    """The operator's reply template cannot be read or rendered."""


def _template(path: Path | None) -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    if path is None:
        return env.get_template(DEFAULT_TEMPLATE)
    try:
        return env.from_string(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise TemplateError(f"{path}: cannot be read: {err.strerror or err}") from None
    except (UnicodeDecodeError, jinja2.TemplateSyntaxError) as err:
        raise TemplateError(f"{path}: not a usable Jinja2 template: {err}") from None


def recipients(proposal: Proposal, requester: str | None = None) -> list[str]:
    """Who the reply goes to: the requester, then the peer's contact addresses."""
    found = [requester] if requester else []
    if proposal.record is not None:
        found += [c.email for c in proposal.record.contacts if c.email]
    return list(dict.fromkeys(found))


def reply_email(
    proposal: Proposal,
    *,
    local_asn: int,
    local_name: str | None,
    from_address: str | None,
    template: Path | None = None,
    requester: str | None = None,
) -> EmailMessage:
    """The reply as an email message (not sent: the operator reviews and sends it)."""
    context = {
        "peer_asn": proposal.asn,
        "peer_name": one_line(proposal.name),
        "local_asn": local_asn,
        "local_name": "" if local_name == f"AS{local_asn}" else one_line(local_name or ""),
        "from_address": from_address,
        "sessions": proposal.sessions,
        "direct": proposal.direct,
        "as_sets": proposal.record.as_sets if proposal.record else (),
        "max_prefix": proposal.max_prefix,
    }
    try:
        body = _template(template).render(context)
    except jinja2.TemplateError as err:
        raise TemplateError(f"{template or DEFAULT_TEMPLATE}: cannot be rendered: {err}") from None
    msg = EmailMessage(policy=email.policy.default)
    to = recipients(proposal, requester)
    if from_address:
        msg["From"] = formataddr((one_line(local_name or f"AS{local_asn}", 60), from_address))
    if to:
        msg["To"] = ", ".join(to[:1])
    if len(to) > 1:
        msg["Cc"] = ", ".join(to[1:])
    subject = f"Peering AS{local_asn} - AS{proposal.asn} {one_line(proposal.name, 80)}"
    msg["Subject"] = one_line(subject, 120)
    msg.set_content(body, cte="8bit")
    return msg
