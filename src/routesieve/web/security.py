"""Protections of the web layer: headers on every answer, a request body limit, CSRF
tokens bound to a cookie, an Origin/Referer check, and a per-client token bucket.

- ``SecurityHeaders`` (ASGI middleware): ``X-Content-Type-Options: nosniff``, a CSP of
  ``default-src 'self'`` (no inline script or style, no framing, forms only to this
  site), ``X-Frame-Options``, ``Referrer-Policy``; refuses with 413 a request whose
  declared body is over the limit before the application sees it.
- ``CsrfTokens``: the cookie holds a random value; the form's token is its HMAC under a
  secret made per process (so a token from another server, or an older process, fails).
  A cross-site page can neither read the cookie nor compute the token, and the cookie is
  ``SameSite=Strict``.
- ``RateLimiter``: a token bucket per client address, in memory, for the form posts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds ``HEADERS`` to every answer and refuses bodies declared larger than
    ``max_body`` bytes with 413 (the form handler also counts what it reads)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in have]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_body:
            await _refuse(send_with_headers, self.max_body)
            return
        await self.app(scope, receive, send_with_headers)


async def _refuse(send: Send, limit: int) -> None:
    body = b'{"error":"request body too large (limit %d bytes)","parameter":null,"problems":[]}'
    body %= limit
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class CsrfTokens:
    """Tokens bound to a cookie value by an HMAC under a per-process secret."""

    COOKIE = "routesieve_csrf"

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)

    def new_cookie(self) -> str:
        return secrets.token_urlsafe(32)

    def token_for(self, cookie: str) -> str:
        return hmac.new(self._secret, cookie.encode(), hashlib.sha256).hexdigest()

    def valid(self, cookie: str | None, token: str | None) -> bool:
        if not cookie or not token:
            return False
        return hmac.compare_digest(self.token_for(cookie), token)


def same_origin(origin: str | None, referer: str | None, host: str | None) -> str | None:
    """None when the request comes from this site, else why it is refused.

    The browser's ``Origin`` (or, without it, ``Referer``) must name the host the request
    was sent to; a post that carries neither is refused too.
    """
    if not host:
        return "no Host header"
    claimed = origin if origin and origin != "null" else referer
    if not claimed:
        return "neither Origin nor Referer says where the form was posted from"
    parts = urlsplit(claimed)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != host.lower():
        return "the form was posted from another site"
    return None


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """``capacity`` requests per client, refilled evenly over ``per_seconds``."""

    MAX_CLIENTS = 100_000

    def __init__(
        self,
        capacity: int,
        per_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.rate = capacity / per_seconds
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Spend one token of ``client``: 0 when allowed, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            b = self._buckets.get(client)
            if b is None:
                if len(self._buckets) >= self.MAX_CLIENTS:
                    self._prune(now)
                b = self._buckets[client] = _Bucket(float(self.capacity), now)
            b.tokens = min(float(self.capacity), b.tokens + (now - b.at) * self.rate)
            b.at = now
            if b.tokens >= 1:
                b.tokens -= 1
                return 0.0
            return (1 - b.tokens) / self.rate

    def _prune(self, now: float) -> None:
        """Forget clients whose bucket has filled up again (they lose nothing)."""
        full = self.capacity / self.rate
        for client in [c for c, b in self._buckets.items() if now - b.at >= full]:
            del self._buckets[client]
        if len(self._buckets) >= self.MAX_CLIENTS:  # a flood of fresh addresses
            self._buckets.clear()
