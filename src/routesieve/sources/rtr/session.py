"""The router side of RTR: a session with one cache that keeps a VRP set up to date.

:meth:`RtrSession.reset` sends a Reset Query and reads Cache Response, the prefixes and
End of Data; :meth:`RtrSession.refresh` sends a Serial Query and applies the
announcements and withdrawals (flags bit 0) the cache sends, or starts over when the
cache answers Cache Reset. A response is applied only when its End of Data has arrived
and every PDU in it was consistent, so a session that fails keeps its last good set.

Version negotiation (RFC 8210 §7, draft-ietf-sidrops-8210bis §7): the session asks for
version 2, the one with ASPA PDUs; a cache that answers in a lower version (StayRTR
``-protocol 1`` answers a version 2 query in version 1) is followed down, and a cache
that answers "Unsupported Protocol Version" is asked again, on a new connection, in the
version it reported, as long as that is lower (2, then 1, then 0). Below version 2 a
cache sends no ASPA: ``aspas`` stays empty and ``version`` says why.
Everything is bounded: one ``timeout`` for each exchange, ``max_pdu_length`` for the
variable-length PDUs, and ``max_vrps`` for the size of the set.
"""

from __future__ import annotations

import contextlib
import time
from typing import NoReturn, Self

from routesieve.model import Vrp
from routesieve.sources.rtr.codec import encode
from routesieve.sources.rtr.pdu import (
    AspaPdu,
    CacheReset,
    CacheResponse,
    EndOfData,
    ErrorCode,
    ErrorReport,
    Pdu,
    PrefixPdu,
    ResetQuery,
    RouterKey,
    SerialNotify,
    SerialQuery,
)
from routesieve.sources.rtr.stream import Connection, MalformedPdu, RtrError, server_name
from routesieve.sources.rtr.sync_state import DEFAULT_TIMERS, TA, Delta, SyncResult, Timers
from routesieve.sources.rtr.transport import PLAIN, Transport


