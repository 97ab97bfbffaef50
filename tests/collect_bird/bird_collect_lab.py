"""A small lab of real daemons on loopback for the BIRD collection tests and benchmark.

One GoBGP speaker per peer AS holds the routes to send in its global RIB (loaded from a
TABLE_DUMP_V2 file with ``gobgp mrt inject global``, thousands of routes a second) and
announces them over eBGP to BIRD 2 on ``::1``; GoBGP prepends its own AS, so BIRD
receives ``peer_as + path``. Everything started here is ended by ``Processes.stop``.

Adapted from ``tests/outputs/bird_harness.py`` (kept separate so that these tests do not
depend on the renderers). Failures raise ``LabError``: a test that cannot get its
daemons fails with the reason, it never skips.
"""

from __future__ import annotations

import ipaddress
import os
import struct
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from daemon_lab import LabError as LabError  # re-exported for the tests of this folder
from daemon_lab import Processes as Processes
from daemon_lab import free_port as free_port
from daemon_lab import gobgp_afis, install_debian, start_gobgpd
from daemon_lab import start_bird as start_bird
from daemon_lab import wait_until as wait_until

from routesieve.model import AsPath

TOOLS = ("bird", "birdc", "gobgpd", "gobgp")
PADDING = 4096


def require_daemons() -> None:
    """Install Debian's bird2 and gobgpd when missing (the tests run as root)."""
    install_debian(("bird2", "gobgpd"), TOOLS)


# ---- MRT TABLE_DUMP_V2 for ``gobgp mrt inject`` ----


def _attr(code: int, value: bytes, flags: int = 0x40) -> bytes:
    if len(value) > 255:
        return struct.pack(">BBH", flags | 0x10, code, len(value)) + value
    return struct.pack(">BBB", flags, code, len(value)) + value


def _path_attr(path: AsPath) -> bytes:
    out = b""
    for seg in path.segments:
        asns = seg.asns
        for i in range(0, len(asns), 255):
            part = asns[i : i + 255]
            out += struct.pack(f">BB{len(part)}I", int(seg.type), len(part), *part)
    return _attr(2, out)


def _community_attrs(comms: Iterable[str]) -> bytes:
    std, large, ext = b"", b"", b""
    for text in comms:
        parts = text.split(":")
        if parts[0] == "rt":  # two-octet-AS route target: (rt, AS, value)
            ext += struct.pack(">BBHI", 0x00, 0x02, int(parts[1]), int(parts[2]))
        elif len(parts) == 3:
            large += struct.pack(">III", *map(int, parts))
        else:
            std += struct.pack(">HH", *map(int, parts))
    out = b""
    if std:
        out += _attr(8, std, 0xC0)
    if ext:
        out += _attr(16, ext, 0xC0)
    if large:
        out += _attr(32, large, 0xC0)
    return out


