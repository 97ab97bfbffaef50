"""How the application is run: Hypercorn's HTTP/1.1 connections behind a connection cap,
shared by ``routesieve serve``, the tests and the benchmarks.

Why Hypercorn (not uvicorn): uvicorn starts its keep-alive timer only after a first
answer, so a connection that sends nothing, or its headers a line at a time, is kept
for ever, and it has no read timeout. Hypercorn starts its idle timer when the
connection opens and stops it only when the request's headers are complete, so
``header_timeout`` bounds both an idle keep-alive connection and slow headers; its
``read_timeout`` closes a connection silent for that long; and its ``response_headers``
hook puts the security headers on its own answers too (a 400 for a malformed request).

What Hypercorn lacks is done here and in :mod:`routesieve.web.security`: a cap on open
connections, in all and per client address (over it, ``serve`` accepts, answers 503 and
closes at once), a
deadline for a whole request body (``BodyDeadline``), and the per-request limits.
The accept loop hands each connection to Hypercorn's ``TCPServer``, as Hypercorn's own
``worker_serve`` does (version pinned in pyproject.toml: that class is not public API).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

from hypercorn.app_wrappers import ASGIWrapper
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.asyncio.worker_context import WorkerContext
from hypercorn.config import Config
from starlette.types import ASGIApp

from routesieve.web.limits import Limits
from routesieve.web.security import HEADERS, Proxies

log = logging.getLogger("routesieve.web")


SWITCH_INTERVAL = 0.001  # seconds


class _Config(Config):
    """Hypercorn's settings, with the security headers on every answer it writes itself."""

    def response_headers(self, protocol: str) -> list[tuple[bytes, bytes]]:
        return [*super().response_headers(protocol), *HEADERS]


def hypercorn_config(limits: Limits) -> Config:
    config = _Config()
    config.keep_alive_timeout = limits.header_timeout
    config.read_timeout = max(1, round(limits.body_timeout))
    config.include_server_header = False
    config.h11_max_incomplete_size = 16 * 1024
    config.accesslog = None
    config.errorlog = log
    config.graceful_timeout = 3.0
    return config


class _Connection(TCPServer):
    """Hypercorn's connection, which otherwise, once the client has closed, keeps its
    socket and its place under the cap until its idle timer runs out."""

    async def _read_data(self) -> None:
        await super()._read_data()
        await self.idle_task.stop()


BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"retry-after: 5\r\n"
    b"connection: close\r\n"
    + b"".join(k + b": " + v + b"\r\n" for k, v in HEADERS)
    + b"content-length: 45\r\n\r\n"
    b"too many open connections; try again shortly\n"
)


class Server:
    """One listening socket, served until ``stop()``: at most ``limits.max_connections``
    connections at once, and ``limits.max_connections_per_client`` from one address (a
    trusted proxy excepted), each run by Hypercorn's HTTP/1.1 protocol."""

    def __init__(self, app: ASGIApp, host: str, port: int, limits: Limits) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.limits = limits
        self.started = threading.Event()
        self.open_connections = 0
        self.per_address: Counter[str] = Counter()
        self.proxies = Proxies(limits.trusted_proxies)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # inherited by every connection: an answer's head and body are written apart, and
        # with Nagle's algorithm the body would wait for the client's delayed ACK (40 ms)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, self.port))
        sock.setblocking(False)
        return sock

    def run(self, sock: socket.socket | None = None) -> None:
        """Serve until ``stop()`` (or Ctrl-C, SIGTERM); blocks.

        The interpreter switches threads every millisecond (not 5): a heavy request
        computing in its thread then holds up the event loop, and so every small
        request, for less time."""
        sys.setswitchinterval(SWITCH_INTERVAL)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(self.serve(sock or self.bind()))

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)

    async def serve(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        self._loop, self._stop = loop, asyncio.Event()
        config = hypercorn_config(self.limits)
        context = WorkerContext(None)
        wrapped = ASGIWrapper(self.app)  # type: ignore[arg-type]
        tasks: set[asyncio.Task[Any]] = set()

        async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            peer = writer.get_extra_info("peername")
            address = str(peer[0]) if peer else "unknown"
            if self.open_connections >= self.limits.max_connections or (
                self.per_address[address] >= self.limits.max_connections_per_client
                and not self.proxies.trusts(address)
            ):
                with contextlib.suppress(OSError):
                    writer.write(BUSY)
                    writer.close()
                return
            task = asyncio.current_task()
            if task is not None:
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            self.open_connections += 1
            self.per_address[address] += 1
            try:
                await _Connection(wrapped, loop, config, context, {}, reader, writer)
            except asyncio.CancelledError:
                pass  # stopped: the connection is dropped (and no "exception never retrieved")
            finally:
                self.open_connections -= 1
                self.per_address[address] -= 1
                if not self.per_address[address]:
                    del self.per_address[address]

        # a backlog the size of the cap: a burst of connections is not dropped at SYN (and
        # retried a second or more later) before the cap can answer it
        backlog = max(128, min(4096, self.limits.max_connections))
        server = await asyncio.start_server(connected, sock=sock, backlog=backlog)
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):  # stop as Ctrl-C does
                loop.add_signal_handler(signum, self._stop.set)
        self.started.set()
        try:
            with contextlib.suppress(asyncio.CancelledError):
                await self._stop.wait()
        finally:
            await context.terminated.set()
            server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), config.graceful_timeout)
            if tasks:
                await asyncio.wait(list(tasks), timeout=config.graceful_timeout)


@contextlib.contextmanager
def running(app: ASGIApp, port: int, limits: Limits, host: str = "127.0.0.1") -> Iterator[Server]:
    """``app`` served in a thread on ``host:port`` (tests and benchmarks); always stopped."""
    server = Server(app, host, port, limits)
    sock = server.bind()
    thread = threading.Thread(target=server.run, args=(sock,), daemon=True)
    thread.start()
    try:
        if not server.started.wait(30):
            raise RuntimeError(f"the web server on {host}:{port} did not start")
        yield server
    finally:
        server.stop()
        thread.join(timeout=15)
