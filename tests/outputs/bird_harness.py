"""Helpers to run real BIRD 2 and GoBGP daemons from the tests.

``require_daemons`` installs Debian's ``bird2`` and ``gobgpd`` when they are missing
(the tests run as root) and fails, with the reason, when that does not work: these tests
never skip silently. Every process started here has a bounded life: ``stop`` is called
from fixture teardown and kills what is left.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from daemon_lab import LabError as LabError  # re-exported for the tests of this folder
from daemon_lab import Processes as Processes
from daemon_lab import free_port as free_port
from daemon_lab import gobgp_afis, gobgp_announce, install_debian, start_gobgpd
from daemon_lab import start_bird as start_bird
from daemon_lab import wait_until as wait_until

from routesieve.collect.files import read_routes
from routesieve.config import load_config
from routesieve.engine.evaluate import evaluate
from routesieve.model import AsPath, Route, Verdict
from routesieve.outputs.filterspec import RouterPolicy, SessionSpec, router_policy
from routesieve.sources.load import load_snapshot

TOOLS = ("bird", "birdc", "gobgpd", "gobgp")
INSTALL_TIMEOUT = 900


def require_daemons() -> None:
    install_debian(("bird2", "gobgpd"), TOOLS)


def main_conf(folder: Path, files: dict[str, str], extra: str = "") -> Path:
    """Write the rendered files and a small main configuration that includes them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    includes = "".join(f'include "{folder / name}";\n' for name in sorted(files, reverse=False))
    conf = folder / "bird.conf"
    conf.write_text(
        f"router id 10.255.255.1;\nprotocol device {{}}\n{extra}\n{includes}", encoding="utf-8"
    )
    return conf


def bird_check(conf: Path) -> subprocess.CompletedProcess[str]:
    """``bird -p``: parse the configuration and exit."""
    return subprocess.run(
        ["bird", "-p", "-c", str(conf)], capture_output=True, text=True, timeout=120
    )


# ---- BIRD ----


def birdc(sock: Path, *command: str) -> str:
    done = subprocess.run(
        ["birdc", "-s", str(sock), *command], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        pytest.fail(f"birdc {' '.join(command)} failed: {done.stderr}{done.stdout}")
    return done.stdout


_ROUTE_LINE = re.compile(r"^([0-9a-fA-F:.]+/\d+)\s")


def routes_of(sock: Path, protocol: str, filtered: bool) -> set[str]:
    """The prefixes BIRD holds from ``protocol``: imported, or filtered out (kept by
    ``import keep filtered``)."""
    words = ["show", "route", *(["filtered"] if filtered else []), "protocol", protocol]
    return {
        m.group(1) for line in birdc(sock, *words).splitlines() if (m := _ROUTE_LINE.match(line))
    }


def protocol_states(sock: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in birdc(sock, "show", "protocols").splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[1] == "BGP":
            out[parts[0]] = parts[5]
    return out


def lab_sessions(text: str, ports: dict[str, int], bird_port: int) -> str:
    """Point each rendered ``protocol bgp`` at its GoBGP speaker on loopback: a port per
    protocol, BIRD's own port, and ``multihop`` (all speakers share ::1)."""

    def fix(block: re.Match[str]) -> str:
        name = block.group(1)
        body = re.sub(
            r"neighbor ::1 as (\d+);",
            rf"neighbor ::1 port {ports[name]} as \1;\n  local ::1 port {bird_port};\n  multihop;",
            block.group(0),
        )
        return body

    return re.sub(r"protocol bgp (\S+) \{.*?\n\}", fix, text, flags=re.S)


# ---- GoBGP ----


@dataclass(frozen=True)
class Speaker:
    """A GoBGP pair for one BIRD session: the speaker that BIRD connects to, acting as a
    route server towards BIRD (``route-server-client``, so it adds no AS of its own), and
    a feeder in the same AS over iBGP that originates the routes with their full path."""

    asn: int
    port: int  # where the speaker listens for BIRD
    feeder_api: int  # gRPC port of the feeder, for ``gobgp global rib add``


def start_speaker(procs: Processes, folder: Path, asn: int, local_asn: int, index: int) -> Speaker:
    folder.mkdir(parents=True, exist_ok=True)
    port, feeder_port = free_port("::1"), free_port("127.0.0.1")
    api_s, api_f = free_port("127.0.0.1"), free_port("127.0.0.1")
    afi = gobgp_afis("ipv6-unicast")
    speaker = f"""[global.config]
  as = {asn}
  router-id = "10.254.{index}.1"
  port = {port}
  local-address-list = ["::1", "127.0.0.1"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "::1"
    peer-as = {local_asn}
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.route-server.config]
    route-server-client = true
{afi}
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = {asn}
  [neighbors.transport.config]
    remote-port = {feeder_port}
  [neighbors.route-server.config]
    route-server-client = true
  [neighbors.as-path-options.config]
    allow-own-as = 200
{afi}"""
    feeder = f"""[global.config]
  as = {asn}
  router-id = "10.254.{index}.2"
  port = {feeder_port}
  local-address-list = ["127.0.0.1"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = {asn}
  [neighbors.transport.config]
    passive-mode = true
{afi}"""
    start_gobgpd(procs, folder, "speaker", speaker, api_s)
    start_gobgpd(procs, folder, "feeder", feeder, api_f)
    return Speaker(asn, port, api_f)


def announce(speaker: Speaker, prefix: str, path: AsPath) -> None:
    gobgp_announce(speaker.feeder_api, prefix, path, "::1")


# ---- the bundled example ----

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "routesieve" / "data" / "example"
AS_OF = 1_795_000_000  # 2026-11-18: the example's expired VRP is expired, the others not


@dataclass(frozen=True)
class Example:
    folder: Path
    policy: RouterPolicy
    verdicts: tuple[Verdict, ...]
    routes: tuple[Route, ...]


def example(folder: Path, neighbors: dict[str, str], extra_routes: Sequence[Route] = ()) -> Example:
    """The bundled example, copied to ``folder`` with neighbour addresses for the named
    sessions, evaluated (with ``extra_routes`` added) and turned into a RouterPolicy."""
    shutil.copytree(EXAMPLE, folder, dirs_exist_ok=True)
    conf = folder / "routesieve.toml"
    text = conf.read_text(encoding="utf-8")
    for session, address in neighbors.items():
        text = text.replace(
            f'{{ name = "{session}",', f'{{ name = "{session}", neighbor = "{address}",'
        )
    conf.write_text(text, encoding="utf-8")
    config = load_config(conf)
    snapshot = load_snapshot(config, as_of=AS_OF).snapshot
    routes = (*read_routes(folder / "routes.jsonl").items, *extra_routes)
    policy = config.to_policy()
    verdicts = tuple(evaluate(routes, snapshot, policy))
    sessions = {
        p.asn: tuple(
            SessionSpec(
                s.name,
                str(s.neighbor) if s.neighbor is not None else None,
                s.exchange,
                s.route_server,
            )
            for s in p.sessions
        )
        for p in config.peers
    }
    max_prefix = {p.asn: p.max_prefix for p in config.peers}
    rp = router_policy(verdicts, policy, snapshot, sessions, max_prefix)
    return Example(folder, rp, verdicts, routes)
