"""A local PeeringDB API that replays the real objects of /work/shared/data/peeringdb.

``PeeringDbReplay`` answers ``GET /api/<obj>?field=…&field__in=…&depth=0`` on 127.0.0.1
(a free port) the way PeeringDB does: ``{"meta": {}, "data": [...]}`` with the objects
whose fields equal the filters (``__in``: any of the comma-separated values; text is
compared without case, as PeeringDB does), only objects whose ``status`` is ``ok``, an
``ETag`` and ``304 Not Modified`` for ``If-None-Match``, a JSON error for an unknown
object or filter field, 414 for a URL over 8 KiB. Every request is recorded
(:attr:`PeeringDbReplay.requests`), so tests can count queries and read headers.

The shared dumps hold ``net``, ``ix``, ``ixlan``, ``ixpfx`` and ``netixlan`` but no
``poc`` (contacts are not public data in those dumps): :func:`synthetic_pocs` makes a
NOC contact for every network, and a Policy contact for the networks with an even id,
each marked ``made for the routesieve tests`` in its name and with ``example.net``
addresses. Tests add or change objects with :meth:`~PeeringDbReplay.overlay` (hostile
strings, IPv4-only networks, the local network's own records) and script faults with
:meth:`~PeeringDbReplay.fail_next`: ``429`` (with ``Retry-After``), ``502`` (an HTML
error page), ``hang`` (no answer until the client gives up), ``truncated`` (JSON cut in
half), ``cut`` (the connection closes mid-body), ``html200`` (a login page with status
200), ``shape`` (JSON that is not an API answer); ``ok`` lets one request through, so a
later request can be the one that fails.
"""

from __future__ import annotations

import functools
import hashlib
import json
import lzma
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

OBJECTS = ("net", "ix", "ixlan", "ixpfx", "netixlan")
SYNTHETIC = "made for the routesieve tests"
HANG_LIMIT = 10.0  # a hanging answer ends after this many seconds at the latest
MAX_URL = 8192
_CONTROL = {"depth", "limit", "skip", "fields"}


@functools.cache
def real_objects(folder: Path) -> dict[str, tuple[dict[str, Any], ...]]:
    """The objects of ``pdb_beta_anon_<obj>.json.xz`` in ``folder``, by object type."""
    out: dict[str, tuple[dict[str, Any], ...]] = {}
    for obj in OBJECTS:
        with lzma.open(folder / f"pdb_beta_anon_{obj}.json.xz") as fh:
            out[obj] = tuple(json.load(fh)["data"])
    return out


def synthetic_pocs(nets: tuple[dict[str, Any], ...]) -> list[dict[str, Any]]:
    """Contacts made for the tests (the dumps have none): NOC for all, Policy for even ids."""
    pocs: list[dict[str, Any]] = []
    for net in nets:
        roles = ["NOC", "Policy"] if net["id"] % 2 == 0 else ["NOC"]
        for n, role in enumerate(roles):
            pocs.append(
                {
                    "id": net["id"] * 10 + n,
                    "net_id": net["id"],
                    "role": role,
                    "visible": "Public",
                    "name": f"{role} contact ({SYNTHETIC})",
                    "phone": "",
                    "email": f"{role.lower()}@as{net['asn']}.example.net",
                    "url": "",
                    "created": "2026-01-01T00:00:00Z",
                    "updated": "2026-01-01T00:00:00Z",
                    "status": "ok",
                }
            )
    return pocs


@dataclass(frozen=True)
class Request:
    path: str
    params: tuple[tuple[str, str], ...]
    headers: dict[str, str]

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.params if k == name), None)


@dataclass
class Fault:
    kind: str
    retry_after: str | None = "0"


@dataclass
class _State:
    objects: dict[str, dict[int, dict[str, Any]]]
    requests: list[Request] = field(default_factory=list)
    faults: deque[Fault] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)


