"""A connection to an RTR cache (TCP, TLS or SSH: :mod:`.transport`) that sends PDUs and
reads them back one at a time.

Reads are buffered (a full sync is about a million 20- or 32-byte PDUs), bounded by a
deadline the caller sets for a whole exchange, and by a maximum PDU length checked from
the header before any of its body is awaited. Every failure raises :class:`RtrError`
naming the server.
"""

from __future__ import annotations

import time

from routesieve.sources.rtr.codec import decode_body, read_header
from routesieve.sources.rtr.errors import RtrError
from routesieve.sources.rtr.pdu import HEADER, ErrorCode, Pdu, PduError
from routesieve.sources.rtr.transport import PLAIN, Transport

_CHUNK = 1 << 18


def server_name(host: str, port: int) -> str:
    """``host:port``, with an IPv6 literal in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


class Connection:
    """One TCP connection; ``deadline`` (a :func:`time.monotonic` value) bounds every read."""

    def __init__(
        self,
        host: str,
        port: int,
        timeout: float,
        max_pdu_length: int,
        *,
        transport: Transport = PLAIN,
    ) -> None:
        self.server = server_name(host, port)
        self.max_pdu_length = max_pdu_length
        self.deadline = time.monotonic() + timeout
        self._buf = bytearray()
        self._pos = 0
        self._seen = 0  # bytes of the stream dropped from the front of _buf
        self.received = 0  # PDUs decoded on this connection
        self._last = (0, 0)
        self._sock = transport.open(host, port, timeout, self.server)

    def close(self) -> None:
        self._sock.close()

    def send(self, data: bytes) -> None:
        try:
            self._sock.settimeout(self._remaining("sending"))
            self._sock.sendall(data)
        except TimeoutError:
            raise RtrError(self.server, "timed out sending a query") from None
        except OSError as exc:
            raise RtrError(self.server, f"connection lost while sending: {exc}") from None

    def _remaining(self, what: str) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise RtrError(self.server, f"timed out {what}")
        return left

    def _fill(self, need: int, what: str) -> None:
        """Read until the buffer holds ``need`` bytes past the read position."""
        while len(self._buf) - self._pos < need:
            try:
                self._sock.settimeout(self._remaining(what))
                chunk = self._sock.recv(_CHUNK)
            except TimeoutError:
                raise RtrError(self.server, f"timed out {what}") from None
            except OSError as exc:
                raise RtrError(self.server, f"connection lost {what}: {exc}") from None
            if not chunk:
                have = len(self._buf) - self._pos
                partial = f" ({have} bytes of a PDU received)" if have else ""
                raise RtrError(
                    self.server,
                    f"connection closed by the server {what}, after {self.received} PDUs" + partial,
                )
            if self._pos > _CHUNK:
                del self._buf[: self._pos]
                self._seen += self._pos
                self._pos = 0
            self._buf += chunk

    def next_pdu(self, what: str) -> Pdu:
        """The next PDU; ``what`` ("waiting for End of Data") goes into error messages."""
        buf, pos = self._buf, self._pos
        try:
            if len(buf) - pos < HEADER:
                self._fill(HEADER, what)
                buf, pos = self._buf, self._pos
            head = read_header(buf, pos, self.max_pdu_length)
            end = pos + head.length
            if len(buf) < end:
                self._fill(head.length, what)
                buf, pos = self._buf, self._pos
                end = pos + head.length
            pdu = decode_body(head, buf, pos)
        except PduError as exc:
            raw = bytes(self._buf[self._pos : self._pos + HEADER])
            raise MalformedPdu(self.server, exc, self._seen + self._pos, raw) from None
        self._last = (pos, end)
        self._pos = end
        self.received += 1
        return pdu

    def last_raw(self) -> bytes:
        """The bytes of the PDU :meth:`next_pdu` returned last (to quote in an Error Report)."""
        start, end = self._last
        return bytes(self._buf[start:end])


class MalformedPdu(RtrError):
    """A PDU that could not be decoded; ``raw`` is its header, to quote back to the cache."""

    def __init__(self, server: str, exc: PduError, at: int, raw: bytes) -> None:
        kind = "" if exc.pdu_type is None else f" of type {exc.pdu_type}"
        super().__init__(
            server, f"malformed PDU{kind} at byte {at} of the stream: {exc.detail}", exc.code
        )
        self.raw = raw


__all__ = ["Connection", "ErrorCode", "MalformedPdu", "RtrError", "server_name"]
