"""The RTR PDU codec: every PDU type round-trips in version 0, 1 and 2, the bytes are the
RFC layouts (and, for ASPA, the bytes StayRTR 0.5.1 sends), and hostile bytes give errors
naming the PDU type, length and offset."""

from __future__ import annotations

import struct
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rtr_lab import UNSUPPORTED_VERSION

from routesieve.model import Prefix
from routesieve.sources.rtr.codec import decode, encode, read_header
from routesieve.sources.rtr.pdu import (
    AspaPdu,
    CacheReset,
    CacheResponse,
    EndOfData,
    ErrorCode,
    ErrorReport,
    Pdu,
    PduError,
    PrefixPdu,
    ResetQuery,
    RouterKey,
    SerialNotify,
    SerialQuery,
)

V4 = PrefixPdu(1, True, Prefix.parse("192.0.2.0/24"), 24, 64500)
V6 = PrefixPdu(0, False, Prefix.parse("2001:db8::/32"), 48, 4200000000)
KEY = RouterKey(1, True, bytes(range(20)), 64500, b"\x30\x59" + bytes(89))
ASPA = AspaPdu(2, True, False, 15562, (2914, 8283, 51088, 206238))
SAMPLES: list[Pdu] = [
    SerialNotify(1, 4321, 77),
    SerialQuery(0, 4321, 2**32 - 1),
    ResetQuery(1),
    CacheResponse(0, 65535),
    V4,
    V6,
    EndOfData(0, 9, 12),
    EndOfData(1, 9, 12, 3600, 600, 7200),
    CacheReset(1),
    KEY,
    ASPA,
    AspaPdu(2, False, True, 64496, ()),
    AspaPdu(2, True, False, 64496, (1299, 6939), afi_layout=False),
    AspaPdu(2, False, False, 64496, (), afi_layout=False),
    EndOfData(2, 9, 12, 3600, 600, 7200),
    ErrorReport(1, ErrorCode.NO_DATA_AVAILABLE, b"", "No data available"),
    ErrorReport(0, ErrorCode.CORRUPT_DATA, encode(V4), "bad prefix ✗"),
]


@pytest.mark.parametrize("pdu", SAMPLES, ids=lambda p: f"{type(p).__name__}-v{p.version}")
def test_every_pdu_round_trips(pdu: Pdu) -> None:
    data = encode(pdu)
    assert decode(data) == (pdu, len(data))
    assert read_header(data).length == len(data)


def test_bytes_are_the_rfc_layouts() -> None:
    assert encode(ResetQuery(1)) == bytes.fromhex("0102000000000008")
    assert encode(V4) == bytes.fromhex("0104000000000014" + "01181800" + "c0000200" + "0000fbf4")
    assert encode(EndOfData(1, 9, 12, 3600, 600, 7200)) == bytes.fromhex(
        "0107000900000018" + "0000000c" + "00000e10" + "00000258" + "00001c20"
    )
    assert encode(EndOfData(0, 9, 12)) == bytes.fromhex("000700090000000c0000000c")
    assert encode(KEY)[:4] == bytes.fromhex("01090100")  # flags byte, then zero


def test_stayrtr_unsupported_version_report_decodes() -> None:
    report, end = decode(UNSUPPORTED_VERSION)
    assert end == len(UNSUPPORTED_VERSION)
    assert report == ErrorReport(
        0, ErrorCode.UNSUPPORTED_PROTOCOL_VERSION, b"", "Bad protocol version"
    )
    assert isinstance(report, ErrorReport)
    assert report.describe() == "Unsupported Protocol Version (4): Bad protocol version"


def test_a_stream_of_pdus_decodes_in_order() -> None:
    data = b"".join(encode(p) for p in SAMPLES)
    at, out = 0, []
    while at < len(data):
        pdu, at = decode(data, at)
        out.append(pdu)
    assert out == SAMPLES


def _err(data: bytes, offset: int = 0) -> str:
    with pytest.raises(PduError) as caught:
        decode(data, offset)
    return str(caught.value)


def test_truncated_header_and_body_say_how_much_is_there() -> None:
    assert _err(encode(V4)[:5]) == "PDU at offset 0: truncated header: 5 of 8 bytes"
    message = _err(b"xx" + encode(V4)[:15], 2)
    assert (
        message == "PDU type 4 (IPv4 Prefix) at offset 2: truncated: length 20, but only 15 bytes"
    )


def test_a_wrong_fixed_length_is_refused() -> None:
    bad = bytearray(encode(V4))
    bad[4:8] = struct.pack("!I", 24)
    assert "length 24, but a version 1 PDU of this type is 20 bytes" in _err(bytes(bad) + bytes(4))
    v0_end = struct.pack("!BBHII", 0, 7, 9, 24, 1) + bytes(12)  # a v1 layout sent as v0
    assert "length 24, but a version 0 PDU of this type is 12 bytes" in _err(v0_end)


def test_unknown_type_and_version_are_refused_with_their_codes() -> None:
    with pytest.raises(PduError, match="unknown PDU type 12") as caught:
        decode(struct.pack("!BBHI", 2, 12, 0, 32) + bytes(24))
    assert caught.value.code == ErrorCode.UNSUPPORTED_PDU_TYPE
    with pytest.raises(PduError, match="unsupported protocol version 3") as caught:
        decode(struct.pack("!BBHI", 3, 4, 0, 20) + bytes(12))
    assert caught.value.code == ErrorCode.UNSUPPORTED_PROTOCOL_VERSION
    assert "do not exist in version 0" in _err(encode(replace(KEY, version=0)))
    assert "ASPA PDUs do not exist in version 1" in _err(encode(replace(ASPA, version=1)))