def write_table_dump(
    path: Path,
    routes: Iterable[tuple[str, AsPath, tuple[str, ...]]],
    peer_as: int = 65000,
    nexthop6: str = "::1",
) -> int:
    """A TABLE_DUMP_V2 file of ``(prefix, path, communities)``; returns the route count."""

    def record(subtype: int, body: bytes) -> bytes:
        return struct.pack(">IHHI", 1_700_000_000, 13, subtype, len(body)) + body

    nh6 = ipaddress.IPv6Address(nexthop6).packed
    nh4 = ipaddress.IPv4Address("127.0.0.1").packed
    count = 0
    first = b""
    with path.open("wb") as fh:
        peer = b"\x03" + struct.pack(">I", 0x0A000001) + nh6 + struct.pack(">I", peer_as)
        fh.write(record(1, struct.pack(">IHH", 0x0A000001, 0, 1) + peer))
        for prefix, as_path, comms in routes:
            net = ipaddress.ip_network(prefix)
            attrs = _attr(1, b"\x00") + _path_attr(as_path)
            if net.version == 6:
                attrs += _attr(14, struct.pack(">HBB", 2, 1, 16) + nh6 + b"\x00", 0x80)
            else:
                attrs += _attr(3, nh4)
            attrs += _community_attrs(comms)
            entry = struct.pack(">HIH", 0, 1_700_000_000, len(attrs)) + attrs
            raw = net.network_address.packed[: (net.prefixlen + 7) // 8]
            body = struct.pack(">IB", count, net.prefixlen) + raw + struct.pack(">H", 1) + entry
            fh.write(record(4 if net.version == 6 else 2, body))
            first = first or record(4 if net.version == 6 else 2, body)
            count += 1
        # ``gobgp mrt inject`` may lose its last queued routes: end with copies of the
        # first route (announcing it again changes nothing)
        fh.write(first * PADDING)
    return count


# ---- GoBGP ----


@dataclass(frozen=True)
class Speaker:
    asn: int
    port: int  # where it listens for BIRD
    api: int  # its gRPC port


def start_speaker(procs: Processes, folder: Path, asn: int, bird_asn: int, index: int) -> Speaker:
    folder.mkdir(parents=True, exist_ok=True)
    port, api = free_port("::1"), free_port("127.0.0.1")
    afis = gobgp_afis("ipv6-unicast", "ipv4-unicast")
    conf = f"""[global.config]
  as = {asn}
  router-id = "10.254.{index}.1"
  port = {port}
  local-address-list = ["::1"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "::1"
    peer-as = {bird_asn}
  [neighbors.transport.config]
    passive-mode = true
{afis}"""
    start_gobgpd(procs, folder, "gobgpd", conf, api)
    return Speaker(asn, port, api)


def rib_count(speaker: Speaker, family: str) -> int:
    done = subprocess.run(
        ["gobgp", "-p", str(speaker.api), "global", "rib", "-a", family, "summary"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    for line in done.stdout.splitlines():
        if line.startswith("Destination:"):
            return int(line.split()[1].rstrip(","))
    return -1


def load_routes(speaker: Speaker, mrt: Path, counts: dict[str, int], timeout: float = 90) -> None:
    """Inject the file until GoBGP holds every route: ``gobgp mrt inject`` may end before
    the last queued routes reach gobgpd, and injecting the same routes again is harmless."""
    deadline = time.monotonic() + timeout
    while True:
        done = subprocess.run(
            ["gobgp", "-p", str(speaker.api), "mrt", "inject", "global", str(mrt)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode == 0:
            for _ in range(10):
                if all(rib_count(speaker, f) >= n for f, n in counts.items()):
                    return
                time.sleep(0.3)
        if time.monotonic() > deadline:
            raise LabError(f"GoBGP AS{speaker.asn} did not take {mrt}: {done.stderr}")
        time.sleep(0.5)


# ---- BIRD ----


@dataclass(frozen=True)
class Peer:
    protocol: str
    speaker: Speaker
    description: str
    import_table: bool


def bird_conf(folder: Path, bird_asn: int, peers: Sequence[Peer], import_filter: str) -> Path:
    blocks = []
    bird_port = free_port("::1")
    for p in peers:
        table = "import table on; " if p.import_table else ""
        blocks.append(
            f"""protocol bgp {p.protocol} {{
  description "{p.description}";
  local ::1 port {bird_port} as {bird_asn};
  neighbor ::1 port {p.speaker.port} as {p.speaker.asn};
  multihop;
  ipv6 {{ {table}import keep filtered on; import filter rs_import; export none; }};
  ipv4 {{ {table}import keep filtered on; import filter rs_import; export none; }};
}}
"""
        )
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "bird.conf"
    conf.write_text(
        "router id 10.255.255.1;\nprotocol device {}\n"
        f"filter rs_import {{\n{import_filter}\n}}\n" + "\n".join(blocks)
    )
    return conf


def ipv6_count(sock: Path) -> int:
    """The IPv6 routes (imported + filtered) BIRD holds from its first BGP protocol."""
    from routesieve.collect.bird_routes import list_sessions
    from routesieve.collect.bird_socket import BirdClient

    with BirdClient(sock) as client:
        session = list_sessions(client, probe_import_tables=False)[0]
    channel = next(c for c in session.channels if c.name == "ipv6")
    return (channel.imported or 0) + (channel.filtered or 0)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (from /proc/<pid>/stat), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
