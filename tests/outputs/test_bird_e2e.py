"""End to end: a real BIRD 2 runs the rendered configuration, real GoBGP speakers send
it the example routes, and BIRD accepts exactly what ``router_accepts`` predicts and
keeps every other route as filtered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import bird_harness as h
import pytest

from routesieve.engine.paths import BOGON_ASN_RANGES
from routesieve.engine.rules import Rule
from routesieve.model import AsPath, Prefix, Route, Verdict
from routesieve.outputs.bird import SESSIONS_FILE, render_bird2
from routesieve.outputs.filterspec import (
    Guard,
    PeerFilter,
    RoaEntry,
    RouterPolicy,
    SessionSpec,
    router_accepts,
)

NOT_SENT = {Rule.X_AFI.value, Rule.X_MALFORMED.value}
CONVERGE_TIMEOUT = 240  # generous: other daemon labs may load the 2 cores

# Routes added to the example: more AS_SET shapes (the BIRD detection method is checked
# on each), and a route whose verdict is 5 but whose prefix is in the peer's accept list
# through another path (prefix-list semantics: the router accepts it).
EXTRA = (
    Route(209001, Prefix.parse("2a0e:8a30::/32"), AsPath.parse("209001 {209017} 209018"), "bgpx-1"),
    Route(
        209001,
        Prefix.parse("2a0e:8a31::/32"),
        AsPath.parse("209001 {209017 209018} 209019 {209020} 209021"),
        "bgpx-1",
    ),
    Route(209001, Prefix.parse("2a0e:8a32::/32"), AsPath.parse("209001 {209016} 209001"), "bgpx-1"),
    Route(209001, Prefix.parse("2a0e:8a08::/32"), AsPath.parse("209001 209015 209014"), "locix-1"),
)


@pytest.fixture(scope="module")
def daemons() -> None:
    h.require_daemons()


@pytest.fixture
def procs() -> Iterator[h.Processes]:
    running = h.Processes()
    yield running
    running.stop()


def _verdict_of(verdicts: tuple[Verdict, ...], route: Route, peer: int) -> Verdict:
    for v in verdicts:
        if (
            v.peer_asn == peer
            and v.prefix == route.prefix_text
            and v.as_path == str(route.as_path)
            and route.session in v.sessions
        ):
            return v
    raise AssertionError(f"no verdict for {route}")


def test_bird_accepts_exactly_what_the_verdicts_say(
    daemons: None, procs: h.Processes, tmp_path: Path
) -> None:
    sessions = ("bgpx-1", "locix-1", "locix-2", "locix-rs")
    ex = h.example(tmp_path / "example", dict.fromkeys(sessions, "::1"), EXTRA)
    rp = ex.policy
    peers = {p.asn: p for p in rp.peers}
    rule5_in_list = [
        v
        for v in ex.verdicts
        if v.rule == Rule.NOT_ACCEPTED.value and str(v.prefix) == "2a0e:8a08::/32"
    ]
    assert rule5_in_list, "the example needs a rule-5 route whose prefix is accepted elsewhere"

    # what each BIRD protocol must accept and filter
    protocol_of = {
        s.name: f"rs_as{p.asn}_{s.name}".replace("-", "_") for p in rp.peers for s in p.sessions
    }
    session_peer = {s.name: p for p in rp.peers for s in p.sessions}
    sent: dict[str, list[Route]] = {name: [] for name in sessions}
    expect: dict[str, set[str]] = {name: set() for name in sessions}
    for route in ex.routes:
        if route.session not in sent:
            continue
        peer = session_peer[route.session]
        rs = next(s for s in peer.sessions if s.name == route.session).route_server
        effective = route.as_path.first if rs else route.peer_asn
        assert effective is not None
        verdict = _verdict_of(ex.verdicts, route, effective)
        if verdict.rule in NOT_SENT:
            continue
        sent[route.session].append(route)
        accept_list = dict(peer.members).get(effective, ()) if rs else peers[peer.asn].accept
        if router_accepts(verdict, frozenset(accept_list)):
            expect[route.session].add(str(route.prefix))
    assert all(sent.values()) and any(expect.values())

    # GoBGP: one speaker (plus its feeder) per session
    speakers = {
        name: h.start_speaker(
            procs, tmp_path / f"gobgp-{name}", session_peer[name].asn, rp.local_asn, i
        )
        for i, name in enumerate(sessions, start=1)
    }
    for name, routes in sent.items():
        for route in routes:
            h.announce(speakers[name], str(route.prefix), route.as_path)

    # BIRD with the rendered files, sessions pointed at the speakers
    files = render_bird2(rp)
    ports = {protocol_of[name]: speakers[name].port for name in sessions}
    files[SESSIONS_FILE] = h.lab_sessions(files[SESSIONS_FILE], ports, h.free_port("::1"))
    conf = h.main_conf(tmp_path / "bird", files)
    checked = h.bird_check(conf)
    assert checked.returncode == 0, checked.stderr + checked.stdout
    sock = h.start_bird(procs, conf, tmp_path / "bird")

    def converged() -> bool:
        states = h.protocol_states(sock)
        if any(states.get(protocol_of[n]) != "Established" for n in sessions):
            return False
        return all(
            len(h.routes_of(sock, protocol_of[n], False))
            + len(h.routes_of(sock, protocol_of[n], True))
            >= len({str(r.prefix) for r in sent[n]})
            for n in sessions
        )

    h.wait_until(
        "BIRD to establish every session and receive every route", converged, CONVERGE_TIMEOUT
    )

    for name in sessions:
        accepted = h.routes_of(sock, protocol_of[name], False)
        filtered = h.routes_of(sock, protocol_of[name], True)
        announced = {str(r.prefix) for r in sent[name]}
        assert accepted == expect[name], name
        assert filtered == announced - expect[name], name


# One peer whose accept list holds every prefix below but the last two: each route
# fails exactly one guard test (it must be filtered), or is a control that passes them
# all (it must be accepted). This proves each guard function on the router itself,
# the AS_SET detection first.
HOPS_50 = " ".join(["200000"] * 49 + ["200001"])
GUARD_CASES: tuple[tuple[str, str, bool], ...] = (
    ("2a0e:101::/32", "200000", True),
    ("2a0e:102::/32", "200000 200000 200000 200001", True),  # prepends are no set
    ("2a0e:103::/32", HOPS_50, True),  # exactly the limit
    ("2a0e:104::/32", "200000 2000050 200001", True),  # inside an allocated block
    ("2a0e:100::/32", "200000 200001", True),  # RPKI valid
    ("2a0e:105::/48", "200000", True),  # the longest allowed
    ("2a0e:110::/32", "200000 {200001 200002}", False),  # 3.2, set at the end
    ("2a0e:111::/32", "200000 {200001} 200002", False),  # 3.2, one-member set inside
    ("2a0e:112::/32", "200000 {200002} 200000", False),  # 3.2, set before a repeat
    ("2a0e:113::/32", "{200000 200001}", False),  # 3.2, only a set
    ("2a0e:114::/32", HOPS_50 + " 200001", False),  # 3.6
    ("2a0e:115::/32", "200000 1500000 200001", False),  # 3.7
    ("2a0e:116::/32", "200000 23456 200001", False),  # 3.8
    ("2a0e:117::/32", "200000 0 200001", False),  # 3.9
    ("2a0e:118::/32", "200000 64512 200001", False),  # X-BOGON-ASN
    ("2a0e:119::/32", "200001", False),  # X-FIRST-AS
    ("2a0e:100:1::/48", "200000 200002", False),  # 3.10
    ("2001:db8:1::/48", "200000", False),  # 3.4
    ("2a0e:1ff::/48", "200000", False),  # 3.5
    ("2a0e:120::/56", "200000", False),  # 3.3, too long
    ("2a00::/12", "200000", False),  # 3.3, too short
    ("::/0", "200000", False),  # 3.1
    ("2a0e:130::/32", "200000", False),  # not in the accept list
    ("2a0e:101::/48", "200000", False),  # more specific of a listed prefix: not listed
)


def _guard_policy() -> RouterPolicy:
    listed = tuple(Prefix.parse(p) for p, _, _ in GUARD_CASES[:-2])
    guard = Guard(
        families=frozenset({6}),
        ipv4_length=(8, 24),
        ipv6_length=(16, 48),
        max_hops=50,
        bogons=(Prefix.parse("::/3"), Prefix.parse("2001:db8::/32")),
        exchange_prefixes=(Prefix.parse("2a0e:1ff::/48"),),
        unallocated_asns=((1_000_000, 1_999_999), (2_000_100, 4_199_999_999)),
        bogon_asns=tuple((a, b) for a, b, _ in BOGON_ASN_RANGES),
        check_first_as=True,
    )
    peer = PeerFilter(
        asn=200000,
        name="guard test",
        accept=listed,
        members=(),
        sessions=(SessionSpec("guard", "::1", None, False),),
        max_prefix=None,
        route_server=False,
    )
    roas = (RoaEntry(Prefix.parse("2a0e:100::/32"), 32, 200001),)
    return RouterPolicy(214312, guard, roas, (peer,), ())


def test_bird_enforces_every_guard_test(daemons: None, procs: h.Processes, tmp_path: Path) -> None:
    rp = _guard_policy()
    speaker = h.start_speaker(procs, tmp_path / "guard", 200000, rp.local_asn, 9)
    for prefix, path, _ in GUARD_CASES:
        h.announce(speaker, prefix, AsPath.parse(path))
    files = render_bird2(rp)
    protocol = "rs_as200000_guard"
    files[SESSIONS_FILE] = h.lab_sessions(
        files[SESSIONS_FILE], {protocol: speaker.port}, h.free_port("::1")
    )
    conf = h.main_conf(tmp_path / "bird", files)
    sock = h.start_bird(procs, conf, tmp_path / "bird")

    def received() -> bool:
        got = h.routes_of(sock, protocol, False) | h.routes_of(sock, protocol, True)
        return len(got) >= len(GUARD_CASES)

    h.wait_until("every guard route received", received, CONVERGE_TIMEOUT)
    accepted = h.routes_of(sock, protocol, False)
    filtered = h.routes_of(sock, protocol, True)
    assert accepted == {p for p, _, ok in GUARD_CASES if ok}
    assert filtered == {p for p, _, ok in GUARD_CASES if not ok}