class RtrSession:
    """A router's session with one RTR cache (``host`` a name or an IPv4/IPv6 literal).

    ``transport`` says how the cache is reached (:mod:`.transport`: TCP, TLS or SSH).
    Use as a context manager, or call :meth:`close`. ``vrps`` is the current set (each a
    :class:`Vrp` with ``ta="rtr"``, so that the set is keyed by prefix, max length, ASN);
    ``router_keys`` the BGPsec router keys as (SKI, ASN, SPKI); ``aspas`` the providers of
    each (customer ASN, IPv6 flag) from ASPA PDUs (version 2 only; an announcement
    replaces the customer's earlier one, as draft-ietf-sidrops-8210bis says).
    """

    def __init__(
        self,
        host: str,
        port: int,
        *,
        version: int = 2,
        timeout: float = 30.0,
        max_pdu_length: int = 65535,
        max_vrps: int = 10_000_000,
        transport: Transport = PLAIN,
    ) -> None:
        self.host = host
        self.transport = transport
        self.port = port
        self.server = server_name(host, port)
        self.version = version
        self.timeout = timeout
        self.max_pdu_length = max_pdu_length
        self.max_vrps = max_vrps
        self.session_id: int | None = None
        self.serial: int | None = None
        self.timers = Timers(*DEFAULT_TIMERS)
        self.vrps: set[Vrp] = set()
        self.router_keys: set[tuple[bytes, int, bytes]] = set()
        self.aspas: dict[tuple[int, bool], tuple[int, ...]] = {}
        self.notified: SerialNotify | None = None
        self._conn: Connection | None = None
        self._deadline = 0.0  # time.monotonic() by which the current exchange must end
        self._negotiated = False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _connection(self) -> Connection:
        """The connection (made if need be), its reads bounded by the current deadline."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise RtrError(self.server, f"timed out after {self.timeout:g} s")
        if self._conn is None:
            self._conn = Connection(
                self.host, self.port, left, self.max_pdu_length, transport=self.transport
            )
        self._conn.deadline = self._deadline
        return self._conn

    def reset(self) -> SyncResult:
        """Fetch the whole set (Reset Query), replacing the current one when it is complete.

        ``timeout`` bounds it all: connecting, a version fallback, and every PDU."""
        self._deadline = time.monotonic() + self.timeout
        while True:
            try:
                return self._exchange(ResetQuery(self.version))
            except _Downgrade as down:  # the version strictly falls: at most two rounds
                self.close()
                self.version = down.version

    def refresh(self) -> SyncResult:
        """Bring the set up to date with a Serial Query (after a :meth:`reset`)."""
        if self.session_id is None or self.serial is None:
            raise RtrError(self.server, "refresh before a first reset: no session id and serial")
        self._deadline = time.monotonic() + self.timeout
        return self._exchange(SerialQuery(self.version, self.session_id, self.serial))

    def wait_for_notify(self, timeout: float) -> SerialNotify | None:
        """Wait up to ``timeout`` seconds for a Serial Notify; None when none came."""
        self._deadline = time.monotonic() + timeout
        conn = self._connection()
        try:
            pdu = conn.next_pdu("waiting for a Serial Notify")
        except MalformedPdu as exc:
            self._fail(exc.code, exc.message, exc.raw)
        except RtrError as exc:
            if exc.message.startswith("timed out"):
                return None
            self.close()
            raise
        if isinstance(pdu, SerialNotify):
            self.notified = pdu
            return pdu
        if isinstance(pdu, ErrorReport):
            self.close()
            raise RtrError(self.server, f"the cache sent {pdu.describe()}", pdu.code)
        self._fail(ErrorCode.INVALID_REQUEST, f"unexpected {type(pdu).__name__} PDU", b"")

    def _exchange(self, query: ResetQuery | SerialQuery) -> SyncResult:
        conn = self._connection()
        conn.send(encode(query))
        try:
            return self._read_response(conn, query)
        except MalformedPdu as exc:
            self._fail(exc.code, exc.message, exc.raw)
        except RtrError:
            self.close()
            raise

    def _read_response(self, conn: Connection, query: ResetQuery | SerialQuery) -> SyncResult:
        resetting = isinstance(query, ResetQuery)
        what = "waiting for a Cache Response"
        while True:
            pdu = self._check_version(conn.next_pdu(what), conn)
            if isinstance(pdu, SerialNotify):
                self.notified = pdu  # may cross our query; nothing to do
                continue
            if isinstance(pdu, CacheReset) and not resetting:
                return self._exchange(ResetQuery(self.version))
            if isinstance(pdu, CacheResponse):
                if not resetting and pdu.session_id != self.session_id:
                    self._fail(
                        ErrorCode.CORRUPT_DATA,
                        f"Cache Response for session {pdu.session_id}, "
                        f"but this session is {self.session_id}",
                        conn.last_raw(),
                    )
                return self._read_payload(conn, pdu.session_id, resetting)
            self._fail(
                ErrorCode.INVALID_REQUEST,
                f"expected a Cache Response, got {type(pdu).__name__}",
                conn.last_raw(),
            )

    def _check_version(self, pdu: Pdu, conn: Connection) -> Pdu:
        """Negotiate on the first PDU of the session; afterwards the version is fixed."""
        if isinstance(pdu, ErrorReport):
            if (
                pdu.code == ErrorCode.UNSUPPORTED_PROTOCOL_VERSION
                and not self._negotiated
                and pdu.version < self.version
            ):
                raise _Downgrade(pdu.version)
            self.close()
            raise RtrError(self.server, f"the cache sent {pdu.describe()}", pdu.code)
        if pdu.version != self.version:
            if not self._negotiated and pdu.version < self.version:
                self.version = pdu.version  # RFC 8210 §7: follow a version 0 cache
            else:
                self._fail(
                    ErrorCode.UNEXPECTED_PROTOCOL_VERSION,
                    f"a version {pdu.version} PDU in a version {self.version} session",
                    conn.last_raw(),
                )
        self._negotiated = True
        return pdu

    def _read_payload(self, conn: Connection, session_id: int, resetting: bool) -> SyncResult:
        vrps = Delta(set() if resetting else self.vrps)
        keys = Delta(set() if resetting else self.router_keys)
        aspas = {} if resetting else dict(self.aspas)
        what = "waiting for End of Data"
        next_pdu, version, limit = conn.next_pdu, self.version, self.max_vrps
        room = limit - len(vrps.base)  # a cheap test first: the set can outgrow only by adding
        while True:
            pdu = next_pdu(what)
            if type(pdu) is PrefixPdu and pdu[0] == version:  # the hot path: ~1M of them
                vrp = Vrp(pdu.prefix, pdu.max_length, pdu.asn, TA)
                if pdu.announce:
                    if not vrps.announce(vrp):
                        self._duplicate(f"{vrp.prefix}-{vrp.max_length} AS{vrp.asn}", conn)
                    if len(vrps.added) > room and vrps.size > limit:
                        self._fail(
                            ErrorCode.INTERNAL_ERROR,
                            f"more than {limit} VRPs (the configured maximum)",
                            b"",
                        )
                elif not vrps.withdraw(vrp):
                    self._unknown(f"{vrp.prefix}-{vrp.max_length} AS{vrp.asn}", conn)
                continue
            pdu = self._check_version(pdu, conn)
            if isinstance(pdu, RouterKey):
                key = (pdu.ski, pdu.asn, pdu.spki)
                if pdu.announce and not keys.announce(key):
                    self._duplicate(f"router key of AS{pdu.asn}", conn)
                if not pdu.announce and not keys.withdraw(key):
                    self._unknown(f"router key of AS{pdu.asn}", conn)
            elif isinstance(pdu, AspaPdu):
                customer = (pdu.customer, pdu.ipv6)
                if pdu.announce:
                    aspas[customer] = pdu.providers
                elif aspas.pop(customer, None) is None:
                    self._unknown(f"ASPA of AS{pdu.customer}", conn)
            elif isinstance(pdu, EndOfData):
                if pdu.session_id != session_id:
                    self._fail(
                        ErrorCode.CORRUPT_DATA,
                        f"End of Data for session {pdu.session_id} in session {session_id}",
                        conn.last_raw(),
                    )
                self.aspas = aspas
                return self._finish(pdu, vrps, keys, resetting)
            elif isinstance(pdu, SerialNotify):
                self.notified = pdu
            else:
                self._fail(
                    ErrorCode.INVALID_REQUEST,
                    f"unexpected {type(pdu).__name__} before End of Data",
                    conn.last_raw(),
                )

    def _finish(
        self,
        end: EndOfData,
        vrps: Delta[Vrp],
        keys: Delta[tuple[bytes, int, bytes]],
        resetting: bool,
    ) -> SyncResult:
        vrps.apply()
        keys.apply()
        self.vrps, self.router_keys = vrps.base, keys.base
        self.session_id, self.serial = end.session_id, end.serial
        if end.refresh is not None and end.retry is not None and end.expire is not None:
            self.timers = Timers(end.refresh, end.retry, end.expire)
        return SyncResult(
            resetting, vrps.announced, vrps.withdrawn, end.session_id, end.serial, self.version
        )

    def _duplicate(self, what: str, conn: Connection) -> None:
        code = ErrorCode.DUPLICATE_ANNOUNCEMENT_RECEIVED
        self._fail(code, f"duplicate announcement of {what}", conn.last_raw())

    def _unknown(self, what: str, conn: Connection) -> None:
        code = ErrorCode.WITHDRAWAL_OF_UNKNOWN_RECORD
        self._fail(code, f"withdrawal of unknown {what}", conn.last_raw())

    def _fail(self, code: int | None, message: str, raw: bytes) -> NoReturn:
        """Tell the cache what went wrong (best effort), drop the connection, and raise."""
        if self._conn is not None and code is not None:
            report = ErrorReport(self.version, code, raw, message)
            with contextlib.suppress(RtrError):
                self._conn.send(encode(report))
        self.close()
        raise RtrError(self.server, message, code)


class _Downgrade(Exception):
    def __init__(self, version: int) -> None:
        self.version = version
