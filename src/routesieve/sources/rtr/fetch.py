"""Fetch the VRPs and ASPAs of an RTR cache into an rpki-client JSON file: ``rtr://host:port``
(TCP), ``rtrs://host:port`` (TLS) or ``rtr+ssh://host:port`` (SSH), see :mod:`.transport`.

The file is what :func:`routesieve.sources.rpki.read_vrps` and
:func:`routesieve.sources.aspa.read_aspas` read: every VRP has ``"ta": "rtr"`` (RTR does
not say which trust anchor a VRP came from), the ASPAs of a version 2 session are an
``"aspas"`` list (both address families of a customer merged), and the metadata block
records the session id, serial and protocol version of the sync (below 2: no ASPA). The file is
written only after a complete sync, atomically; any failure raises :class:`FetchError`
and leaves a previous file as it was.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from routesieve.model import Vrp
from routesieve.sources.fetched import Fetched, FetchError, write_atomically
from routesieve.sources.rtr.session import RtrSession
from routesieve.sources.rtr.stream import RtrError
from routesieve.sources.rtr.sync_state import TA, SyncResult
from routesieve.sources.rtr.transport import PLAIN, Ssh, Tls, Transport

#: The IANA port of rpki-rtr over TCP (RFC 6810 §7), used when the URL names none.
RTR_PORT = 323
#: The default port of each scheme: rpki-rtr-tls is 324 (IANA), SSH 22 (RFC 6810 §7).
PORTS = {"rtr": RTR_PORT, "rtrs": 324, "rtr+ssh": 22}
_BATCH = 4096


@dataclass(frozen=True)
class RtrSecurity:
    """What ``rtrs://`` and ``rtr+ssh://`` need: the CAs to trust (the system's without
    ``tls_ca_file``), the known_hosts file, the client key and user of SSH."""

    tls_ca_file: Path | None = None
    ssh_known_hosts: Path | None = None
    ssh_key: Path | None = None
    ssh_user: str = "rpki"

    def transport(self, scheme: str) -> Transport:
        if scheme == "rtrs":
            return Tls(self.tls_ca_file)
        if scheme == "rtr+ssh":
            if self.ssh_known_hosts is None or self.ssh_key is None:
                raise ValueError(
                    "rtr+ssh:// needs [sync.rtr] ssh_known_hosts and ssh_key in the configuration"
                )
            return Ssh(self.ssh_known_hosts, self.ssh_key, self.ssh_user)
        return PLAIN


def parse_rtr_endpoint(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an ``rtr://``, ``rtrs://`` or ``rtr+ssh://`` URL (the
    port defaults per :data:`PORTS`); ValueError saying what is wrong, as
    :func:`parse_rtr_url` says it."""
    scheme, sep, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("rtrs", "rtr+ssh"):
        return ("rtr", *parse_rtr_url(url))
    try:
        host, port = parse_rtr_url(f"rtr://{rest}")
    except ValueError as exc:
        raise ValueError(str(exc).replace("rtr://", f"{scheme}://")) from None
    has_port = urlsplit(f"rtr://{rest}").port is not None
    return scheme, host, port if has_port else PORTS[scheme]