class PeeringDbReplay:
    """The replay server; a context manager that starts and always stops it."""

    def __init__(self, data_dir: Path) -> None:
        real = real_objects(data_dir)
        objects = {obj: {o["id"]: dict(o) for o in real[obj]} for obj in OBJECTS}
        objects["poc"] = {p["id"]: p for p in synthetic_pocs(real["net"])}
        self.state = _State(objects)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api"

    @property
    def requests(self) -> list[Request]:
        with self.state.lock:
            return list(self.state.requests)

    def __enter__(self) -> PeeringDbReplay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def overlay(self, obj: str, *items: dict[str, Any]) -> None:
        """Add objects, or replace those with the same id (fields not given are kept)."""
        with self.state.lock:
            table = self.state.objects[obj]
            for item in items:
                table[item["id"]] = {**table.get(item["id"], {}), "status": "ok", **item}

    def remove(self, obj: str, obj_id: int) -> None:
        with self.state.lock:
            self.state.objects[obj].pop(obj_id, None)

    def find(self, obj: str, **fields: Any) -> list[dict[str, Any]]:
        with self.state.lock:
            return [
                o
                for o in self.state.objects[obj].values()
                if all(o.get(k) == v for k, v in fields.items())
            ]

    def fail_next(self, kind: str, count: int = 1, retry_after: str | None = "0") -> None:
        with self.state.lock:
            self.state.faults.extend(Fault(kind, retry_after) for _ in range(count))

    def clear_requests(self) -> None:
        with self.state.lock:
            self.state.requests.clear()


def _matches(obj: dict[str, Any], key: str, wanted: list[str]) -> bool:
    value = obj.get(key)
    text = str(value).lower() if not isinstance(value, bool) else str(int(value))
    return text in (w.lower() for w in wanted)


def _handler(state: _State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: tests read state.requests instead

        def _send(self, status: int, body: bytes, kind: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, doc: Any, **headers: str) -> None:
            self._send(status, json.dumps(doc).encode(), "application/json", **headers)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = tuple(parse_qsl(url.query, keep_blank_values=True))
            with state.lock:
                state.requests.append(Request(url.path, params, dict(self.headers.items())))
                fault = state.faults.popleft() if state.faults else None
            if fault is not None and self._fault(fault):
                return
            if len(self.path) > MAX_URL:
                self._send(
                    414, b"<html><title>414 Request-URI Too Large</title></html>", "text/html"
                )
                return
            parts = url.path.strip("/").split("/")
            if len(parts) != 2 or parts[0] != "api" or parts[1] not in state.objects:
                self._json(404, {"meta": {"error": f"Unknown object {url.path}"}, "data": []})
                return
            with state.lock:
                rows = [o for o in state.objects[parts[1]].values() if o.get("status") == "ok"]
            known = set().union(*(o.keys() for o in rows)) if rows else set()
            for key, value in params:
                if key in _CONTROL:
                    continue
                name = key.removesuffix("__in")
                if rows and name not in known:
                    self._json(400, {"meta": {"error": f"unknown filter field {key}"}, "data": []})
                    return
                wanted = value.split(",") if key.endswith("__in") else [value]
                rows = [o for o in rows if _matches(o, name, wanted)]
            rows.sort(key=lambda o: o["id"])
            body = json.dumps({"meta": {}, "data": rows}).encode()
            etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if fault is not None and fault.kind == "truncated":
                body = body[: len(body) // 2]
            if fault is not None and fault.kind == "cut":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self._send(200, body, "application/json", ETag=etag)

        def _fault(self, fault: Fault) -> bool:
            """Answer with the fault; False for faults applied to a real answer."""
            if fault.kind == "429":
                extra = {"Retry_After": fault.retry_after} if fault.retry_after else {}
                self._json(429, {"message": "Request was throttled."}, **extra)
            elif fault.kind == "502":
                page = (
                    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                    b"<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
                )
                self._send(502, page, "text/html")
            elif fault.kind == "html200":
                page = b"<!DOCTYPE html><html><head><title>Login</title></head></html>"
                self._send(200, page, "text/html; charset=utf-8")
            elif fault.kind == "shape":
                self._json(200, [1, 2, 3])
            elif fault.kind == "hang":
                state.stopping.wait(HANG_LIMIT)
                self.close_connection = True
            else:
                return False
            return True

    return Handler


@pytest.fixture
def peeringdb(shared_data: Path) -> Iterator[PeeringDbReplay]:
    """A replay server of the shared PeeringDB dumps, fresh for each test."""
    with PeeringDbReplay(shared_data / "peeringdb") as server:
        yield server
