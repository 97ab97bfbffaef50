"""An application whose data is replaced while it serves (``routesieve run``'s web face).

:class:`LiveApp` is one ASGI application in front of the app of :func:`create_app` over
the newest data: :meth:`LiveApp.replace` swaps a new one in between two requests (a
request already running finishes on the app it started on). The ``Guard`` (Host and
proxy checks, connection-level and API rate limits) and the peering form's settings
(its rate limiters and CSRF tokens) are made once and outlive every swap, so a change of
verdicts neither resets a limit nor spoils a form a visitor is filling in. Before the
first data, every request is answered 503 with ``retry-after``.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from routesieve.web.app import MAX_BODY, create_app, form_settings
from routesieve.web.data import ServeData
from routesieve.web.limits import Limits
from routesieve.web.peering import PeeringCheck
from routesieve.web.security import Guard

STARTING = json.dumps({"detail": "starting: the first evaluation is not ready yet"}).encode()


class LiveApp:
    """See the module's description."""

    def __init__(
        self,
        state_dir: Path,
        local_asn: int,
        peering_check: PeeringCheck | None,
        *,
        limits: Limits,
        max_age_hours: float = 48.0,
        max_body: int = MAX_BODY,
    ) -> None:
        self.state_dir = state_dir
        self.limits = limits
        self.max_age_hours = max_age_hours
        self.form = form_settings(state_dir, peering_check, local_asn, limits, max_body)
        self.current: ASGIApp | None = None
        self.data: ServeData | None = None
        self.guard = Guard(self._dispatch, limits, max_body)

    def replace(self, data: ServeData, site_dir: Path | None) -> None:
        """Serve ``data`` (and the report pages of ``site_dir`` at ``/``) from now on."""
        self.current = create_app(
            data,
            self.state_dir,
            site_dir,
            max_age_hours=self.max_age_hours,
            limits=self.limits,
            form=self.form,
            guarded=False,
        )
        self.data = data

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.guard(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.current
        if app is not None:
            await app(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", b"5"),
                    (b"content-length", str(len(STARTING)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": STARTING})
