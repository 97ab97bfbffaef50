"""Real daemons for the FRR and OpenBGPD renderer tests: installation, configuration
checks, the example policy, a larger generated policy, and full configurations."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

import pytest

from routesieve.collect.files import read_routes
from routesieve.config import load_config
from routesieve.engine.evaluate import evaluate
from routesieve.model import Prefix, Verdict
from routesieve.outputs.filterspec import (
    Guard,
    PeerFilter,
    RoaEntry,
    RouterPolicy,
    SessionSpec,
    router_policy,
)
from routesieve.snapshot import Provenance
from routesieve.sources.load import load_snapshot

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))
AS_OF = 1_790_000_000
FRR_BGPD = "/usr/lib/frr/bgpd"
NEIGHBORS = {
    "bgpx-1": "fd00:5::11",
    "locix-1": "fd00:5::12",
    "locix-2": "fd00:5::21",
    "locix-rs": "fd00:5::31",
}
PACKAGES = {"vtysh": "frr", "/usr/sbin/bgpd": "openbgpd", "gobgpd": "gobgpd"}


def ensure_daemons() -> None:
    """Install FRR, OpenBGPD and GoBGP from Debian when missing; fail with the reason."""
    missing = sorted({pkg for tool, pkg in PACKAGES.items() if not shutil.which(tool)})
    if not missing:
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", *missing]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    still = sorted({pkg for tool, pkg in PACKAGES.items() if not shutil.which(tool)})
    if still:
        pytest.fail(f"installed {missing}, but {still} still missing")


def _run(cmd: list[str], text: str) -> tuple[int, str]:
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as fh:
        fh.write(text)
    os.chmod(fh.name, 0o644)  # FRR reads it after dropping to its own user
    try:
        done = subprocess.run([*cmd, fh.name], capture_output=True, text=True, timeout=300)
        return done.returncode, done.stdout + done.stderr
    finally:
        os.unlink(fh.name)


def frr_check(text: str, bgpd: bool = True, modules: tuple[str, ...] = ()) -> tuple[bool, str]:
    """FRR 8.4's own checks: ``vtysh --dryrun -f`` (the CLI grammar of every daemon; exit
    status 2 on an unknown command) and ``bgpd -C -f`` (bgpd's own parser, which also
    refuses what is grammatical but wrong, such as a neighbour without remote-as; it
    exits 0 and reports on standard error, so its output is read). ``modules`` are loaded
    into that bgpd (``-M rpki`` for the rpki block)."""
    rc, out = _run(["vtysh", "--dryrun", "-f"], text)
    if not bgpd:  # bgpd -C is slow on big route-maps (minutes for a few thousand lines)
        return rc == 0, out
    load = [arg for module in modules for arg in ("-M", module)]
    rc2, out2 = _run([FRR_BGPD, "-C", "-Z", *load, "-f"], text)
    errors = [line for line in out2.splitlines() if "[EC " in line or line.startswith("%")]
    return rc == 0 and rc2 == 0 and not errors, out + out2


def openbgpd_check(text: str) -> tuple[bool, str]:
    rc, out = _run(["/usr/sbin/bgpd", "-n", "-f"], text)
    return rc == 0 and "configuration OK" in out, out


def frr_full(files: dict[str, str], local_asn: int) -> str:
    return (
        "frr defaults traditional\n"
        + files["filters.conf"]
        + f"router bgp {local_asn}\n bgp router-id 192.0.2.1\nexit\n"
        + files["sessions.conf"]
    )


def openbgpd_full(files: dict[str, str], local_asn: int) -> str:
    return f"AS {local_asn}\nrouter-id 192.0.2.1\n" + "".join(
        files[n] for n in ("sets.conf", "sessions.conf", "filters.conf")
    )


def example_policy(folder: Path) -> tuple[list[Verdict], RouterPolicy]:
    """The bundled example, copied to ``folder`` with neighbour addresses and a max-prefix
    added."""
    for item in EXAMPLE.iterdir():
        shutil.copy(item, folder / item.name)
    toml = (folder / "routesieve.toml").read_text(encoding="utf-8")
    for session, address in NEIGHBORS.items():
        toml = toml.replace(f'name = "{session}",', f'name = "{session}", neighbor = "{address}",')
    toml = toml.replace("asn = 209002\n", "asn = 209002\nmax_prefix = 100\n")
    (folder / "routesieve.toml").write_text(toml, encoding="utf-8")
    config = load_config(folder / "routesieve.toml")
    policy = config.to_policy()
    snapshot = load_snapshot(config, AS_OF).snapshot
    verdicts = list(evaluate(read_routes(folder / "routes.jsonl").items, snapshot, policy))
    sessions = {
        p.asn: tuple(
            SessionSpec(s.name, str(s.neighbor) if s.neighbor else None, s.exchange, s.route_server)
            for s in p.sessions
        )
        for p in config.peers
    }
    max_prefix = {p.asn: p.max_prefix for p in config.peers}
    return verdicts, router_policy(verdicts, policy, snapshot, sessions, max_prefix)


def large_policy(peers: int = 120, roas: int = 4000) -> RouterPolicy:
    """A dual-stack policy much larger than the example: many peers, ROAs and ranges."""
    guard = Guard(
        families=frozenset({4, 6}),
        ipv4_length=(8, 24),
        ipv6_length=(16, 48),
        max_hops=50,
        bogons=(Prefix.parse("10.0.0.0/8"), Prefix.parse("192.0.2.0/24"), Prefix.parse("::/3")),
        exchange_prefixes=(Prefix.parse("2001:7f8::/64"), Prefix.parse("185.1.0.0/24")),
        unallocated_asns=(
            (1_000_000, 1_099_999),
            (1_200_000, 3_999_999),
            (4_100_000, 4_199_999_999),
        ),
        bogon_asns=((64496, 64511), (4_200_000_000, 4_294_967_294)),
        check_first_as=True,
    )
    roa_list = tuple(
        RoaEntry(
            Prefix.from_address(6, (0x2A0E << 112) | (i << 80), 32)
            if i % 2
            else Prefix.from_address(4, (45 << 24) | (i << 8), 24),
            48 if i % 2 else 24,
            300_000 + i % 700,
        )
        for i in range(roas)
    )
    peer_list = []
    for n in range(peers):
        asn = 200_000 + n
        accept = tuple(
            sorted(
                {
                    Prefix.from_address(6, (0x2A0F << 112) | (n << 96) | (k << 88), 40)
                    for k in range(40)
                }
                | {Prefix.from_address(4, (46 << 24) | (n << 16) | (k << 8), 24) for k in range(20)}
            )
        )
        rs = n == 0
        members = tuple((300_000 + m, accept[m : m + 3]) for m in range(5)) if rs else ()
        sessions = (
            SessionSpec(f"s{n}-v6", f"fd00:6::{n + 1:x}", "IX", rs),
            SessionSpec(f"s{n}-v4", f"198.18.{n // 250}.{n % 250 + 1}", "IX", rs),
        )
        peer_list.append(
            PeerFilter(asn, f"Peer {n}", accept, members, sessions, 1000 if n % 3 else None, rs)
        )
    prov = (Provenance("rpki", "generated", "2026-01-01", roas),)
    return RouterPolicy(64_999, guard, roa_list, tuple(peer_list), prov)
