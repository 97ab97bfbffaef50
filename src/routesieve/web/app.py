"""The web application: the JSON API, the peering request form, and the static site.

``create_app`` assembles, in matching order: ``/api/v1/...`` (and its OpenAPI description
at ``/api/v1/openapi.json``; no Swagger or ReDoc page, which would load scripts from a
CDN), ``/peering/request``, then either the static report pages of ``site_dir`` mounted
at ``/`` or, without one, a small index page. Every answer carries the security headers
of :mod:`routesieve.web.server`; every request passes the ``Guard`` of
:mod:`routesieve.web.security` (Host, proxies, limits) first.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from routesieve import __version__
from routesieve.web.api import PREFIX, api_router
from routesieve.web.data import ServeData, totals
from routesieve.web.errors import install_error_handlers
from routesieve.web.limits import Limits
from routesieve.web.pages import page
from routesieve.web.peering import PeeringCheck, PeeringSettings, peering_router
from routesieve.web.security import CsrfTokens, Guard, RateLimiter

MAX_BODY = 16 * 1024


def form_settings(
    state_dir: Path,
    peering_check: PeeringCheck | None,
    local_asn: int,
    limits: Limits,
    max_body: int = MAX_BODY,
) -> PeeringSettings:
    """The peering form's settings: requests stored in ``state_dir/peering-requests/``,
    its own rate limiters and CSRF tokens (shared by every app of one live server)."""
    return PeeringSettings(
        check=peering_check,
        folder=state_dir / "peering-requests",
        local_asn=local_asn,
        max_body=max_body,
        limiter=RateLimiter(limits.form_posts_per_hour, 3600.0),
        refusals=RateLimiter(limits.form_refusals_per_hour, 3600.0),
        hosts=limits.hosts,
        csrf=CsrfTokens(),
    )


def create_app(
    data: ServeData,
    state_dir: Path,
    site_dir: Path | None = None,
    peering_check: PeeringCheck | None = None,
    *,
    max_age_hours: float = 48.0,
    limits: Limits | None = None,
    max_body: int = MAX_BODY,
    form: PeeringSettings | None = None,
    guarded: bool = True,
) -> FastAPI:
    """The application over ``data``. Peering requests are stored in
    ``state_dir/peering-requests/``; ``peering_check(asn)`` answers the form (without it
    the form answers 503); ``site_dir``'s files are served at ``/``; ``limits`` are the
    server's (Host names, proxies, rates; by default those of a loopback server).
    ``form`` (from :func:`form_settings`) replaces the form's own settings and
    ``guarded=False`` leaves the ``Guard`` out: :mod:`routesieve.web.live` keeps both
    across the apps it swaps in."""
    limits = limits or Limits()
    app = FastAPI(
        title="routesieve",
        version=__version__,
        description="Read-only answers about the routes received from each BGP peer: the "
        "verdicts, their reasons and evidence, and the data they were decided on.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    install_error_handlers(app)
    app.include_router(api_router(data, max_age_hours))
    if form is None:
        form = form_settings(state_dir, peering_check, data.policy.local_asn, limits, max_body)
    app.include_router(peering_router(form))
    if site_dir is not None:
        app.mount("/", StaticFiles(directory=site_dir, html=True), name="site")
    else:

        @app.get("/", include_in_schema=False)
        def index() -> HTMLResponse:
            t = totals(data)
            return page(
                "index.html",
                local_asn=data.policy.local_asn,
                evaluated_at=data.evaluated_at.isoformat(timespec="seconds"),
                peers=list(data.peers.values()),
                merged=t["merged"],
                accepted=t["accepted"],
                rejected=t["rejected"],
            )

    if guarded:
        app.add_middleware(Guard, limits=limits, max_body=max_body)
    return app
