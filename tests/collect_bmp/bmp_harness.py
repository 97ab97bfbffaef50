"""Real GoBGP daemons on loopback for the BMP tests (pieces copied from
tests/outputs/bird_harness.py, kept apart so the two can change independently).

``require_gobgp`` installs Debian's ``gobgpd`` when missing and fails (never skips) when
that does not work. Every process started here is ended by ``Processes.stop``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from daemon_lab import LabError as LabError  # re-exported for the tests of this folder
from daemon_lab import Processes as Processes
from daemon_lab import free_port as free_port
from daemon_lab import gobgp_afis, gobgp_path, install_debian, start_gobgpd
from daemon_lab import wait_until as wait_until

from routesieve.model import AsPath


def require_gobgp() -> None:
    install_debian(("gobgpd",), ("gobgpd", "gobgp"))


AFIS = gobgp_afis("ipv4-unicast", "ipv6-unicast")


@dataclass(frozen=True)
class Lab:
    """A monitored GoBGP ``router`` (AS 65000, BMP client towards the station) peering
    with a GoBGP ``speaker`` (AS 65001 on 127.0.0.2) that announces the routes."""

    router: subprocess.Popen[bytes]
    speaker: subprocess.Popen[bytes]
    router_api: int
    speaker_api: int
    speaker_address: str = "127.0.0.2"
    speaker_asn: int = 65001


def start_lab(procs: Processes, folder: Path, station_port: int, policy: str) -> Lab:
    folder.mkdir(parents=True, exist_ok=True)
    r_port, s_port = free_port(), free_port()
    r_api, s_api = free_port(), free_port()
    router = f"""[global.config]
  as = 65000
  router-id = "10.0.0.1"
  port = {r_port}
  local-address-list = ["127.0.0.1"]

[[bmp-servers]]
  [bmp-servers.config]
    address = "127.0.0.1"
    port = {station_port}
    route-monitoring-policy = "{policy}"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.2"
    peer-as = 65001
  [neighbors.transport.config]
    remote-port = {s_port}
    local-address = "127.0.0.1"
{AFIS}"""
    speaker = f"""[global.config]
  as = 65001
  router-id = "10.0.0.2"
  port = {s_port}
  local-address-list = ["127.0.0.2"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = 65000
  [neighbors.transport.config]
    passive-mode = true
{AFIS}"""
    started = []
    for name, text, api in (("router", router, r_api), ("speaker", speaker, s_api)):
        started.append(start_gobgpd(procs, folder, name, text, api))
    return Lab(started[0], started[1], r_api, s_api)


def gobgp(api: int, *args: str, timeout: float = 20) -> str:
    """Run the ``gobgp`` client; retried while the daemon's API is coming up."""
    cmd = ["gobgp", "-p", str(api), *args]
    deadline = time.monotonic() + timeout
    while True:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode == 0:
            return done.stdout
        if time.monotonic() > deadline:
            pytest.fail(f"{' '.join(cmd)} failed: {done.stderr}{done.stdout}")
        time.sleep(0.3)


@dataclass(frozen=True)
class Announce:
    prefix: str
    path: AsPath
    communities: tuple[str, ...] = ()
    large: tuple[str, ...] = ()


def add_routes(api: int, routes: Sequence[Announce], workers: int = 8) -> None:
    def one(r: Announce) -> None:
        family = "ipv6" if ":" in r.prefix else "ipv4"
        args = ["global", "rib", "add", "-a", family, r.prefix, "aspath", gobgp_path(r.path)]
        if r.communities:
            args += ["community", ",".join(r.communities)]
        if r.large:
            args += ["large-community", ",".join(r.large)]
        args += ["nexthop", "2001:db8::1" if family == "ipv6" else "127.0.0.2"]
        gobgp(api, *args)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, routes))


def del_routes(api: int, prefixes: Sequence[str], workers: int = 8) -> None:
    def one(prefix: str) -> None:
        gobgp(api, "global", "rib", "del", "-a", "ipv6" if ":" in prefix else "ipv4", prefix)

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, prefixes))
