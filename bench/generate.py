"""Write realistic, full-size synthetic data for the routesieve benchmarks.

Usage: ``python bench/generate.py [OUT_DIR] [--seed N]`` (default ``bench/out/``).

Everything is written in the real formats the readers take:

* ``routes.jsonl``: the received routes of AS214312 (an IPv6-only network at two
  exchanges, plus one transit session) from about 300 peers: a full IPv6 table from the
  transit, the customer cones of the bilateral peers (on one or both exchanges), and a
  quarter of the lines from route-server sessions (``peer_asn`` the route server, first AS
  the member). Paths come from one AS topology (tier 1s, a few thousand transits, tens of
  thousands of origins), so they repeat as they do in a real table;
* ``vrps.json``: rpki-client JSON, IPv4 and IPv6 VRPs;
* ``irr.db``: one RPSL dump: route/route6, as-set (nested, one loop), aut-num,
  inet6num and organisation objects;
* ``delegated-<rir>-extended-latest``: RIR statistics, one file per RIR;
* ``routesieve.toml``: the configuration, pointing at the files above (relative paths).

A fixed seed makes the output the same on every run. VRP expiry times are fixed dates in
2031 (a handful in 2023, which the engine ignores), so the data does not go stale.
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "out"
SEED = 214312
LOCAL_ASN = 214312

# ---- sizes --------------------------------------------------------------------------
N_L1 = 400  # large regional transits
N_L2 = 2_600  # small transits
N_STUB = 30_000  # origin-only networks
N_DIRECT_PEERS = 297  # bilateral IXP peers (plus the transit and two route servers)
N_EXTRA_HOLDERS = 40_000  # address holders with no route in the table
N_V4_VRPS = 720_000
N_V4_ROUTE_OBJECTS = 880_000
N_UNRELATED_AS_SETS = 15_000
SCALED = ("N_L1", "N_L2", "N_STUB", "N_EXTRA_HOLDERS", "N_V4_VRPS", "N_V4_ROUTE_OBJECTS")
SCALED += ("N_UNRELATED_AS_SETS", "N_DIRECT_PEERS")


def scale(factor: float) -> None:
    """Multiply the sizes above by ``factor`` (the transit and route servers stay).

    The tests use a small, fixed world (``--scale 0.05``) whose verdicts have a stored
    digest; the benchmarks use 1.
    """
    for name in SCALED:
        globals()[name] = max(1, round(globals()[name] * factor))


TIER1 = (174, 701, 1299, 2914, 3257, 3320, 3356, 3491, 5511, 6453, 6461, 6762, 6830, 7018, 12956)
OPEN_PEERING_TIER1 = 6939  # peers openly at exchanges, a huge cone and as-set
TRANSIT_ASN = 34549  # the upstream that sends the full table
RS = {"locix": 202409, "bgpx": 212100}  # route-server ASNs of the two exchanges

RIRS = ("ripencc", "arin", "apnic", "lacnic", "afrinic")
RIR_WEIGHTS = (0.45, 0.2, 0.2, 0.1, 0.05)
RIR_ASNS = {  # 32-bit ASN ranges each RIR hands out
    "ripencc": (196_608, 216_000),
    "arin": (393_216, 402_000),
    "apnic": (131_072, 152_000),
    "lacnic": (262_144, 270_000),
    "afrinic": (327_680, 329_500),
}
RIR_V6 = {  # (a /12 for allocations, a /12 for PI assignments) as the first 16 bits
    "ripencc": (0x2A00, 0x2A10),
    "arin": (0x2600, 0x2610),
    "apnic": (0x2400, 0x2410),
    "lacnic": (0x2800, 0x2810),
    "afrinic": (0x2C00, 0x2C10),
}
RIR_CC = {
    "ripencc": ("DE", "NL", "GB", "FR", "SE", "PL", "RU", "IT", "CH", "AT", "CZ", "UA"),
    "arin": ("US", "CA", "US", "US"),
    "apnic": ("JP", "AU", "CN", "IN", "ID", "KR", "SG", "VN"),
    "lacnic": ("BR", "AR", "MX", "CL", "CO"),
    "afrinic": ("ZA", "NG", "KE", "EG"),
}
RIR_TA = {"ripencc": "ripe", "arin": "arin", "apnic": "apnic", "lacnic": "lacnic"}
RIR_TA["afrinic"] = "afrinic"
IRR_SOURCE = {"ripencc": "RIPE", "arin": "ARIN", "apnic": "APNIC", "lacnic": "LACNIC"}
IRR_SOURCE["afrinic"] = "AFRINIC"

# Announced IPv6 prefix lengths, weighted like today's DFZ (percent).
LENGTH_WEIGHTS = {
    19: 0.005, 20: 0.02, 22: 0.03, 23: 0.03, 24: 0.1, 26: 0.1, 27: 0.15, 28: 1.2, 29: 3.0,
    30: 0.4, 31: 0.4, 32: 10.0, 33: 1.2, 34: 1.0, 35: 0.5, 36: 4.0, 37: 0.4, 38: 0.8,
    39: 0.4, 40: 8.0, 41: 0.4, 42: 0.8, 43: 0.4, 44: 8.0, 45: 0.8, 46: 2.0, 47: 1.5,
    48: 50.0, 49: 0.03, 52: 0.03, 56: 0.06, 64: 0.06,
}  # fmt: skip
LENGTHS = list(LENGTH_WEIGHTS)
LENGTH_CUM = []
_acc = 0.0
for _w in LENGTH_WEIGHTS.values():
    _acc += _w
    LENGTH_CUM.append(_acc)

EXPIRES = 1_924_992_000  # 2031-01-01
EXPIRED = 1_700_000_000  # 2023-11-14: ignored by the engine
GENERATED = "20261125"
SYLLABLES = [
    "ka",
    "ro",
    "ne",
    "lu",
    "ta",
    "mi",
    "so",
    "ve",
    "da",
    "ri",
    "no",
    "fa",
    "le",
    "gi",
    "tu",
    "be",
    "ma",
    "xo",
    "zen",
    "wi",
    "ha",
    "ly",
    "qu",
    "pe",
    "sa",
    "ter",
    "lin",
    "dor",
    "mar",
    "vel",
    "tran",
    "net",
    "com",
    "data",
    "fiber",
    "wave",
    "link",
    "core",
    "star",
    "sky",
    "blue",
    "nord",
]


def v6(value: int) -> str:
    return socket.inet_ntop(socket.AF_INET6, value.to_bytes(16, "big"))


def v4(value: int) -> str:
    return socket.inet_ntoa(value.to_bytes(4, "big"))


def p6(value: int, length: int) -> str:
    return f"{v6(value)}/{length}"


@dataclass
class Net:
    asn: int
    kind: str  # tier1, l1, l2, stub, holder
    rir: str
    org: str  # the RIR opaque-id of its holder
    name: str
    up: list[int] = field(default_factory=list)
    allocations: list[tuple[int, int]] = field(default_factory=list)  # delegated to it
    prefixes: list[tuple[int, int]] = field(default_factory=list)  # announced
    prepend: int = 0  # extra copies of the origin at the end of its paths
    as_set: str | None = None


class Space:
    """A bump allocator of aligned blocks inside one region, with random gaps."""

    def __init__(self, top16: int, rng: random.Random) -> None:
        self.next = top16 << 112
        self.end = (top16 + 16) << 112  # a /12
        self.rng = rng

    def take(self, length: int) -> int:
        size = 1 << (128 - length)
        start = -(-self.next // size) * size
        if self.rng.random() < 0.3:
            start += size * self.rng.randint(1, 3)
        if start + size > self.end:
            raise RuntimeError("address region full: lower the sizes")
        self.next = start + size
        return start


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.nets: dict[int, Net] = {}
        self.used_asns: set[int] = {0, 23456, LOCAL_ASN, TRANSIT_ASN, *RS.values(), *TIER1}
        self.used_asns.add(OPEN_PEERING_TIER1)
        self.names: set[str] = set()
        self.main = {r: Space(RIR_V6[r][0], self.rng) for r in RIRS}
        self.pi = {r: Space(RIR_V6[r][1], self.rng) for r in RIRS}
        self.announced: set[tuple[int, int]] = set()
        self.chains: dict[int, list[tuple[int, ...]]] = {}
        self.cone: dict[int, dict[int, tuple[int, ...]]] = {}

    # ---- identities ----------------------------------------------------------------
    def new_asn(self, rir: str, sixteen: float) -> int:
        rng = self.rng
        while True:
            if rng.random() < sixteen:
                asn = rng.randint(1, 64_495)
            else:
                lo, hi = RIR_ASNS[rir]
                asn = rng.randint(lo, hi)
            if asn not in self.used_asns:
                self.used_asns.add(asn)
                return asn

    def new_name(self) -> str:
        rng = self.rng
        while True:
            name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).upper()
            if rng.random() < 0.3:
                name += rng.choice(("-NET", "-IX", "-TELECOM", "-HOSTING", "-ISP"))
            if name not in self.names:
                self.names.add(name)
                return name

    def new_org(self) -> str:
        return f"{self.rng.getrandbits(128):032x}"

    def add(self, asn: int, kind: str, rir: str, up: list[int]) -> Net:
        net = Net(asn, kind, rir, self.new_org(), self.new_name(), up)
        self.nets[asn] = net
        return net

    def rir(self) -> str:
        return self.rng.choices(RIRS, RIR_WEIGHTS)[0]

    # ---- topology --------------------------------------------------------------------
    def topology(self) -> None:
        rng = self.rng
        tier1 = [*TIER1, OPEN_PEERING_TIER1]
        for asn in tier1:
            self.add(asn, "tier1", rng.choice(("arin", "ripencc")), [])
        # preferential attachment: an urn holds each AS once, plus once per customer
        urn1: list[int] = []
        l1: list[int] = []
        for _ in range(N_L1):
            r = self.rir()
            asn = self.new_asn(r, 0.6)
            self.add(asn, "l1", r, rng.sample(tier1, rng.choice((1, 1, 2, 2, 3))))
            urn1.append(asn)
            l1.append(asn)
        transit = self.add(TRANSIT_ASN, "l1", "ripencc", rng.sample(TIER1, 2))
        transit.name = "MEERFARBIG"
        urn1.append(TRANSIT_ASN)
        urn2: list[int] = []
        for _ in range(N_L2):
            r = self.rir()
            asn = self.new_asn(r, 0.35)
            first = rng.choice(urn2) if urn2 and rng.random() < 0.2 else rng.choice(urn1)
            up = [first]
            if rng.random() < 0.35:
                second = rng.choice(urn1)
                if second != first:
                    up.append(second)
            self.add(asn, "l2", r, up)
            for u in up:
                (urn1 if self.nets[u].kind == "l1" else urn2).append(u)
            urn2.append(asn)
        for _ in range(N_STUB):
            r = self.rir()
            asn = self.new_asn(r, 0.15)
            first = rng.choice(urn2) if rng.random() < 0.85 else rng.choice(urn1)
            up = [first]
            if rng.random() < 0.4:
                second = rng.choice(urn2) if rng.random() < 0.6 else rng.choice(urn1)
                if second != first:
                    up.append(second)
            self.add(asn, "stub", r, up)
            for u in up:
                (urn1 if self.nets[u].kind == "l1" else urn2).append(u)
        # chains (tier 1 first): one through each upstream, via the upstream's first chain
        for asn, net in self.nets.items():  # insertion order: upstreams come first
            if not net.up:
                self.chains[asn] = [(asn,)]
            else:
                self.chains[asn] = [(*self.chains[u][0], asn) for u in net.up]
        # cones: the shortest path each transit has to each AS below it
        for asn, chains in self.chains.items():
            for chain in chains:
                for i, t in enumerate(chain):
                    cone = self.cone.setdefault(t, {})
                    tail = chain[i:]
                    old = cone.get(asn)
                    if old is None or len(tail) < len(old):
                        cone[asn] = tail

    # ---- addresses ---------------------------------------------------------------------
    def draw_lengths(self, k: int) -> list[int]:
        return sorted(self.rng.choices(LENGTHS, cum_weights=LENGTH_CUM, k=k))

    def prefix_count(self, net: Net) -> int:
        rng = self.rng
        if net.kind == "tier1":
            return rng.randint(10, 80)
        if net.kind == "l1":
            return min(3000, int(8 * rng.paretovariate(1.2)))
        if net.kind == "l2":
            return min(1500, int(2 * rng.paretovariate(1.3)))
        return min(800, int(rng.paretovariate(1.25)))

    def addresses(self) -> None:
        rng = self.rng
        for net in self.nets.values():
            lengths = self.draw_lengths(max(1, self.prefix_count(net)))
            if (
                net.kind == "stub"
                and len(lengths) == 1
                and lengths[0] >= 44
                and rng.random() < 0.12
                and self.nets[net.up[0]].allocations
            ):
                # provider-aggregatable: a sub-prefix of the upstream's allocation
                value, alen = self.nets[net.up[0]].allocations[0]
                if alen < lengths[0]:
                    sub = self.sub_prefix(value, alen, lengths[0])
                    if sub is not None:
                        net.prefixes.append(sub)
                        continue
            low = lengths[0]
            if low > 32 and (len(lengths) > 1 or low < 48 or rng.random() < 0.25):
                net.allocations.append((self.main[net.rir].take(32), 32))
            for length in lengths:
                placed = None
                for value, alen in net.allocations:
                    if alen < length:
                        placed = self.sub_prefix(value, alen, length)
                        if placed is not None:
                            break
                if placed is None:
                    space = self.pi[net.rir] if length >= 48 else self.main[net.rir]
                    value = space.take(length)
                    net.allocations.append((value, length))
                    placed = (value, length)
                    self.announced.add(placed)
                net.prefixes.append(placed)
            roll = rng.random()
            if roll < 0.08:
                net.prepend = rng.randint(1, 2)
            elif roll < 0.11:
                net.prepend = rng.randint(3, 7)
            elif roll < 0.115:
                net.prepend = rng.randint(8, 20)

    def sub_prefix(self, value: int, alen: int, length: int) -> tuple[int, int] | None:
        for _ in range(8):
            sub = (value + (self.rng.getrandbits(length - alen) << (128 - length)), length)
            if sub not in self.announced:
                self.announced.add(sub)
                return sub
        return None

    def extra_holders(self) -> list[Net]:
        """Address holders with delegations, ROAs and route objects but no route here."""
        out = []
        for _ in range(N_EXTRA_HOLDERS):
            r = self.rir()
            net = Net(self.new_asn(r, 0.05), "holder", r, self.new_org(), "")
            length = self.rng.choice((29, 32, 32, 48, 48, 48))
            space = self.pi[r] if length == 48 else self.main[r]
            net.allocations.append((space.take(length), length))
            out.append(net)
        return out

    # ---- paths -------------------------------------------------------------------------
    def path_to(self, peer: int, origin: int) -> tuple[int, ...]:
        """The path ``peer`` sends for ``origin``'s prefixes, peer first."""
        tail = self.cone.get(peer, {}).get(origin)
        if tail is not None:
            return tail
        up = tuple(reversed(self.chains[peer][0]))  # peer ... its tier 1
        for j, node in enumerate(up[1:], 1):
            down = self.cone[node].get(origin)
            if down is not None:
                return up[:j] + down
        return up + self.chains[origin][0]  # tier 1 to tier 1

    def with_prepends(self, path: tuple[int, ...], origin: int) -> tuple[int, ...]:
        extra = self.nets[origin].prepend
        return path + (origin,) * extra if extra else path


