"""Real daemons for the session-state tests: one BIRD 2 with two BGP protocols.

- ``up``: to a GoBGP speaker on ``::1`` that announces ``ANNOUNCED`` IPv6 routes, of
  which the ``TOO_LONG`` more-specific than /48 are rejected by BIRD's import filter
  (``import keep filtered on`` keeps them, so BIRD counts them as filtered);
- ``down``: to a port on ``::1`` where nothing listens, so it never gets Established.

Everything started here is ended by ``Processes.stop``. A daemon that cannot be started
raises ``LabError``: the tests fail with the reason, they never skip.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from daemon_lab import (
    LabError,
    Processes,
    free_port,
    gobgp_afis,
    install_debian,
    start_bird,
    start_gobgpd,
)
from daemon_lab import wait_until as wait_until

from routesieve.collect.bird_socket import BirdClient, wait_for_socket

BIRD_AS = 64999
PEER_AS = 65010
DOWN_AS = 65020
ACCEPTED = tuple(f"2a0e:{i + 1:x}00::/40" for i in range(5))
TOO_LONG = tuple(f"2a0e:{i + 1:x}00::/56" for i in range(3))
ANNOUNCED = ACCEPTED + TOO_LONG
IMPORT_FILTER = "  if net.len > 48 then reject;\n  accept;"


@dataclass(frozen=True)
class BirdLab:
    socket: Path
    up_protocol: str
    down_protocol: str
    gobgp_api: int
    down_port: int


def start_lab(
    procs: Processes,
    folder: Path,
    up: str = "rs_as65010_ix1",
    down: str = "rs_as65020_ix1",
    timeformat: str = "",
    bmp_port: int | None = None,
) -> BirdLab:
    """Start GoBGP and BIRD and wait until ``up`` holds every announced route.
    ``timeformat`` is BIRD's ``timeformat protocol`` (empty: BIRD's default); with
    ``bmp_port``, GoBGP also reports its sessions to a BMP station on that port."""
    install_debian(("bird2", "gobgpd"), ("bird", "gobgpd", "gobgp"))
    folder.mkdir(parents=True, exist_ok=True)
    gobgp_port, api = free_port("::1"), free_port("127.0.0.1")
    bird_port, down_port = free_port("::1"), free_port("::1")
    start_gobgpd(
        procs,
        folder,
        "gobgpd",
        f"""[global.config]
  as = {PEER_AS}
  router-id = "10.254.0.1"
  port = {gobgp_port}
  local-address-list = ["::1"]
{_bmp(bmp_port)}
[[neighbors]]
  [neighbors.config]
    neighbor-address = "::1"
    peer-as = {BIRD_AS}
  [neighbors.transport.config]
    passive-mode = true
{gobgp_afis("ipv6-unicast")}""",
        api,
    )
    wait_until("GoBGP's API", lambda: _gobgp(api, "global") is not None, 30)
    for prefix in ANNOUNCED:
        if _gobgp(api, "global", "rib", "-a", "ipv6", "add", prefix, "nexthop", "::1") is None:
            raise LabError(f"GoBGP did not take {prefix}")
    conf = folder / "bird.conf"
    conf.write_text(
        f"""router id 10.255.255.1;
{f"timeformat protocol {timeformat};" if timeformat else ""}
protocol device {{}}
filter import_len {{
{IMPORT_FILTER}
}}
protocol bgp {up} {{
  description "AS{PEER_AS} up";
  local ::1 port {bird_port} as {BIRD_AS};
  neighbor ::1 port {gobgp_port} as {PEER_AS};
  multihop;
  ipv6 {{ import keep filtered on; import filter import_len; export none; }};
}}
protocol bgp {down} {{
  description "AS{DOWN_AS} down";
  local ::1 port {bird_port} as {BIRD_AS};
  neighbor ::1 port {down_port} as {DOWN_AS};
  multihop;
  connect delay time 1;
  connect retry time 30;
  ipv6 {{ import keep filtered on; import filter import_len; export none; }};
}}
"""
    )
    sock = start_bird(procs, conf, folder)
    wait_for_socket(sock, 20)
    wait_until(f"BIRD protocol {up} to hold {len(ANNOUNCED)} routes", lambda: _full(sock, up), 60)
    # the down session has tried and failed once: it stays in Active with the error
    # for the whole retry time, so reading it then is not a race
    wait_until(f"BIRD protocol {down} to fail once", lambda: _refused(sock, down), 30)
    return BirdLab(sock, up, down, api, down_port)


def _refused(sock: Path, protocol: str) -> bool:
    with BirdClient(sock, timeout=5) as client:
        return "Connection refused" in client.text(f"show protocols all {protocol}")


def _full(sock: Path, protocol: str) -> bool:
    with BirdClient(sock, timeout=5) as client:
        text = client.text(f"show protocols all {protocol}")
    want = f"{len(ACCEPTED)} imported, {len(TOO_LONG)} filtered"
    return "Established" in text and want in text


def _gobgp(api: int, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["gobgp", "-p", str(api), *args], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _bmp(port: int | None) -> str:
    if port is None:
        return ""
    return f"""
[[bmp-servers]]
  [bmp-servers.config]
    address = "127.0.0.1"
    port = {port}
    route-monitoring-policy = "both"
"""
