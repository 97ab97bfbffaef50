"""A local HTTP server for the fetch and sync tests: real files, scriptable misbehaviour.

The server is the standard library's ``ThreadingHTTPServer`` on 127.0.0.1 and a free
port, run in a thread; it is stopped when the ``with`` block ends. Each path is given a
:class:`Route` saying what to send: the bytes of a real file (with an ``ETag`` and
``Last-Modified``, answering ``304`` to a matching conditional GET), a response delayed
past the client's timeout, a body cut short of its ``Content-Length``, an error status,
or a redirect to itself. ``requests`` records every request's path and headers.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECENT = formatdate(time.time() - 3600, usegmt=True)


@dataclass
class Route:
    """What the server sends for one path. ``behaviour`` is one of ``file``, ``slow``,
    ``truncated``, ``status``, ``loop``."""

    behaviour: str = "file"
    data: bytes = b""
    last_modified: str = RECENT
    delay: float = 0.0
    sent: int = 0  # truncated: how many bytes of the body are sent before closing
    code: int = 200
    gate: threading.Barrier | None = None  # file: answer once every route of the gate is asked

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.data).hexdigest()[:16] + '"'


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class HttpLab:
    """The routes and the request log of one running server; ``url(name)`` for a path."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.routes: dict[str, Route] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def file(
        self,
        name: str,
        source: Path | bytes,
        *,
        last_modified: str = RECENT,
        delay: float = 0.0,
        gate: threading.Barrier | None = None,
    ) -> str:
        """Serve the bytes of ``source`` (a real file, or bytes made for a test) at ``name``,
        after ``delay`` seconds; with a ``gate``, only once all the gate's parties are
        being asked at the same time (else 503 when the gate's timeout runs out)."""
        data = source if isinstance(source, bytes) else source.read_bytes()
        self.routes[name] = Route("file", data, last_modified, delay=delay, gate=gate)
        return self.url(name)

    def slow(self, name: str, delay: float) -> str:
        self.routes[name] = Route("slow", b"too late\n", delay=delay)
        return self.url(name)

    def truncated(self, name: str, source: Path, sent: int) -> str:
        self.routes[name] = Route("truncated", source.read_bytes(), sent=sent)
        return self.url(name)

    def status(self, name: str, code: int) -> str:
        self.routes[name] = Route("status", code=code)
        return self.url(name)

    def loop(self, name: str) -> str:
        self.routes[name] = Route("loop")
        return self.url(name)

    def hits(self, name: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.requests if s.path == f"/{name}"]


def _handler(lab: HttpLab) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            return

        def do_GET(self) -> None:
            with lab.lock:
                lab.requests.append(Seen(self.path, dict(self.headers.items())))
            route = lab.routes.get(self.path.lstrip("/"))
            if route is None:
                self._plain(404, b"not found\n")
            elif route.behaviour == "status":
                self._plain(route.code, b"error page\n")
            elif route.behaviour == "loop":
                self.send_response(302)
                self.send_header("Location", self.path)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif route.behaviour == "slow":
                time.sleep(route.delay)
                self._plain(200, route.data)
            elif route.behaviour == "truncated":
                self.send_response(200)
                self.send_header("Content-Length", str(len(route.data)))
                self.end_headers()
                self.wfile.write(route.data[: route.sent])
                self.wfile.flush()
                self.close_connection = True
            else:
                self._file(route)

        def _file(self, route: Route) -> None:
            if self.headers.get("If-None-Match") == route.etag:
                self.send_response(304)
                self.send_header("ETag", route.etag)
                self.end_headers()
                return
            if route.gate is not None:
                try:
                    route.gate.wait()
                except threading.BrokenBarrierError:
                    self._plain(503, b"the other requests of the gate never came\n")
                    return
            time.sleep(route.delay)
            self.send_response(200)
            self.send_header("Content-Length", str(len(route.data)))
            self.send_header("ETag", route.etag)
            self.send_header("Last-Modified", route.last_modified)
            self.end_headers()
            self.wfile.write(route.data)

        def _plain(self, code: int, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (timeout, truncated body) is expected here: stay quiet."""
        return


@contextmanager
def http_lab() -> Iterator[HttpLab]:
    """A running server on 127.0.0.1 (a free port), stopped when the block ends."""
    lab = HttpLab(0)
    server = _Server(("127.0.0.1", 0), _handler(lab))
    lab.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield lab
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
