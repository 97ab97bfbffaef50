"""A real StayRTR (Debian package ``stayrtr``) on loopback, and the small servers the RTR
tests put in front of it: a relay that plays a version-0-only cache or cuts the stream
short, and listeners that never answer or send hostile bytes.

Imported by the tests of tests/sources_rtr and by bench/bench_rtr_sync.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from daemon_lab import LabError, free_port, install_debian, wait_until

from routesieve.model import Vrp
from routesieve.sources.rpki import read_vrps


def require_stayrtr() -> None:
    install_debian(["stayrtr"], ["stayrtr"])


def expected(path: Path) -> set[Vrp]:
    """The VRPs of a cache file as an RTR session keys them (no trust anchor, no expiry)."""
    return {v._replace(ta="rtr", expires=None) for v in read_vrps(path).items}


def write_cache(path: Path, roas: list[dict[str, Any]]) -> None:
    """An rpki-client JSON cache file, replaced atomically (StayRTR may be reading it)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"metadata": {"generated": 1690484162}, "roas": roas}))
    os.replace(tmp, path)


@dataclass
class StayRtr:
    """One StayRTR process serving ``cache`` on ``host``:``port``."""

    cache: Path
    log: Path
    host: str = "127.0.0.1"
    args: tuple[str, ...] = ()
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"rtr://{host}:{self.port}"

    def start(self, timeout: float = 20) -> StayRtr:
        self.port = free_port(self.host)
        bind = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        cmd = [
            "stayrtr",
            "-bind",
            bind,
            "-cache",
            str(self.cache),
            "-checktime=false",
            "-metrics.addr",
            f"127.0.0.1:{free_port()}",
            "-log.verbose=false",
            *self.args,
        ]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        wait_until(f"StayRTR listening on {bind}", self._listening, timeout, 0.1)
        return self

    def _listening(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise LabError(f"stayrtr exited {self.proc.returncode}: {self.log.read_text()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), 1):
            return True
        return False

    def stop(self) -> None:
        """SIGKILL: the cache goes away without a word, as a crashed one would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@dataclass
class Listener:
    """A loopback TCP server on a thread; ``serve(conn, index)`` handles each connection."""

    serve: Callable[[socket.socket, int], None]
    host: str = "127.0.0.1"
    connections: int = 0
    _sock: socket.socket = field(init=False)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.bind((self.host, 0))
        self._sock.listen(8)
        self.port: int = self._sock.getsockname()[1]
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._accepting = threading.Thread(target=self._accept, daemon=True)
        self._accepting.start()

    @property
    def url(self) -> str:
        return f"rtr://{self.host}:{self.port}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(10)
            index = self.connections
            self.connections += 1
            worker = threading.Thread(target=self._handle, args=(conn, index), daemon=True)
            self._threads.append(worker)
            worker.start()

    def _handle(self, conn: socket.socket, index: int) -> None:
        with conn, contextlib.suppress(OSError):
            self.serve(conn, index)

    def close(self) -> None:
        self._stop.set()
        self._accepting.join(timeout=5)
        self._sock.close()
        for worker in self._threads:
            worker.join(timeout=5)


def read_exactly(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def relay(
    upstream: tuple[str, int], first: bytes, conn: socket.socket, limit: int | None = None
) -> None:
    """Pass ``first`` and then the client's bytes to ``upstream``, and its answers back,
    until either side closes (or ``limit`` bytes of answers have been passed on)."""
    with socket.create_connection(upstream, timeout=10) as up:
        up.sendall(first)
        passed = 0
        deadline = time.monotonic() + 60
        while (limit is None or passed < limit) and time.monotonic() < deadline:
            ready, _, _ = select.select([up, conn], [], [], 0.5)
            if conn in ready:
                query = conn.recv(65536)
                if not query:
                    return
                up.sendall(query)
            if up in ready:
                chunk = up.recv(65536)
                if not chunk:
                    return
                if limit is not None:
                    chunk = chunk[: limit - passed]
                conn.sendall(chunk)
                passed += len(chunk)


#: The Error Report StayRTR itself sends for a version it does not know (captured from
#: StayRTR 0.5.1): version 0, code 4 "Unsupported Protocol Version", no PDU, its text.
UNSUPPORTED_VERSION = struct.pack("!BBHIII", 0, 10, 4, 37, 0, 21) + b"Bad protocol version\x00"


def version0_only(upstream: tuple[str, int]) -> Callable[[socket.socket, int], None]:
    """A cache that knows only version 0: a version 1 query gets StayRTR's own
    "Unsupported Protocol Version" Error Report and the connection is closed; a version 0
    query is relayed to the real StayRTR at ``upstream``."""

    def serve(conn: socket.socket, index: int) -> None:
        query = read_exactly(conn, 8)
        if query[:1] != b"\x00":
            conn.sendall(UNSUPPORTED_VERSION)
            return
        relay(upstream, query, conn)

    return serve


@contextlib.contextmanager
def listening(
    serve: Callable[[socket.socket, int], None], host: str = "127.0.0.1"
) -> Iterator[Listener]:
    server = Listener(serve, host)
    try:
        yield server
    finally:
        server.close()
