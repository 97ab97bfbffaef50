"""Real FRR and OpenBGPD routers fed by GoBGP, for the collector tests and benchmark.

The daemons are started as ``tests/outputs/frr_openbgpd_harness.py`` starts them (FRR's
bgpd without zebra, OpenBGPD in the foreground with its own socket); each GoBGP speaker
binds its own loopback address and connects to the router, which is passive. Each
router's import policy denies the prefixes of ``DENIED``: the collectors must still
return them, with the path exactly as sent.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "outputs"))

import frr_openbgpd_harness as h
import pytest
from daemon_lab import Processes, free_port

from routesieve.model import AsPath

ROUTER_AS = 64999
A, B = "fd00:18::11", "fd00:18::12"  # our own addresses on lo, one per neighbour
AS_A, AS_B = 65001, 65002
BENCH_A = "fd00:18::31"  # the benchmark's neighbour, apart from the tests' addresses

# (prefix, path as sent) per neighbour; the policy denies the prefixes in DENIED
SENT_A = (
    ("2001:db8:a1::/48", "65001 65010"),
    ("2001:db8:a2::/48", "65001 {65011,65012} 65013"),  # an AS_SET, accepted as sent
    ("2001:db8:a3::/48", "65001 65014 65014 65014 65015"),
    ("2001:db8:a4::/48", "65099 65010"),  # a first AS that is not the peer's
    ("2001:db8:d1::/48", "65001 65020"),  # denied by the import policy
    ("2001:db8:d2::/48", "65001 {65021} 65022"),  # denied, with an AS_SET
)
SENT_B = (
    ("2001:db8:b1::/48", "65002"),
    ("2001:db8:d3::/48", "65002 65030"),  # denied
)
DENIED = ("2001:db8:d1::/48", "2001:db8:d2::/48", "2001:db8:d3::/48")


@dataclass(frozen=True)
class Lab:
    port: int
    speakers: dict[str, h.Speaker]


def start_speakers(procs: Processes, folder: Path, port: int) -> Lab:
    speakers = {
        A: h.start_speaker(procs, folder / "a", AS_A, ROUTER_AS, 1, A, port),
        B: h.start_speaker(procs, folder / "b", AS_B, ROUTER_AS, 2, B, port),
    }
    for address, sent in ((A, SENT_A), (B, SENT_B)):
        for prefix, path in sent:
            h.announce(speakers[address], prefix, AsPath.parse(path))
    return Lab(port, speakers)


def frr_conf(
    soft_reconfiguration: Sequence[str],
    bmp_port: int | None = None,
    neighbors: Sequence[tuple[str, int]] = ((A, AS_A), (B, AS_B)),
) -> str:
    """bgpd.conf for FRR: both neighbours passive, the deny route-map on both, and
    soft-reconfiguration inbound on the ones named; BMP to ``bmp_port`` when given."""
    denied = "".join(
        f"ipv6 prefix-list lab_denied seq {5 * (i + 1)} permit {p}\n" for i, p in enumerate(DENIED)
    )
    blocks = "".join(
        f" neighbor {a} remote-as {asn}\n neighbor {a} passive\n no neighbor {a} enforce-first-as\n"
        for a, asn in neighbors
    )
    family = "".join(
        f"  neighbor {a} activate\n  neighbor {a} route-map lab_in in\n"
        + (f"  neighbor {a} soft-reconfiguration inbound\n" if a in soft_reconfiguration else "")
        for a, _ in neighbors
    )
    bmp = ""
    if bmp_port is not None:
        bmp = (
            " bmp targets lab\n"
            f"  bmp connect 127.0.0.1 port {bmp_port} min-retry 100 max-retry 1000\n"
            "  bmp monitor ipv6 unicast pre-policy\n"
            "  bmp monitor ipv6 unicast post-policy\n"
            " exit\n"
        )
    return (
        "frr defaults traditional\nhostname lab18\n"
        + denied
        + "route-map lab_in deny 10\n match ipv6 address prefix-list lab_denied\n"
        + "route-map lab_in permit 20\n"
        + f"router bgp {ROUTER_AS}\n bgp router-id 192.0.2.1\n no bgp reject-as-sets\n"
        + " no bgp ebgp-requires-policy\n"
        + blocks
        + " address-family ipv4 unicast\n"
        + "".join(f"  no neighbor {a} activate\n" for a, _ in neighbors)
        + " exit-address-family\n"
        + " address-family ipv6 unicast\n"
        + family
        + " exit-address-family\n"
        + bmp
        + "exit\n"
    )


def openbgpd_conf(
    sock: Path, port: int, neighbors: Sequence[tuple[str, int]] = ((A, AS_A), (B, AS_B))
) -> str:
    denied = " ".join(DENIED)
    blocks = "".join(
        f"neighbor {a} {{\n\tremote-as {asn}\n\tpassive\n\tenforce neighbor-as no\n"
        "\tannounce IPv6 unicast\n}\n"
        for a, asn in neighbors
    )
    return (
        f'AS {ROUTER_AS}\nrouter-id 192.0.2.1\nsocket "{sock}"\nlisten on ::1 port {port}\n'
        f"prefix-set lab_denied {{ {denied} }}\n"
        + blocks
        + "allow from any\ndeny quick from any prefix-set lab_denied\n"
    )


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.fail(f"needed on this machine (scripts/debian-packages.sh): {', '.join(missing)}")


__all__ = ["DENIED", "SENT_A", "SENT_B", "A", "B", "Lab", "Processes", "free_port", "h", "need"]