def test_aspa_pdus_stayrtr_sends_decode_to_the_cache_files_records() -> None:
    """Bytes captured from StayRTR 0.5.1 ``-protocol 2`` serving stayrtr_test.rpki.json
    (draft-ietf-sidrops-8210bis-10 layout: flags, AFI flags, provider count, customer)."""
    v4 = bytes.fromhex(
        "020b000000000020" + "01000004" + "00003cca" + "00000b620000205b0000c7900003259e"
    )
    v6 = bytes.fromhex(
        "020b000000000028"
        + "01010006"
        + "0000fbf0"
        + "0000051300001b1b00001d3800007d610000c38a0000eed2"
    )
    assert decode(v4) == (ASPA, 32)
    assert decode(v6) == (
        AspaPdu(2, True, True, 64496, (1299, 6939, 7480, 32097, 50058, 61138)),
        40,
    )
    assert encode(ASPA) == v4


def test_the_later_8210bis_aspa_layout_decodes_too() -> None:
    """Flags in the header, customer and providers after it, no AFI and no count."""
    announce = bytes.fromhex("020b0100" + "00000014" + "0000fbf0" + "00000513" + "00001b1b")
    assert decode(announce) == (AspaPdu(2, True, False, 64496, (1299, 6939), False), 20)
    withdraw = bytes.fromhex("020b0000" + "0000000c" + "0000fbf0")
    assert decode(withdraw) == (AspaPdu(2, False, False, 64496, (), False), 12)
    assert "length 14 is not 12 + 4 per provider" in _err(
        bytes.fromhex("020b0100" + "0000000e" + "0000fbf0" + "0001")
    )


def test_an_aspa_pdu_whose_count_does_not_fit_its_length_is_refused() -> None:
    bad = bytearray(encode(ASPA))
    bad[10:12] = struct.pack("!H", 5)  # five providers claimed, four sent
    assert "5 providers do not fit length 32" in _err(bytes(bad))
    bad = bytearray(encode(ASPA))
    bad[9] = 2  # an AFI flag that is not defined
    assert "AFI flags 0x02" in _err(bytes(bad))


def test_a_huge_length_is_refused_from_the_header_alone() -> None:
    head = struct.pack("!BBHI", 1, 9, 0, 0xFFFFFFFF)
    with pytest.raises(PduError, match=r"length 4294967295 is outside 32\.\.65535") as caught:
        read_header(head)
    assert caught.value.pdu_type == 9 and caught.value.offset == 0
    assert "outside 32..1000" in _err_with_max(encode(KEY) + bytes(1000), 1000)


def _err_with_max(data: bytes, max_length: int) -> str:
    bad = bytearray(data)
    bad[4:8] = struct.pack("!I", len(data))
    with pytest.raises(PduError) as caught:
        decode(bytes(bad), 0, max_length)
    return str(caught.value)


def test_bad_prefix_fields_are_refused() -> None:
    assert "prefix has bits set past its length /24" in _err(
        encode(V4._replace(prefix=Prefix(4, 0xC0000201, 24)))
    )
    assert "prefix length 24 and max length 16" in _err(encode(V4._replace(max_length=16)))
    assert "max length 33" in _err(encode(V4._replace(max_length=33)))


def test_error_report_lengths_must_add_up() -> None:
    good = bytearray(encode(ErrorReport(1, 0, b"abcd", "text")))
    good[8:12] = struct.pack("!I", 400)  # encapsulated PDU longer than the whole PDU
    assert "encapsulated PDU of 400 bytes does not fit in length 24" in _err(bytes(good))
    good[8:12] = struct.pack("!I", 4)
    good[16:20] = struct.pack("!I", 3)
    assert "encapsulated PDU (4) and text (3) do not add up to length 24" in _err(bytes(good))


prefixes = st.one_of(
    st.builds(
        lambda v, n: Prefix.from_address(4, v, n), st.integers(0, 2**32 - 1), st.integers(0, 32)
    ),
    st.builds(
        lambda v, n: Prefix.from_address(6, v, n), st.integers(0, 2**128 - 1), st.integers(0, 128)
    ),
)


@given(
    prefix=prefixes,
    extra=st.integers(0, 128),
    asn=st.integers(0, 2**32 - 1),
    announce=st.booleans(),
    version=st.sampled_from([0, 1]),
)
def test_prefix_pdus_round_trip(
    prefix: Prefix, extra: int, asn: int, announce: bool, version: int
) -> None:
    pdu = PrefixPdu(version, announce, prefix, min(prefix.length + extra, prefix.bits), asn)
    assert decode(encode(pdu)) == (pdu, 20 if prefix.version == 4 else 32)


@given(code=st.integers(0, 65535), inner=st.binary(max_size=64), text=st.text(max_size=40))
def test_error_reports_round_trip(code: int, inner: bytes, text: str) -> None:
    text = text.rstrip("\x00")  # trailing NULs (C strings) are dropped on decoding
    pdu = ErrorReport(1, code, inner, text)
    assert decode(encode(pdu))[0] == pdu


@given(st.binary(max_size=80))
def test_random_bytes_decode_or_raise_pdu_error(data: bytes) -> None:
    try:
        pdu, end = decode(data)
    except PduError as exc:
        assert "offset 0" in str(exc)
    else:
        assert 8 <= end <= len(data)
        assert decode(encode(pdu))[0] == pdu  # whatever decodes is a PDU we can re-encode
