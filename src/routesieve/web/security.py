"""Protections of the web layer: headers on every answer, the Host and proxy checks,
request limits, CSRF tokens bound to a cookie, an Origin/Referer check, token buckets.

- ``HEADERS``: ``X-Content-Type-Options: nosniff``, a CSP of ``default-src 'self'`` (no
  inline script or style, no framing, forms only to this site), ``X-Frame-Options``,
  ``Referrer-Policy``. The server (:mod:`routesieve.web.server`) writes them on every
  answer, its own included; ``Guard`` adds ``Strict-Transport-Security`` over HTTPS.
- ``Guard`` (ASGI middleware), in this order: believes ``X-Forwarded-For``/``-Proto``
  only from ``trusted_proxies``; answers 421 to a Host not in ``hosts``; 413 to a body
  declared over the limit (HTML for the form, JSON for the API); 429 past the client's
  API rate; queues heavy API requests (at most ``heavy_concurrency`` run, ``heavy_queue``
  wait, the rest get 503 with ``Retry-After``); 408 when a body is not in within
  ``body_timeout``; a client gone mid-request is one info line.
- ``CsrfTokens``: the cookie holds a random value; the form's token is its HMAC under a
  secret made per process (so a token from another server, or an older process, fails).
  A cross-site page can neither read the cookie nor compute the token, and the cookie is
  ``SameSite=Strict``.
- ``RateLimiter``: a token bucket per client address, in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import ipaddress
import logging
import re
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import urlsplit

from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from routesieve.web.errors import error_response
from routesieve.web.limits import Limits
from routesieve.web.pages import page

log = logging.getLogger("routesieve.web")

CSP = "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)
HSTS = (b"strict-transport-security", b"max-age=31536000")
#: the API requests whose cost grows with the data: a routes listing, an explanation
HEAVY = re.compile(r"/api/v1/peers/[^/]+/routes(/[^/]+/explanation)?/?")
BUSY_RETRY = 5  # seconds, in Retry-After of a 503 when the heavy queue is full


def host_name(host: str) -> str:
    """``Example.NET:8080`` -> ``example.net``; ``[::1]:80`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and ":" not in name:
        host = name
    return host.rstrip(".")


class Proxies:
    """The addresses (or networks) of the reverse proxies whose forwarded headers count."""

    def __init__(self, trusted: Iterable[str]) -> None:
        self.networks = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def trusts(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in n for n in self.networks)

    def resolve(self, peer: str, headers: dict[bytes, bytes]) -> tuple[str, str | None]:
        """(the client's address, the scheme it used or None) for a connection from
        ``peer``: the forwarded headers only when ``peer`` is a trusted proxy; the client
        is the nearest address in ``X-Forwarded-For`` that is not a trusted proxy."""
        if not self.networks or not self.trusts(peer):
            return peer, None
        chain = [
            a.strip() for a in headers.get(b"x-forwarded-for", b"").decode("latin-1").split(",")
        ]
        client = peer
        for address in reversed([a for a in chain if a]):
            try:
                client = str(ipaddress.ip_address(address))
            except ValueError:
                break  # not an address: stop believing the chain here
            if not self.trusts(client):
                break
        proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").split(",")[-1]
        proto = proto.strip().lower()
        return client, proto if proto in ("http", "https") else None


class HeavyGate:
    """At most ``running`` heavy requests at once, ``queue`` more waiting; None when full."""

    def __init__(self, running: int, queue: int) -> None:
        self.slots = asyncio.Semaphore(running)
        self.queue = queue
        self.waiting = 0

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[bool]:
        if self.slots.locked() and self.waiting >= self.queue:
            yield False
            return
        self.waiting += 1
        try:
            await self.slots.acquire()
        finally:
            self.waiting -= 1
        try:
            yield True
        finally:
            self.slots.release()


class BodyTooSlow(Exception):
    """The request's body did not arrive within the body timeout."""


class Guard:
    """Every request passes here first (see the module's description)."""

    def __init__(self, app: ASGIApp, limits: Limits, max_body: int) -> None:
        self.app = app
        self.limits = limits
        self.max_body = max_body
        self.hosts = frozenset(host_name(h) for h in limits.hosts)
        self.proxies = Proxies(limits.trusted_proxies)
        self.api_rate = RateLimiter(limits.api_per_minute, 60.0)
        self.heavy = HeavyGate(limits.heavy_concurrency, limits.heavy_queue)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        peer, port = scope.get("client") or ("unknown", 0)
        client, proto = self.proxies.resolve(peer, headers)
        scope = {**scope, "client": (client, port), "scheme": proto or scope["scheme"]}
        path: str = scope["path"]
        https = scope["scheme"] == "https"
        started = False
        expects_body = declared_length(headers) != 0 or b"transfer-encoding" in headers
        body = _Body(receive, self.limits.body_timeout, expects_body)

        async def send_more(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                have = [k.lower() for k, _ in message.get("headers", [])]
                more = [HSTS] if https else []
                if not body.complete and b"connection" not in have:
                    more.append((b"connection", b"close"))  # the body is unread: no next request
                message["headers"] = [*message.get("headers", []), *more]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                body.discard_rest()  # before: the server closes the stream as the answer ends
            await send(message)

        host = host_name(headers.get(b"host", b"").decode("latin-1"))
        if host not in self.hosts:
            await _answer(scope, send_more, 421, f"this server does not answer for host {host!r}")
            return
        declared = declared_length(headers)
        if declared is None or declared > self.max_body:
            message = f"request body too large (limit {self.max_body} bytes)"
            await _answer(scope, send_more, 413, message, {"connection": "close"})
            return
        if path.startswith("/api/"):
            wait = self.api_rate.take(client)
            if wait:
                retry = {"retry-after": str(int(wait) + 1)}
                await _answer(scope, send_more, 429, "too many API requests", retry)
                return
        try:
            if HEAVY.fullmatch(path):
                async with self.heavy.slot() as allowed:
                    if not allowed:
                        retry = {"retry-after": str(BUSY_RETRY)}
                        await _answer(scope, send_more, 503, "the server is busy", retry)
                        return
                    await self.app(scope, body.receive, send_more)
            else:
                await self.app(scope, body.receive, send_more)
        except BodyTooSlow:
            log.info("%s sent its request body too slowly (%s %s)", client, scope["method"], path)
            if not started:
                message = f"the request body did not arrive within {self.limits.body_timeout:g} s"
                await _answer(scope, send_more, 408, message, {"connection": "close"})
        except ClientDisconnect:
            log.info(
                "%s went away before its request was read (%s %s)", client, scope["method"], path
            )
        finally:
            body.discard_rest()


def declared_length(headers: dict[bytes, bytes]) -> int | None:
    """The request's ``Content-Length`` (0 without one), None when it is not a number."""
    value = headers.get(b"content-length", b"0").strip()
    return int(value) if value.isdigit() and len(value) <= 20 else None


class _Body:
    """The request's ``receive``, refusing to wait past ``timeout`` from now for the body.

    A body the application left unread is drained in the background until the server
    closes the connection: Hypercorn queues body chunks for the application and, with
    that queue full, would wait for ever to tell it of the disconnect.
    """

    DRAINING: ClassVar[set[asyncio.Task[None]]] = set()

    def __init__(self, receive: Receive, timeout: float, expected: bool) -> None:
        self._receive = receive
        self._loop = asyncio.get_running_loop()
        self._end = self._loop.time() + timeout
        self.complete = not expected
        self.draining = False

    async def receive(self) -> Message:
        if self.complete:
            return await self._receive()
        try:
            message = await asyncio.wait_for(
                self._receive(), max(0.0, self._end - self._loop.time())
            )
        except TimeoutError:
            raise BodyTooSlow from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.complete = True
        return message

    def discard_rest(self) -> None:
        if self.complete or self.draining:
            return
        self.draining = True

        async def drain() -> None:
            while (await self._receive())["type"] == "http.request":
                pass

        task = self._loop.create_task(drain())
        self.DRAINING.add(task)
        task.add_done_callback(self.DRAINING.discard)


async def _answer(
    scope: Scope, send: Send, status: int, message: str, headers: dict[str, str] | None = None
) -> None:
    """An answer of the guard: JSON under /api/, an HTML page elsewhere."""
    response: Response
    if scope["path"].startswith("/api/"):
        response = error_response(status, message, None, None, headers)
    else:
        heading = {413: "Too large", 421: "Wrong host", 429: "Too many requests"}.get(
            status, "Refused"
        )
        response = page("refused.html", status, headers, heading=heading, message=message)

    async def nothing() -> Message:
        return {"type": "http.disconnect"}

    await response(scope, nothing, send)


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


def same_origin(origin: str | None, referer: str | None, hosts: Iterable[str]) -> str | None:
    """None when the request comes from this site, else why it is refused.

    The browser's ``Origin`` (or, without it, ``Referer``) must name one of ``hosts``, the
    names this server answers to (never the request's own Host, which a page that
    rebinds a DNS name controls); a post that carries neither is refused too.
    """
    claimed = origin if origin and origin != "null" else referer
    if not claimed:
        return "neither Origin nor Referer says where the form was posted from"
    try:
        parts = urlsplit(claimed)
        name = parts.hostname
    except ValueError:
        return "the form was posted from another site"
    allowed = {host_name(h) for h in hosts}
    if parts.scheme not in ("http", "https") or not name or host_name(name) not in allowed:
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

    def peek(self, client: str) -> float:
        """0 when ``client`` has a token left, else the seconds until it has (nothing spent)."""
        now = self.clock()
        with self._lock:
            b = self._buckets.get(client)
            if b is None:
                return 0.0
            tokens = min(float(self.capacity), b.tokens + (now - b.at) * self.rate)
            return 0.0 if tokens >= 1 else (1 - tokens) / self.rate

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