def parse_rtr_url(url: str) -> tuple[str, int]:
    """``(host, port)`` of ``rtr://host:port`` (``rtr://[2001:db8::1]:8282`` for IPv6).

    Raises :class:`ValueError` saying what is wrong: another scheme, no host, a port that
    is not a number in 1..65535, or anything after the port.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not an rtr:// URL: {url!r} ({exc})") from None
    if parts.scheme.lower() != "rtr":
        raise ValueError(f"not an rtr:// URL: {url!r} (scheme {parts.scheme or 'missing'})")
    host = parts.hostname
    if not host:
        raise ValueError(f"no host in RTR URL {url!r}")
    if parts.username or parts.password:
        raise ValueError(f"RTR URL {url!r} has credentials; plain RTR has none")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"RTR URL {url!r} has something after the port; write rtr://host:port")
    if port == 0:
        raise ValueError(f"port 0 in RTR URL {url!r}: the port is 1..65535")
    return host, RTR_PORT if port is None else port


def fetch_rtr(
    url: str, dest: Path, *, timeout: float = 30.0, security: RtrSecurity | None = None
) -> Fetched:
    """Sync the whole VRP set of the RTR cache at ``url`` (Reset Query) into ``dest``;
    ``security`` gives the CA file or the SSH files of ``rtrs://`` and ``rtr+ssh://``.

    ``timeout`` bounds the connection and the whole sync. Raises :class:`FetchError`
    naming ``url`` for a bad URL, a refused or lost connection, a timeout, an Error
    Report from the cache, or malformed data; ``dest`` is then left untouched.
    """
    try:
        scheme, host, port = parse_rtr_endpoint(url)
        transport = (security or RtrSecurity()).transport(scheme)
    except ValueError as exc:
        raise FetchError(url, str(exc)) from None
    try:
        with RtrSession(host, port, timeout=timeout, transport=transport) as session:
            result = session.reset()
            vrps = session.vrps
            aspas = merged_aspas(session.aspas)
    except RtrError as exc:
        raise FetchError(url, f"RTR server {exc.server}: {exc.message}") from None
    if not vrps:
        # read_vrps refuses an empty file; keep the last good one instead
        raise FetchError(url, f"the RTR cache sent no VRPs (serial {result.serial})")
    fetched_at = int(time.time())
    try:
        write_atomically(dest, rpki_client_json(vrps, result, fetched_at, aspas))
    except OSError as exc:
        raise FetchError(url, f"cannot write {dest}: {exc}") from None
    return Fetched(
        location=url,
        path=dest,
        fetched_at=fetched_at,
        generated=f"serial {result.serial} session {result.session_id}",
        count=len(vrps),
        note=f"RTR version {result.version}"
        + (f", {len(aspas)} ASPAs" if result.version >= 2 else ", no ASPA (needs version 2)"),
    )


def merged_aspas(
    by_family: dict[tuple[int, bool], tuple[int, ...]],
) -> dict[int, tuple[int, ...]]:
    """The providers of each customer, its IPv4 and IPv6 records merged, sorted."""
    out: dict[int, set[int]] = {}
    for (customer, _), providers in by_family.items():
        out.setdefault(customer, set()).update(providers)
    return {c: tuple(sorted(p)) for c, p in sorted(out.items())}


def _order(vrp: Vrp) -> int:
    """The order of ``sorted(vrps)`` (family, address, length, max length, ASN) as one
    integer: comparing integers is several times faster than comparing nested tuples."""
    p = vrp.prefix
    return (((p.version << 128 | p.value) << 8 | p.length) << 8 | vrp.max_length) << 32 | vrp.asn


def rpki_client_json(
    vrps: Iterable[Vrp],
    result: SyncResult,
    generated: int,
    aspas: dict[int, tuple[int, ...]] | None = None,
) -> Iterator[bytes]:
    """The rpki-client JSON document of ``vrps`` (and ``aspas``, customer to providers),
    in chunks, sorted for stable diffs."""
    meta = {
        "generated": generated,
        "rtr": {
            "session_id": result.session_id,
            "serial": result.serial,
            "version": result.version,
        },
    }
    yield b'{"metadata": ' + orjson.dumps(meta) + b', "roas": [\n'
    batch: list[bytes] = []
    first = True
    for vrp in sorted(vrps, key=_order):
        line = b'{"prefix": "%s", "maxLength": %d, "asn": %d, "ta": "%s"}' % (
            str(vrp.prefix).encode(),
            vrp.max_length,
            vrp.asn,
            TA.encode(),
        )
        batch.append(line if first else b",\n" + line)
        first = False
        if len(batch) >= _BATCH:
            yield b"".join(batch)
            batch.clear()
    tail = b""
    if aspas:
        rows = [orjson.dumps({"customer_asid": c, "providers": list(p)}) for c, p in aspas.items()]
        tail = b', "aspas": [\n' + b",\n".join(rows) + b"\n]"
    yield b"".join(batch) + b"\n]" + tail + b"}\n"
