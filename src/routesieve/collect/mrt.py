"""Received routes from MRT files (RFC 6396, ADD-PATH per RFC 8050), without a library.

Read: TABLE_DUMP (type 12), TABLE_DUMP_V2 (type 13: PEER_INDEX_TABLE, RIB_IPV4_UNICAST,
RIB_IPV6_UNICAST and their ADDPATH subtypes), BGP4MP (16) and BGP4MP_ET (17): MESSAGE,
MESSAGE_AS4, MESSAGE_LOCAL, MESSAGE_AS4_LOCAL and their ADDPATH subtypes; STATE_CHANGE
records are counted. Multicast RIBs and other AFI/SAFI are counted and skipped;
RIB_GENERIC and other record types are reported once per kind as unsupported.

A record that cannot be decoded is a :class:`Problem` naming the byte offset (of the
decompressed stream) and the record number; reading goes on with the next record, found
by the MRT length field. A length that runs past the end of the file, or an impossible
one, stops the reading with a problem. Never a traceback.
"""

from __future__ import annotations

import lzma
import socket
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from routesieve.collect.bgp import Attributes, Malformed, Nlri, decode_attributes, decode_nlri
from routesieve.collect.bgp import decode_update as _decode_update
from routesieve.collect.replay import EventKind, ReadStats, RouteEvent, final_events
from routesieve.model import Prefix, Route
from routesieve.problems import Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.textio import DamagedFile, open_binary

KIND = "routes-mrt"
TABLE_DUMP, TABLE_DUMP_V2, BGP4MP, BGP4MP_ET = 12, 13, 16, 17
MAX_RECORD = 1 << 24  # no real MRT record comes near 16 MiB
_CHUNK = 1 << 20
_HDR = struct.Struct(">IHHI")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_HH = struct.Struct(">HH")
_II = struct.Struct(">II")
_ANNOUNCE, _WITHDRAW = EventKind.ANNOUNCE, EventKind.WITHDRAW
_ip_cache: dict[bytes, str] = {}


def _ip(raw: bytes) -> str:
    text = _ip_cache.get(raw)
    if text is None:
        family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
        text = _ip_cache[raw] = socket.inet_ntop(family, raw)
    return text


@dataclass
class _State:
    name: str
    problems: list[Problem]
    stats: ReadStats
    peers: list[tuple[str, int]] | None = None
    unsupported: dict[str, list[int]] = field(default_factory=dict)

    def unsupported_record(self, what: str, offset: int, number: int) -> list[RouteEvent]:
        seen = self.unsupported.setdefault(what, [0, offset, number])
        seen[0] += 1
        self.stats.skip(what)
        return []


