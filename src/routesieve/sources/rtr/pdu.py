"""The PDUs of the RPKI-to-Router protocol: version 2 (draft-ietf-sidrops-8210bis, with
ASPA), version 1 (RFC 8210) and version 0 (RFC 6810).

Plain values, one class per PDU type, plus the error codes and the error a malformed PDU
raises; :mod:`routesieve.sources.rtr.codec` turns them into bytes and back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from routesieve.model import Prefix

__all__ = [
    "HEADER",
    "VERSIONS",
    "AspaPdu",
    "CacheReset",
    "CacheResponse",
    "EndOfData",
    "ErrorCode",
    "ErrorReport",
    "Header",
    "Pdu",
    "PduError",
    "PduType",
    "PrefixPdu",
    "ResetQuery",
    "RouterKey",
    "SerialNotify",
    "SerialQuery",
]

HEADER = 8
VERSIONS = (0, 1, 2)


class PduType(enum.IntEnum):
    SERIAL_NOTIFY = 0
    SERIAL_QUERY = 1
    RESET_QUERY = 2
    CACHE_RESPONSE = 3
    IPV4_PREFIX = 4
    IPV6_PREFIX = 6
    END_OF_DATA = 7
    CACHE_RESET = 8
    ROUTER_KEY = 9
    ERROR_REPORT = 10
    ASPA = 11


class ErrorCode(enum.IntEnum):
    """The error codes of RFC 8210 §12 (0-7 also in RFC 6810)."""

    CORRUPT_DATA = 0
    INTERNAL_ERROR = 1
    NO_DATA_AVAILABLE = 2
    INVALID_REQUEST = 3
    UNSUPPORTED_PROTOCOL_VERSION = 4
    UNSUPPORTED_PDU_TYPE = 5
    WITHDRAWAL_OF_UNKNOWN_RECORD = 6
    DUPLICATE_ANNOUNCEMENT_RECEIVED = 7
    UNEXPECTED_PROTOCOL_VERSION = 8

    @property
    def label(self) -> str:
        """The name as RFC 8210 writes it: "No Data Available"."""
        return self.name.replace("_", " ").title().replace("Pdu", "PDU").replace("Of", "of")


class PduError(ValueError):
    """Bytes that are not a well-formed RTR PDU; the message says what, where and why."""

    def __init__(
        self,
        message: str,
        *,
        offset: int = 0,
        pdu_type: int | None = None,
        code: ErrorCode = ErrorCode.CORRUPT_DATA,
    ) -> None:
        self.detail = message
        self.offset = offset
        self.pdu_type = pdu_type
        self.code = code  # what an Error Report about these bytes would say
        what = f"PDU type {pdu_type} ({_type_name(pdu_type)})" if pdu_type is not None else "PDU"
        super().__init__(f"{what} at offset {offset}: {message}")


@dataclass(frozen=True, slots=True)
class SerialNotify:
    version: int
    session_id: int
    serial: int


@dataclass(frozen=True, slots=True)
class SerialQuery:
    version: int
    session_id: int
    serial: int


@dataclass(frozen=True, slots=True)
class ResetQuery:
    version: int


@dataclass(frozen=True, slots=True)
class CacheResponse:
    version: int
    session_id: int


class PrefixPdu(NamedTuple):
    """IPv4 Prefix or IPv6 Prefix PDU (by ``prefix.version``); ``announce`` is flags bit 0.

    A named tuple: a full sync decodes about a million of them.
    """

    version: int
    announce: bool
    prefix: Prefix
    max_length: int
    asn: int


@dataclass(frozen=True, slots=True)
class EndOfData:
    """End of Data; the three intervals (seconds) exist from version 1 on, None in v0."""

    version: int
    session_id: int
    serial: int
    refresh: int | None = None
    retry: int | None = None
    expire: int | None = None


@dataclass(frozen=True, slots=True)
class CacheReset:
    version: int


@dataclass(frozen=True, slots=True)
class RouterKey:
    """A BGPsec router key (version 1 only): Subject Key Identifier, ASN, SPKI."""

    version: int
    announce: bool
    ski: bytes
    asn: int
    spki: bytes


@dataclass(frozen=True, slots=True)
class AspaPdu:
    """An ASPA PDU (version 2 only), in one of two layouts.

    ``afi_layout`` True: as draft-ietf-sidrops-8210bis-10 has it and StayRTR 0.5.1 sends
    it: after the header (whose 16-bit field is zero) one byte of flags (bit 0: announce),
    one byte of AFI flags (bit 0: IPv6 when set, else IPv4), the 16-bit provider count,
    the customer ASN and the provider ASNs, 32 bits each. False: the later revisions'
    layout: the flags in the header's first field byte, then the customer ASN and the
    providers, no AFI and no count (a withdrawal is 12 bytes).

    ``ipv6`` is the AFI flag (False in the later layout); the records of both families are
    merged by the reader, since the current ASPA profile has no AFI."""

    version: int
    announce: bool
    ipv6: bool
    customer: int
    providers: tuple[int, ...]
    afi_layout: bool = True


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """An Error Report: ``code`` (an :class:`ErrorCode` when known), the PDU in error as
    raw bytes (may be empty) and the diagnostic text (may be empty)."""

    version: int
    code: int
    pdu: bytes = b""
    text: str = ""

    def describe(self) -> str:
        """ "No Data Available (2): text" for messages."""
        try:
            name = ErrorCode(self.code).label
        except ValueError:
            name = "unknown error code"
        return f"{name} ({self.code})" + (f": {self.text}" if self.text else "")


Pdu = (
    SerialNotify
    | SerialQuery
    | ResetQuery
    | CacheResponse
    | PrefixPdu
    | EndOfData
    | CacheReset
    | RouterKey
    | ErrorReport
    | AspaPdu
)


class Header(NamedTuple):
    version: int
    pdu_type: PduType
    field: int  # session id, flags/zero, or error code
    length: int


def _type_name(pdu_type: int | None) -> str:
    if pdu_type is None:
        return "unknown"
    try:
        return PduType(pdu_type).name.replace("_", " ").title().replace("Ipv", "IPv")
    except ValueError:
        return "unknown"