@dataclass
class PeerEntry:
    asn: int
    name: str
    sessions: list[tuple[str, bool, str | None]]  # (name, route_server, exchange)
    as_sets: list[str] = field(default_factory=list)
    max_prefix: int | None = None


LOCIX = "LOCIX Düsseldorf"
BGPX = "BGP.Exchange Düsseldorf"
LAN = {LOCIX: "2001:7f8:f2:e1::/64", BGPX: "2001:7f8:139::/64"}


def build(seed: int, out: Path) -> dict[str, object]:
    t0 = time.perf_counter()
    g = Generator(seed)
    rng = g.rng
    g.topology()
    g.addresses()
    holders = g.extra_holders()
    nets = g.nets
    universe = [(asn, p) for asn, net in nets.items() for p in net.prefixes]
    origins_of = {asn: net.prefixes for asn, net in nets.items() if net.prefixes}

    # ---- peers -------------------------------------------------------------------------
    cone_routes = {t: sum(len(nets[o].prefixes) for o in c) for t, c in g.cone.items()}
    by_kind: dict[str, list[int]] = {}
    for asn, net in nets.items():
        by_kind.setdefault(net.kind, []).append(asn)
    direct: list[int] = [OPEN_PEERING_TIER1]
    large, small = round(N_DIRECT_PEERS * 60 / 297), round(N_DIRECT_PEERS * 120 / 297)
    wanted = (("l1", large), ("l2", small), ("stub", N_DIRECT_PEERS - 1 - large - small))
    for kind, want in wanted:
        pool = [a for a in by_kind[kind] if a != TRANSIT_ASN and cone_routes.get(a, 0) < 12_000]
        direct += rng.sample(pool, want)
    entries: list[PeerEntry] = []
    lines: list[str] = []
    sessions_of: dict[int, list[str]] = {}

    def emit(peer_asn: int, session: str, prefix: str, path: str) -> None:
        lines.append(
            f'{{"peer_asn": {peer_asn}, "prefix": "{prefix}", "as_path": "{path}", '
            f'"session": "{session}"}}'
        )

    def send(peer_asn: int, session: str, speaker: int) -> int:
        n = 0
        for origin in g.cone.get(speaker, {speaker: (speaker,)}):
            path = " ".join(map(str, g.with_prepends(g.path_to(speaker, origin), origin)))
            for value, length in origins_of.get(origin, ()):
                emit(peer_asn, session, p6(value, length), path)
                n += 1
        return n

    # the transit: the full table
    entries.append(PeerEntry(TRANSIT_ASN, "Upstream transit", [("transit-1", False, None)]))
    full_paths: dict[int, str] = {}
    for origin, (value, length) in universe:
        path = full_paths.get(origin)
        if path is None:
            path = " ".join(map(str, g.with_prepends(g.path_to(TRANSIT_ASN, origin), origin)))
            full_paths[origin] = path
        emit(TRANSIT_ASN, "transit-1", p6(value, length), path)
    n_full = len(lines)

    # bilateral peers, on one exchange or both
    for asn in direct:
        net = nets[asn]
        names = []
        roll = rng.random()
        if roll < 0.45:
            names.append((f"locix-{asn}", False, LOCIX))
        if roll > 0.3:
            names.append((f"bgpx-{asn}", False, BGPX))
        entries.append(PeerEntry(asn, net.name.title(), names))
        for session, _, _ in names:
            send(asn, session, asn)
        sessions_of[asn] = [s for s, _, _ in names]
    n_direct = len(lines) - n_full

    # route servers: members until a quarter of all lines came through them
    rs_sessions = {"locix": ["locix-rs1", "locix-rs2"], "bgpx": ["bgpx-rs1"]}
    entries.append(
        PeerEntry(RS["locix"], "LOCIX RS", [(s, True, LOCIX) for s in rs_sessions["locix"]])
    )
    entries.append(
        PeerEntry(RS["bgpx"], "BGP.Exchange RS", [(s, True, BGPX) for s in rs_sessions["bgpx"]])
    )
    target = (n_full + n_direct) // 3
    transits = [a for a in by_kind["l1"] + by_kind["l2"] if 20 < cone_routes.get(a, 0) < 6_000]
    small = list(by_kind["stub"])
    rng.shuffle(transits)
    rng.shuffle(small)
    candidates = []
    while transits and small and len(candidates) < 2_000:
        candidates.append(transits.pop() if rng.random() < 0.6 else small.pop())
    n_members = 0
    for member in candidates:
        if len(lines) - n_full - n_direct >= target:
            break
        ix = rng.choice(("locix", "bgpx", "both"))
        for x in ("locix", "bgpx") if ix == "both" else (ix,):
            for session in rs_sessions[x]:
                send(RS[x], session, member)
        n_members += 1
    n_rs = len(lines) - n_full - n_direct

    # ---- the odd routes every real table has -------------------------------------------
    odd_peer = direct[5]
    odd_session = sessions_of[odd_peer][0]
    sample = rng.sample(universe, 400)
    odd: list[tuple[str, str]] = []
    for i in range(25):  # bogons: documentation, ULA, 6to4, 3fff::/20, outside 2000::/3
        odd.append((f"2001:db8:{i:x}::/48", f"{odd_peer} 64512"))
        odd.append((f"fd{i:02x}:{rng.getrandbits(16):x}::/48", f"{odd_peer}"))
        six_to_four = f"2002:{rng.getrandbits(16):x}:{rng.getrandbits(16):x}::/48"
        odd.append((six_to_four, f"{odd_peer} 3320"))
    odd.append(("3fff:1234::/32", f"{odd_peer}"))
    odd.append(("4000::/16", f"{odd_peer}"))
    odd.append(("::/0", f"{odd_peer}"))
    odd.append(("2a00::/12", f"{odd_peer} 3320"))  # too short
    odd.append((LAN[LOCIX], f"{odd_peer}"))  # an exchange LAN (3.5)
    odd.append(("2001:7f8:139::/48", f"{odd_peer}"))
    for i, (origin, (value, length)) in enumerate(sample):
        text = p6(value, length)
        kind = i % 10
        if kind == 0:  # AS_SET at the end (aggregated)
            odd.append((text, f"{odd_peer} {origin} {{{origin} {rng.choice(TIER1)}}}"))
        elif kind == 1:  # AS_TRANS
            odd.append((text, f"{odd_peer} 23456 {origin}"))
        elif kind == 2:  # unallocated 32-bit ASN
            odd.append((text, f"{odd_peer} {rng.randint(1_500_000_000, 1_900_000_000)} {origin}"))
        elif kind == 3:  # private ASN leaked
            odd.append((text, f"{odd_peer} {rng.randint(64_512, 65_534)} {origin}"))
        elif kind == 4:  # private 32-bit ASN
            odd.append((text, f"{odd_peer} {rng.randint(4_200_000_000, 4_294_967_294)} {origin}"))
        elif kind == 5:  # a hijack: another origin
            odd.append((text, f"{odd_peer} {rng.choice(TIER1)} {rng.choice(direct)}"))
        elif kind == 6:  # too long
            sub = value + (rng.getrandbits(8) << 72)
            odd.append((p6(sub & ~((1 << 72) - 1), 56), f"{odd_peer} {origin}"))
        elif kind == 7:  # a prepend storm, 40 to 60 hops
            odd.append((text, " ".join([str(odd_peer)] + [str(origin)] * rng.randint(40, 60))))
        elif kind == 8:  # first AS is not the peer
            odd.append((text, f"{rng.choice(TIER1)} {origin}"))
        else:  # leaked customer route from a stub
            odd.append((text, f"{odd_peer} {rng.choice(TIER1)} {origin}"))
    odd.append((f"{odd_peer}", "not a prefix"))
    for prefix, path in odd:
        emit(odd_peer, odd_session, prefix, path)
    lines.append(f'{{"peer_asn": {odd_peer}, "prefix": "2a0e:zz::/32", "as_path": "{odd_peer}"}}')
    lines.append(f'{{"peer_asn": {odd_peer}, "prefix": "2a0e:8a00::/32", "as_path": ""}}')
    lines.append(
        f'{{"peer_asn": {odd_peer}, "prefix": "2a0e:8a00::/48", '
        f'"as_path": [{odd_peer}, [64512, 64513]], "session": "{odd_session}"}}'
    )
    for i in range(150):  # IPv4 routes on a v6-only network (X-AFI)
        four = f"{rng.randint(1, 223)}.{rng.randint(0, 255)}.{i}.0/24"
        emit(odd_peer, odd_session, four, str(odd_peer))
    lines.append(
        f'{{"peer_asn": {odd_peer}, "prefix": "2a0e:8a00::/64", '
        f'"as_path": "{odd_peer} 0", "session": "{odd_session}"}}'
    )
    # the routes of one peer twice: the same routes on a second session of the same name
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "routes.jsonl", "w", encoding="utf-8") as fh:
        fh.write(f"# synthetic received routes of AS{LOCAL_ASN} (seed {seed})\n")
        fh.write("\n".join(lines))
        fh.write("\n")
    n_routes = len(lines)
    hop_counts = [
        len(line.split('"as_path": "')[1].split('"')[0].split())
        for line in lines[::7]
        if '"as_path": "' in line
    ]
    lines.clear()

    # ---- RPKI --------------------------------------------------------------------------
    vrps: list[str] = []

    def vrp(asn: int, prefix: str, max_length: int, ta: str, expires: int | None = None) -> None:
        when = expires if expires is not None else EXPIRES + rng.randint(0, 86_400 * 30)
        vrps.append(
            f'\t\t{{ "asn": {asn}, "prefix": "{prefix}", "maxLength": {max_length}, '
            f'"ta": "{ta}", "expires": {when} }}'
        )

    roa_kind: Counter[str] = Counter()
    for net in nets.values():
        if not net.prefixes:
            continue
        ta = RIR_TA[net.rir]
        roll = rng.random()
        if roll < 0.36:  # none
            roa_kind["none"] += 1
            continue
        if roll < 0.62:  # loose: each allocation, maxLength 48
            roa_kind["loose"] += 1
            for value, alen in net.allocations or net.prefixes:
                vrp(net.asn, p6(value, alen), max(alen, 48), ta)
        elif roll < 0.96:  # exact: one VRP per announced prefix
            roa_kind["exact"] += 1
            for value, alen in net.allocations:
                vrp(net.asn, p6(value, alen), alen, ta)
            for value, length in net.prefixes:
                vrp(net.asn, p6(value, length), length, ta)
        elif roll < 0.985:  # the aggregate only: the more specifics are INVALID_LENGTH
            roa_kind["aggregate-only"] += 1
            for value, alen in net.allocations or net.prefixes:
                vrp(net.asn, p6(value, alen), alen, ta)
        else:  # stale: the ROA names a former origin (INVALID_ASN)
            roa_kind["wrong-asn"] += 1
            other = rng.choice(holders).asn
            for value, alen in net.allocations or net.prefixes:
                vrp(other, p6(value, alen), 48, ta)
        if rng.random() < 0.03:  # a DDoS-protection provider may originate it too
            value, length = net.prefixes[0]
            vrp(rng.choice((19551, 13335, 20940)), p6(value, length), length, ta)
    for h in holders:
        value, alen = h.allocations[0]
        roll = rng.random()
        if roll < 0.6:
            vrp(h.asn, p6(value, alen), max(alen, 48), RIR_TA[h.rir])
        elif roll < 0.65:
            vrp(0, p6(value, alen), 128, RIR_TA[h.rir])  # AS0: never to be routed
    n_v6_vrps = len(vrps)
    for i in range(N_V4_VRPS):
        length = rng.choices((16, 18, 19, 20, 21, 22, 23, 24), (2, 2, 3, 6, 6, 12, 14, 55))[0]
        net4 = rng.randint(0x01000000, 0xDFFFFFFF) & ~((1 << (32 - length)) - 1)
        ml = length if rng.random() < 0.7 else 24
        asn = rng.choice(holders).asn if i % 3 else rng.randint(1, 64_495)
        expires = EXPIRED if i % 997 == 0 else None
        vrp(asn, f"{v4(net4)}/{length}", max(ml, length), rng.choice(RIRS[:4]), expires)
    with open(out / "vrps.json", "w", encoding="utf-8") as fh:
        meta = {
            "buildmachine": "bench.routesieve",
            "buildtime": "2026-11-25T06:00:00Z",
            "generated": 1_795_586_400,
            "roas": len(vrps),
            "vrps": len(vrps),
        }
        fh.write('{\n\t"metadata": ')
        fh.write(json.dumps(meta))
        fh.write(',\n\t"roas": [\n')
        fh.write(",\n".join(vrps))
        fh.write('\n\t],\n\t"bgpsec_keys": [],\n\t"aspas": []\n}\n')
    n_vrps = len(vrps)
    vrps.clear()

    # ---- IRR ---------------------------------------------------------------------------
    chunks: list[str] = [
        "% synthetic IRR dump for the routesieve benchmarks\n",
        "% (RPSL, one file for every source)\n\n",
    ]
    n_route_objects = 0
    maint = [f"MAINT-{g.new_name()}" for _ in range(400)]

    def route6(prefix: str, origin: int, source: str, descr: str | None = None) -> None:
        nonlocal n_route_objects
        d = f"descr:          {descr}\n" if descr else ""
        chunks.append(
            f"route6:         {prefix}\n{d}origin:         AS{origin}\n"
            f"mnt-by:         {rng.choice(maint)}\n"
            f"last-modified:  2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z\n"
            f"source:         {source}\n\n"
        )
        n_route_objects += 1

    customers: dict[int, list[int]] = {}
    for asn, net in nets.items():
        for u in net.up:
            customers.setdefault(u, []).append(asn)
    for asn, net in nets.items():
        source = IRR_SOURCE[net.rir]
        for value, length in net.prefixes:
            roll = rng.random()
            if roll < 0.8:
                route6(p6(value, length), asn, source, net.name if roll < 0.2 else None)
            if 0.7 < roll < 0.85:  # also in RADB
                route6(p6(value, length), asn, "RADB")
            if roll > 0.97:  # a stale object with a former origin
                route6(p6(value, length), rng.choice(holders).asn, "RADB")
        for value, alen in net.allocations:
            if rng.random() < 0.3:
                route6(p6(value, alen), asn, source)
    for h in holders:
        if rng.random() < 0.5:
            value, alen = h.allocations[0]
            route6(p6(value, alen), h.asn, IRR_SOURCE[h.rir])
    sources4 = ("RADB", "RIPE", "ARIN", "APNIC", "LACNIC", "AFRINIC", "LEVEL3", "NTTCOM", "ALTDB")
    weights4 = (35, 25, 12, 10, 5, 3, 4, 4, 2)
    for src in rng.choices(sources4, weights4, k=N_V4_ROUTE_OBJECTS):
        length = rng.choices((16, 19, 20, 21, 22, 23, 24), (2, 2, 6, 6, 12, 14, 58))[0]
        net4 = rng.randint(0x01000000, 0xDFFFFFFF) & ~((1 << (32 - length)) - 1)
        origin = rng.choice(holders).asn if rng.random() < 0.5 else rng.randint(1, 64_495)
        chunks.append(
            f"route:          {v4(net4)}/{length}\norigin:         AS{origin}\n"
            f"mnt-by:         {rng.choice(maint)}\nsource:         {src}\n\n"
        )
        n_route_objects += 1

    # as-sets: each transit lists its customers, a customer transit by its own as-set
    for asn, net in nets.items():
        if asn in customers and (net.kind != "l2" or rng.random() < 0.8):
            net.as_set = f"AS{asn}:AS-CUSTOMERS" if rng.random() < 0.2 else f"AS-{net.name}"
    nets[OPEN_PEERING_TIER1].as_set = "AS-HURRICANE"
    loop_peer = next(a for a in direct if nets[a].as_set and len(customers.get(a, ())) > 2)
    loop_child = next(c for c in customers[loop_peer] if nets[c].as_set)
    gone_peer = next(a for a in direct if nets[a].as_set and a != loop_peer)
    n_as_sets = 0
    for asn, net in nets.items():
        if not net.as_set:
            continue
        members = [f"AS{asn}"]
        for c in customers.get(asn, ()):
            members.append(nets[c].as_set or f"AS{c}")
        if asn == loop_child:
            members.append(nets[loop_peer].as_set or "")  # the loop
        if asn == gone_peer:
            members.append("AS-GONE-SINCE-2019")
        rows = [", ".join(members[i : i + 8]) for i in range(0, len(members), 8)]
        body = "".join(f"members:        {row}\n" for row in rows)
        chunks.append(
            f"as-set:         {net.as_set}\ndescr:          {net.name} and customers\n{body}"
            f"mnt-by:         {rng.choice(maint)}\nsource:         {IRR_SOURCE[net.rir]}\n\n"
        )
        n_as_sets += 1
    all_asns = list(nets)
    for _ in range(N_UNRELATED_AS_SETS):
        members = ", ".join(f"AS{a}" for a in rng.sample(all_asns, rng.randint(1, 12)))
        chunks.append(
            f"as-set:         AS-{g.new_name()}\nmembers:        {members}\n"
            f"source:         {rng.choice(('RADB', 'RIPE', 'ARIN'))}\n\n"
        )
        n_as_sets += 1
    # aut-num, inet6num and organisation objects with org: handles (RIPE region)
    for asn, net in nets.items():
        if net.rir != "ripencc" or not net.allocations:
            continue
        org = f"ORG-{net.name.replace('-', '')[:6]}{asn % 1000}-RIPE"
        chunks.append(
            f"organisation:   {org}\norg-name:       {net.name.title()}\nsource:         RIPE\n\n"
            f"aut-num:        AS{asn}\nas-name:        {net.name}\norg:            {org}\n"
            f"source:         RIPE\n\n"
        )
        for value, alen in net.allocations:
            chunks.append(
                f"inet6num:       {p6(value, alen)}\nnetname:        {net.name}\n"
                f"org:            {org}\nsource:         RIPE\n\n"
            )
    with open(out / "irr.db", "w", encoding="utf-8") as fh:
        fh.write("".join(chunks))
    chunks.clear()

    # ---- RIR statistics -----------------------------------------------------------------
    sibling_org: dict[int, str] = {}
    stubs = by_kind["stub"]
    for asn in rng.sample(stubs, len(stubs) // 20):  # networks of one holder
        sibling_org[asn] = nets[rng.choice(stubs)].org
    rows: dict[str, dict[str, list[str]]] = {r: {"asn": [], "ipv4": [], "ipv6": []} for r in RIRS}
    for net in [*nets.values(), *holders]:
        r = net.rir
        cc = rng.choice(RIR_CC[r])
        org = sibling_org.get(net.asn, net.org)
        date = f"{rng.randint(1995, 2026)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        rows[r]["asn"].append(f"{r}|{cc}|asn|{net.asn}|1|{date}|assigned|{org}")
        for value, alen in net.allocations:
            status = "assigned" if alen >= 48 else "allocated"
            rows[r]["ipv6"].append(f"{r}|{cc}|ipv6|{v6(value)}|{alen}|{date}|{status}|{org}")
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            count = rng.choice((256, 512, 1024, 1024, 2048, 4096, 8192, 1536, 65536))
            start = rng.randint(0x01000000, 0xDFFFFFFF) & ~0xFFFF
            rows[r]["ipv4"].append(f"{r}|{cc}|ipv4|{v4(start)}|{count}|{date}|allocated|{org}")
    rir_files = []
    for r in RIRS:
        for i in range(200):  # the free pool
            rows[r]["ipv6"].append(f"{r}|ZZ|ipv6|{v6(g.main[r].take(29))}|29||available|")
            rows[r]["asn"].append(f"{r}|ZZ|asn|{RIR_ASNS[r][1] + 1 + i}|1||reserved|")
        total = sum(len(v) for v in rows[r].values())
        name = f"delegated-{r}-extended-latest"
        with open(out / name, "w", encoding="utf-8") as fh:
            fh.write(f"2|{r}|{GENERATED}|{total}|19830705|{GENERATED}|+0000\n")
            for kind in ("asn", "ipv4", "ipv6"):
                fh.write(f"{r}|*|{kind}|*|{len(rows[r][kind])}|summary\n")
            for kind in ("asn", "ipv4", "ipv6"):
                fh.write("\n".join(rows[r][kind]))
                fh.write("\n")
        rir_files.append(name)

    # ---- the configuration --------------------------------------------------------------
    for e in entries:
        net = nets.get(e.asn)
        if e.asn == loop_peer or e.asn == gone_peer or e.asn == OPEN_PEERING_TIER1:
            e.as_sets = [net.as_set] if net and net.as_set else []
        elif net and net.as_set and rng.random() < 0.45:
            src = IRR_SOURCE[net.rir]
            e.as_sets = [f"{src}::{net.as_set}" if rng.random() < 0.5 else net.as_set]
        if rng.random() < 0.5 and e.asn in cone_routes:
            e.max_prefix = max(10, cone_routes[e.asn] * 2)
    write_config(out / "routesieve.toml", entries, rir_files)

    lengths = Counter(length for _, (_, length) in universe)
    return {
        "seconds": round(time.perf_counter() - t0, 1),
        "route lines": n_routes,
        "  full table (transit-1)": n_full,
        "  bilateral peers": n_direct,
        "  route servers": n_rs,
        "  route-server members": n_members,
        "distinct prefixes": len(universe),
        "origin ASes": len(origins_of),
        "transit ASes": len(by_kind["l1"]) + len(by_kind["l2"]) + len(by_kind["tier1"]),
        "peers in config": len(entries),
        "mean hops (sample)": round(sum(hop_counts) / len(hop_counts), 2),
        "max hops (sample)": max(hop_counts),
        "VRPs": n_vrps,
        "  IPv6 VRPs": n_v6_vrps,
        "ROA styles": dict(roa_kind),
        "route/route6 objects": n_route_objects,
        "as-sets": n_as_sets,
        "prefix lengths %": {
            f"/{k}": round(100 * v / len(universe), 1) for k, v in sorted(lengths.items())
        },
    }


def write_config(path: Path, entries: list[PeerEntry], rir_files: list[str]) -> None:
    out = [
        "# synthetic benchmark configuration (bench/generate.py): AS214312, IPv6 only,",
        "# two Düsseldorf exchanges, one transit, about 300 peers.",
        "",
        "[local]",
        f"asn = {LOCAL_ASN}",
        'name = "AS214312"',
        'families = ["ipv6"]',
        "",
        "[policy.checks]",
        "first_as = true",
        "bogon_asn = true",
        "",
        "[[exchanges]]",
        f'name = "{BGPX}"',
        "peeringdb_ix = 3844",
        f'prefixes = ["{LAN[BGPX]}"]',
        "",
        "[[exchanges]]",
        f'name = "{LOCIX}"',
        "peeringdb_ix = 2730",
        f'prefixes = ["{LAN[LOCIX]}"]',
        "",
    ]
    host = 0x100
    for e in entries:
        out.append("[[peers]]")
        out.append(f"asn = {e.asn}")
        out.append(f"name = {json.dumps(e.name, ensure_ascii=False)}")
        if e.as_sets:
            out.append(f"as_sets = {json.dumps(e.as_sets)}")
        if e.max_prefix:
            out.append(f"max_prefix = {e.max_prefix}")
        out.append("sessions = [")
        for name, rs, exchange in e.sessions:
            parts = [f'name = "{name}"']
            if rs:
                parts.append("route_server = true")
            if exchange:
                lan = LAN[exchange].split("::/")[0]
                parts.append(f"exchange = {json.dumps(exchange, ensure_ascii=False)}")
                parts.append(f'neighbor = "{lan}::{host:x}"')
                host += 1
            out.append("  { " + ", ".join(parts) + " },")
        out.append("]")
        out.append("")
    out += [
        "[sources]",
        'rpki = ["vrps.json"]',
        'irr = ["irr.db"]',
        f"rir = {json.dumps(rir_files)}",
        "",
    ]
    path.write_text("\n".join(out), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="size factor (default 1)")
    args = parser.parse_args(argv)
    scale(args.scale)
    stats = build(args.seed, args.out)
    for key, value in stats.items():
        print(f"{key:28} {value}")
    from routesieve.config import load_config

    config = load_config(args.out / "routesieve.toml")
    print(f"{'config':28} loads: {len(config.peers)} peers, {len(config.exchanges)} exchanges")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
