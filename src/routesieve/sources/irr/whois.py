"""A client for the IRRd whois query protocol (the ``!`` queries), persistent and pipelined.

IRRd (and RADb, NTT, the RIRs' IRRd) answers each ``!`` query with one frame:

* ``A<length>\\n<length bytes of data>C\\n``: data (a member list, prefixes, ...);
* ``C\\n``: success, no data;
* ``D\\n``: the key was not found;
* ``F <message>\\n``: the query failed (unknown source, bad syntax, not supported).

``!!`` keeps the connection open for many queries, and queries may be sent before the
answers of earlier ones are read (pipelining): answers come back in order. That is how
bgpq4 talks to IRRd, and it turns thousands of ``!g AS<n>`` into a few round trips.

Everything a server sends is bounded (answer size, header line length, time per answer),
and anything that does not follow the framing raises :class:`WhoisError` naming the
server and the query, never a bare socket or parsing error.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Sequence
from types import TracebackType

from routesieve.numbers import is_digits

DEFAULT_PORT = 43
MAX_ANSWER = 64 * 1024 * 1024  # bytes of one A-frame
MAX_HEADER = 1024  # bytes of a frame's first line
PIPELINE = 512  # queries sent before their answers are read...
PIPELINE_BYTES = 8192  # ...and at most this many bytes of them: never blocks on sending


class WhoisError(Exception):
    """The server could not be reached, timed out, closed, or sent something unframed."""

    def __init__(self, server: str, query: str | None, message: str) -> None:
        self.server, self.query, self.message = server, query, message
        where = f"{server} (query {query!r})" if query is not None else server
        super().__init__(f"{where}: {message}")


class QueryRefused(WhoisError):
    """The server answered ``F <message>``: it could not run this query."""


class WhoisConnection:
    """One persistent connection to ``host``:``port`` (a name, an IPv4 or IPv6 address).

    ``timeout`` bounds connecting and the wait for each complete answer; ``max_answer``
    the bytes of one answer. Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        timeout: float = 30.0,
        connect_timeout: float | None = None,
        max_answer: int = MAX_ANSWER,
        client_name: str = "routesieve",
    ) -> None:
        self.host, self.port = host, port
        self.server = f"whois://[{host}]:{port}" if ":" in host else f"whois://{host}:{port}"
        self.timeout, self.max_answer = timeout, max_answer
        self._buf = bytearray()
        try:
            self._sock = socket.create_connection(
                (host, port), timeout=connect_timeout if connect_timeout else timeout
            )
        except OSError as exc:
            raise WhoisError(self.server, None, f"cannot connect: {exc}") from None
        self._sock.settimeout(timeout)
        try:
            self.query_many(["!!", f"!n{client_name}"])
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> WhoisConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.sendall(b"!q\n")
        self._sock.close()

    def query(self, query: str) -> str | None:
        """One query: its data (``""`` for a bare ``C``), or None for ``D`` (not found)."""
        return self.query_many([query])[0]

    def query_many(self, queries: Sequence[str]) -> list[str | None]:
        """Several queries, pipelined :data:`PIPELINE` at a time (and
        :data:`PIPELINE_BYTES`, so the queries fit the socket's buffer while the server
        writes its answers); the answers in order.

        ``!!`` gets no answer from the server and gets ``""`` here. An ``F`` answer raises
        :class:`QueryRefused` for the first refused query, once every answer of its batch
        has been read (so the connection can go on).
        """
        answers: list[str | None] = []
        for q in queries:
            if "\n" in q or "\r" in q or not q.isprintable():
                raise WhoisError(self.server, q, "a query must be one printable line")
        for batch in _batches(queries):
            try:
                self._sock.sendall("".join(f"{q}\n" for q in batch).encode())
            except OSError as exc:
                raise WhoisError(self.server, batch[0], f"cannot send: {exc}") from None
            refused: QueryRefused | None = None
            for q in batch:
                try:
                    answers.append("" if q == "!!" else self._answer(q))
                except QueryRefused as exc:  # read the rest: the connection stays in step
                    refused = refused or exc
                    answers.append(None)
            if refused is not None:
                raise refused
        return answers

    def members(self, as_set: str, *, recursive: bool = False) -> list[str] | None:
        """``!i``: the members of a set as written (``recursive``: its ASNs, server-side)."""
        answer = self.query(f"!i{as_set},1" if recursive else f"!i{as_set}")
        return None if answer is None else answer.split()

    def origin_prefixes(self, asn: int, version: int = 4) -> list[str]:
        """``!g AS<n>`` / ``!6 AS<n>``: prefixes of the route (route6) objects of an AS."""
        answer = self.query(f"!gAS{asn}" if version == 4 else f"!6AS{asn}")
        return [] if answer is None else answer.split()

    def set_prefixes(self, as_set: str, version: int = 4) -> list[str]:
        """``!a4`` / ``!a6``: prefixes of every route object of a set's ASes (IRRd 4)."""
        answer = self.query(f"!a{version}{as_set}")
        return [] if answer is None else answer.split()

    def set_sources(self, sources: Sequence[str]) -> None:
        """``!s``: restrict the following queries to these sources, in this order."""
        self.query(f"!s{','.join(sources)}")

    def _answer(self, query: str) -> str | None:
        deadline = time.monotonic() + self.timeout
        header = self._line(query, deadline)
        if header == b"C":
            return ""
        if header == b"D":
            return None
        if header[:1] == b"F":
            raise QueryRefused(self.server, query, _text(header[1:]).strip() or "refused (F)")
        if header[:1] != b"A" or not is_digits(header[1:].decode("latin-1")):
            raise WhoisError(self.server, query, f"not an answer frame: {_text(header)[:80]!r}")
        length = int(header[1:])
        if length > self.max_answer:
            raise WhoisError(
                self.server, query, f"answer of {length} bytes is over the {self.max_answer} limit"
            )
        data = self._exactly(length, query, deadline)
        end = self._line(query, deadline)
        if end != b"C":
            raise WhoisError(
                self.server,
                query,
                f"answer of {length} bytes not followed by C but {_text(end)[:80]!r} "
                "(a length that does not match its data)",
            )
        return _text(data)

    def _fill(self, query: str, deadline: float) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise WhoisError(self.server, query, f"no complete answer within {self.timeout:g} s")
        self._sock.settimeout(left)
        try:
            chunk = self._sock.recv(65536)
        except TimeoutError:
            raise WhoisError(
                self.server, query, f"no complete answer within {self.timeout:g} s"
            ) from None
        except OSError as exc:
            raise WhoisError(self.server, query, f"cannot read: {exc}") from None
        if not chunk:
            raise WhoisError(self.server, query, "the server closed the connection mid-answer")
        self._buf += chunk

    def _line(self, query: str, deadline: float) -> bytes:
        while True:
            end = self._buf.find(b"\n")
            if end >= 0:
                line = bytes(self._buf[:end]).rstrip(b"\r")
                del self._buf[: end + 1]
                return line
            if len(self._buf) > MAX_HEADER:
                raise WhoisError(
                    self.server, query, f"no frame line within {MAX_HEADER} bytes: garbled answer"
                )
            self._fill(query, deadline)

    def _exactly(self, n: int, query: str, deadline: float) -> bytes:
        while len(self._buf) < n:
            self._fill(query, deadline)
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def _batches(queries: Sequence[str]) -> list[Sequence[str]]:
    batches: list[Sequence[str]] = []
    start = size = 0
    for i, q in enumerate(queries):
        if i > start and (i - start >= PIPELINE or size + len(q) + 1 > PIPELINE_BYTES):
            batches.append(queries[start:i])
            start, size = i, 0
        size += len(q) + 1
    if start < len(queries):
        batches.append(queries[start:])
    return batches