def _frames(fh: IO[bytes], st: _State) -> Iterator[tuple[int, int, int, int, int, bytes]]:
    """(offset, record number, timestamp, type, subtype, body) of every MRT record."""
    buf, pos, base, number = b"", 0, 0, 0

    def fill(need: int) -> bool:
        nonlocal buf, pos, base
        chunks, have = [buf[pos:]], len(buf) - pos
        base, pos = base + pos, 0
        while have < need:
            more = fh.read(max(_CHUNK, need - have))
            if not more:
                break
            chunks.append(more)
            have += len(more)
        buf = b"".join(chunks)
        return have >= need

    def stop(message: str) -> None:
        place = f"offset {base + pos}, record {number}"
        st.problems.append(Problem(st.name, None, message, place))

    while True:
        try:
            if len(buf) - pos < 12 and not fill(12):
                if len(buf) > pos:
                    number += 1
                    stop(f"truncated MRT header: only {len(buf) - pos} bytes at the end")
                return
            ts, rtype, sub, length = _HDR.unpack_from(buf, pos)
            number += 1
            if length > MAX_RECORD:
                stop(f"impossible MRT record length {length} (type {rtype}); reading stopped")
                return
            if len(buf) - pos < 12 + length and not fill(12 + length):
                stop(
                    f"truncated MRT record: length {length} but only {len(buf) - pos - 12}"
                    " bytes left; reading stopped"
                )
                return
        except DamagedFile as exc:
            stop(f"cannot decompress further: {exc.problems[0].message} ({exc.problems[0].place})")
            return
        except (OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
            stop(f"cannot decompress further (corrupt or truncated?): {exc}")
            return
        yield base + pos, number, ts, rtype, sub, buf[pos + 12 : pos + 12 + length]
        pos += 12 + length


def iter_mrt_events(
    path: str | Path,
    problems: list[Problem] | None = None,
    stats: ReadStats | None = None,
) -> Iterator[RouteEvent]:
    """Every announcement and withdrawal of an MRT file, in file order.

    Table dumps give one announcement per RIB entry. Problems are appended to
    ``problems`` (file, and place ``"offset N, record M"``); ``stats`` counts records,
    announcements, withdrawals, state changes and what was skipped.
    """
    st = _State(str(path), problems if problems is not None else [], stats or ReadStats())
    with open_binary(path) as fh:
        for offset, number, ts, rtype, sub, body in _frames(fh, st):
            st.stats.records += 1
            if st.stats.first_time is None:
                st.stats.first_time = ts
            try:
                if rtype in (BGP4MP, BGP4MP_ET):
                    events = _bgp4mp(st, ts, rtype == BGP4MP_ET, sub, body, offset, number)
                elif rtype == TABLE_DUMP_V2:
                    events = _table_dump_v2(st, ts, sub, body, offset, number)
                elif rtype == TABLE_DUMP:
                    events = _table_dump(st, ts, sub, body, offset, number)
                else:
                    events = st.unsupported_record(
                        f"MRT type {rtype} subtype {sub}", offset, number
                    )
            except (Malformed, struct.error, IndexError, ValueError) as exc:
                message = f"malformed MRT record (type {rtype}, subtype {sub}): {exc}"
                st.problems.append(
                    Problem(st.name, None, message, f"offset {offset}, record {number}")
                )
                st.stats.units += 1
                st.stats.no_route("malformed records (see the problems)")
                continue
            if not events:
                st.stats.units += 1
                st.stats.no_route(f"records of MRT type {rtype} subtype {sub} without a prefix")
                continue
            st.stats.units += len(events)
            yield from events
    for what, (count, offset, number) in st.unsupported.items():
        message = f"{count} record(s) of {what} not supported, skipped"
        place = f"first at offset {offset}, record {number}"
        st.problems.append(Problem(st.name, None, message, place))


def read_routes_mrt(
    path: str | Path, *, final: bool = False, include_local: bool = False
) -> ReadResult[Route]:
    """The received routes of an MRT file; the session of each is the peer's address.

    With ``final=False``: every RIB entry of a table dump, every announcement of an
    update file. With ``final=True``: what an update stream leaves at its end (see
    :func:`routesieve.collect.replay.final_events`). Messages the collector itself sent
    (BGP4MP_MESSAGE_LOCAL) are left out unless ``include_local``.
    """
    problems: list[Problem] = []
    stats = ReadStats()
    events: Iterator[RouteEvent] = stats.counted(iter_mrt_events(path, problems, stats))
    if not include_local:
        events = _without_local(events, stats)
    if final:
        routes = [e.to_route() for e in final_events(events)]
    else:
        routes = [e.to_route() for e in events if e.kind is _ANNOUNCE]
    note = stats.note() + (", end state of the stream" if final else "")
    provenance = Provenance(KIND, str(path), stats.first_time_text(), len(routes), note)
    accounting = stats.accounting(str(path), "entries", routes)
    return ReadResult(tuple(routes), tuple(problems), provenance, accounting)


def _without_local(events: Iterator[RouteEvent], stats: ReadStats) -> Iterator[RouteEvent]:
    """The events of messages received from peers; those the collector sent are counted."""
    for event in events:
        if event.local:
            if event.kind is _ANNOUNCE:
                stats.local_announcements += 1
            continue
        yield event


def _bgp4mp(
    st: _State, ts: int, et: bool, sub: int, body: bytes, offset: int, number: int
) -> list[RouteEvent]:
    micro, pos = (_U32.unpack_from(body, 0)[0], 4) if et else (0, 0)
    if sub in (0, 5):  # STATE_CHANGE, STATE_CHANGE_AS4
        st.stats.state_changes += 1
        return []
    if sub not in (1, 4, 6, 7, 8, 9, 10, 11):
        return st.unsupported_record(f"BGP4MP subtype {sub}", offset, number)
    asn4 = sub in (4, 7, 9, 11)
    if asn4:
        peer_asn = _II.unpack_from(body, pos)[0]
        pos += 8
    else:
        peer_asn = _HH.unpack_from(body, pos)[0]
        pos += 4
    afi = _HH.unpack_from(body, pos)[1]
    if afi not in (1, 2):
        raise Malformed(f"unknown address family {afi}")
    alen = 4 if afi == 1 else 16
    peer_ip = _ip(body[pos + 4 : pos + 4 + alen])
    pos += 4 + 2 * alen
    if pos + 19 > len(body):
        raise Malformed("BGP message header cut short")
    mlen, mtype = _U16.unpack_from(body, pos + 16)[0], body[pos + 18]
    if mlen < 19 or pos + mlen > len(body):
        raise Malformed(f"BGP message length {mlen} does not fit the {len(body)}-byte record")
    if mtype != 2:
        st.stats.skip(f"BGP message type {mtype} (not UPDATE)")
        return []
    addpath = sub >= 8
    asn_size = 4 if asn4 else 2
    try:
        withdrawn, attrs, nlri = _decode_update(body, pos + 19, pos + mlen, asn_size, addpath)
    except Malformed as exc:
        if addpath:
            raise
        # BIRD writes ADD-PATH sessions with the plain subtypes: try with path ids.
        try:
            withdrawn, attrs, nlri = _decode_update(body, pos + 19, pos + mlen, asn_size, True)
        except Malformed:
            raise exc from None
        st.stats.remark("records read with ADD-PATH ids their subtype does not announce")
    local = sub in (6, 7, 10, 11)
    out = [
        RouteEvent(_WITHDRAW, ts, peer_ip, peer_asn, p, None, pid, micro, local=local)
        for p, pid in withdrawn + attrs.withdraw
    ]
    out += _announce(st, attrs, nlri + attrs.announce, ts, peer_ip, peer_asn, micro, local)
    st.stats.withdrawals += len(withdrawn) + len(attrs.withdraw)
    return out


def _announce(
    st: _State,
    attrs: Attributes,
    nlri: list[Nlri],
    ts: int,
    peer_ip: str,
    peer_asn: int,
    micro: int = 0,
    local: bool = False,
) -> list[RouteEvent]:
    for what in attrs.skipped:
        st.stats.skip(what)
    st.stats.announcements += len(nlri)
    path, problem = attrs.as_path, attrs.problem
    return [
        RouteEvent(_ANNOUNCE, ts, peer_ip, peer_asn, p, path, pid, micro, "", problem, local)
        for p, pid in nlri
    ]


def _table_dump_v2(
    st: _State, ts: int, sub: int, body: bytes, offset: int, number: int
) -> list[RouteEvent]:
    if sub == 1:
        st.peers = _peer_index_table(body)
        return []
    if sub in (3, 5, 9, 11):
        st.stats.skip("TABLE_DUMP_V2 multicast RIB records")
        return []
    if sub not in (2, 4, 8, 10):
        label = "RIB_GENERIC" if sub in (6, 12) else f"subtype {sub}"
        return st.unsupported_record(f"TABLE_DUMP_V2 {label}", offset, number)
    if st.peers is None:
        raise Malformed("RIB record before any PEER_INDEX_TABLE")
    addpath = sub >= 8
    stop = 5 + ((body[4] + 7) >> 3)
    prefix = decode_nlri(body, 4, stop, 4 if sub in (2, 8) else 6, False)[0][0]
    count = _U16.unpack_from(body, stop)[0]
    pos, out = stop + 2, []
    for _ in range(count):
        index = _U16.unpack_from(body, pos)[0]
        pos += 6  # peer index, originated time
        path_id = None
        if addpath:
            path_id = _U32.unpack_from(body, pos)[0]
            pos += 4
        alen = _U16.unpack_from(body, pos)[0]
        end = pos + 2 + alen
        if end > len(body):
            raise Malformed("RIB entry attributes run past the record")
        if index >= len(st.peers):
            raise Malformed(f"peer index {index} not in the PEER_INDEX_TABLE")
        peer_ip, peer_asn = st.peers[index]
        attrs = decode_attributes(body, pos + 2, end, 4, False, rib=True)
        out += _announce(st, attrs, [(prefix, path_id)], ts, peer_ip, peer_asn)
        pos = end
    return out


def _peer_index_table(body: bytes) -> list[tuple[str, int]]:
    pos = 6 + _U16.unpack_from(body, 4)[0]  # collector BGP id, view name
    count = _U16.unpack_from(body, pos)[0]
    pos += 2
    peers: list[tuple[str, int]] = []
    for _ in range(count):
        ptype = body[pos]
        alen = 16 if ptype & 1 else 4
        pos += 5  # type, BGP id
        ip = body[pos : pos + alen]
        pos += alen
        if ptype & 2:
            asn = _U32.unpack_from(body, pos)[0]
            pos += 4
        else:
            asn = _U16.unpack_from(body, pos)[0]
            pos += 2
        if len(ip) != alen:
            raise Malformed("PEER_INDEX_TABLE cut short")
        peers.append((_ip(ip), asn))
    return peers


def _table_dump(
    st: _State, ts: int, sub: int, body: bytes, offset: int, number: int
) -> list[RouteEvent]:
    if sub not in (1, 2):
        return st.unsupported_record(f"TABLE_DUMP AFI {sub}", offset, number)
    alen, version = (4, 4) if sub == 1 else (16, 6)
    plen = body[4 + alen]
    if plen > alen * 8:
        raise Malformed(f"prefix length {plen} over {alen * 8}")
    prefix = Prefix.from_address(version, int.from_bytes(body[4 : 4 + alen], "big"), plen)
    pos = 4 + alen + 6  # view, sequence, prefix, length, status, originated time
    peer_ip = _ip(body[pos : pos + alen])
    peer_asn, attr_len = _HH.unpack_from(body, pos + alen)
    start = pos + alen + 4
    if start + attr_len > len(body) or len(body) < start:
        raise Malformed("TABLE_DUMP attributes run past the record")
    attrs = decode_attributes(body, start, start + attr_len, 2, False, rib=True)
    return _announce(st, attrs, [(prefix, None)], ts, peer_ip, peer_asn)
