"""The peering request form: ``GET /peering/request`` shows it with a CSRF token,
``POST /peering/request`` checks the post, runs the peering check, stores the request for
the operator and shows the result.

A post is refused in this order: over the body limit (413), over the client's rate (429),
no peering check configured (503), not from this site or without a valid token (403),
not form-encoded (415), invalid fields (400, the form again with every problem), a check
that fails (502) or takes over a minute (504). Only accepted posts (those that reach the
check) count against the client's post limit; refused ones count against a larger limit
of their own, so a few bad posts never lock out a client's good one. The
stored request is one JSON file in ``<state>/peering-requests/``, written atomically.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from routesieve.config import Config
from routesieve.model import ParseError, parse_asn
from routesieve.sources.fetched import write_atomically
from routesieve.web.pages import page
from routesieve.web.security import CsrfTokens, RateLimiter, same_origin

log = logging.getLogger("routesieve.web")

PeeringCheck = Callable[[int], dict[str, Any]]
LIMITS = {"asn": 16, "name": 200, "contact": 200, "message": 2000}
FIELDS = ("csrf_token", *LIMITS)
MAX_FIELDS = 20
#: one address: a dot-atom local part and a dotted domain (no quotes, commas, spaces, markup)
EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)
CHECK_TIMEOUT = 60  # seconds; the check may ask PeeringDB and IRR servers


def check_for(config: Config, url: str | None = None) -> PeeringCheck:
    """The check the peering form runs: the same as ``routesieve peering request`` (at
    ``url``, else ``[sources] peeringdb``); it asks PeeringDB."""
    from routesieve.peering.check import check_request
    from routesieve.sources.parse_cache import cache_dir

    folder = cache_dir()
    cache = folder / "peeringdb" if folder else None

    def check(asn: int) -> dict[str, Any]:
        return check_request(config, asn, url=url, cache=cache, timeout=20.0).proposal.to_json()

    return check


@dataclass(frozen=True)
class PeeringSettings:
    """What the form needs: the check (None: not configured), where requests go, the
    body limit, the limiters of accepted and of refused posts, the Host names this server
    answers to (the Origin check), and the local AS for the wording."""

    check: PeeringCheck | None
    folder: Path
    local_asn: int
    max_body: int
    limiter: RateLimiter
    refusals: RateLimiter
    csrf: CsrfTokens
    hosts: Iterable[str]


class _Refused(Exception):
    def __init__(self, status: int, heading: str, message: str, **headers: str) -> None:
        super().__init__(message)
        self.status, self.heading, self.message, self.headers = status, heading, message, headers


def _validate(form: dict[str, str]) -> tuple[int | None, list[str]]:
    errors = [f"{k}: at most {n} characters" for k, n in LIMITS.items() if len(form[k]) > n]
    asn: int | None = None
    try:
        asn = parse_asn(form["asn"].strip())
    except (ParseError, ValueError, TypeError):
        errors.append("asn: not an AS number (write 64500 or AS64500)")
    if not EMAIL.fullmatch(form["contact"].strip()):
        errors.append("contact: one e-mail address is needed to answer you (name@example.net)")
    if asn == 0:
        errors.append("asn: AS 0 cannot peer")
    return asn, errors


async def _read_form(request: Request, limit: int) -> dict[str, str]:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise _Refused(415, "Not a form", "send the form as application/x-www-form-urlencoded")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _Refused(413, "Too large", f"the request is over {limit} bytes")
    if body.count(b"&") + 1 > MAX_FIELDS:
        raise _Refused(400, "Too many fields", f"the form has at most {MAX_FIELDS} fields")
    try:
        fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise _Refused(400, "Unreadable form", "the form is not UTF-8 form data") from None
    return {k: (fields.get(k) or [""])[0] for k in FIELDS}


def peering_router(s: PeeringSettings) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def form_page(
        request: Request, status: int, form: dict[str, str], errors: list[str]
    ) -> HTMLResponse:
        cookie = request.cookies.get(CsrfTokens.COOKIE) or s.csrf.new_cookie()
        response = page(
            "peering_form.html",
            status,
            local_asn=s.local_asn,
            available=s.check is not None,
            token=s.csrf.token_for(cookie),
            form=form,
            errors=errors,
            limits=LIMITS,
        )
        response.set_cookie(
            CsrfTokens.COOKIE,
            cookie,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/peering",
        )
        return response

    @router.get("/peering/request")
    def show_form(request: Request) -> HTMLResponse:
        return form_page(request, 200, {}, [])

    @router.post("/peering/request")
    async def submit(request: Request) -> Response:
        client = request.client.host if request.client else "unknown"
        try:
            return await _submit(request, client)
        except _Refused as r:
            if r.status in (400, 403, 413, 415):  # the client's fault: counts as a refusal
                s.refusals.take(client)
            return page("refused.html", r.status, r.headers, heading=r.heading, message=r.message)

    def too_many(wait: float) -> _Refused:
        return _Refused(
            429,
            "Too many requests",
            f"try again in {max(1, round(wait / 60))} minutes",
            **{"retry-after": str(int(wait) + 1)},
        )

    async def _submit(request: Request, client: str) -> Response:
        wait = max(s.limiter.peek(client), s.refusals.peek(client))
        if wait:
            raise too_many(wait)
        if s.check is None:
            raise _Refused(503, "Unavailable", "peering checks not configured on this server")
        headers = request.headers
        why = same_origin(headers.get("origin"), headers.get("referer"), s.hosts)
        if why:
            raise _Refused(403, "Refused", why)
        form = await _read_form(request, s.max_body)
        if not s.csrf.valid(request.cookies.get(CsrfTokens.COOKIE), form["csrf_token"]):
            raise _Refused(403, "Refused", "the form's token is missing or wrong; reload the form")
        asn, errors = _validate(form)
        if errors or asn is None:
            s.refusals.take(client)
            return form_page(request, 400, form, errors)
        wait = s.limiter.take(client)  # an accepted post: the only kind its limit counts
        if wait:
            raise too_many(wait)
        try:
            result = await asyncio.wait_for(run_in_threadpool(s.check, asn), CHECK_TIMEOUT)
        except TimeoutError:
            log.warning("peering check for AS%d took over %d s", asn, CHECK_TIMEOUT)
            raise _Refused(504, "Check too slow", "the peering check took too long") from None
        except Exception:
            log.exception("peering check for AS%d failed", asn)
            raise _Refused(502, "Check failed", "the peering check failed; try later") from None
        request_id = _store(s.folder, client, asn, form, result)
        return page(
            "peering_result.html",
            local_asn=s.local_asn,
            asn=asn,
            name=form["name"],
            contact=form["contact"].strip(),
            request_id=request_id,
            result=result,
        )

    return router


def _store(
    folder: Path, client: str, asn: int, form: dict[str, str], result: dict[str, Any]
) -> str:
    """Write the request to ``folder`` as ``<UTC time>-AS<asn>-<random>.json``."""
    now = datetime.now(UTC)
    request_id = f"{now:%Y%m%dT%H%M%SZ}-AS{asn}-{secrets.token_hex(4)}"
    record = {
        "id": request_id,
        "received_at": now.isoformat(timespec="seconds"),
        "client": client,
        "asn": asn,
        "name": form["name"],
        "contact": form["contact"].strip(),
        "message": form["message"],
        "check": result,
    }
    body = orjson.dumps(record, default=str, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    write_atomically(folder / f"{request_id}.json", [body])
    return request_id
