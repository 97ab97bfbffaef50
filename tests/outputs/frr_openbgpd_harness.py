"""Real FRR and OpenBGPD daemons for the end-to-end tests, fed by GoBGP speakers.

Both daemons key a neighbour by its address, so every session needs its own address:
``loopback_addresses`` adds IPv6 /128s to ``lo`` for the test and removes them again.
Each GoBGP speaker binds its session address and connects to the router under test,
which listens on ``::1`` (the rendered sessions are made ``passive`` for the lab, like
the BIRD test points its sessions at the speakers' ports). The speaker is a
``route-server-client`` towards the router, so it adds no AS of its own and keeps the
next hop: paths arrive exactly as written. Every process is stopped by
``bird_harness.Processes.stop`` in fixture teardown.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from bird_harness import Processes, free_port
from daemon_lab import gobgp_afis, gobgp_announce, start_gobgpd

from routesieve.engine.rules import Rule
from routesieve.model import AsPath, Prefix, Route, Verdict
from routesieve.outputs.filterspec import RouterPolicy, router_accepts

FRR_BGPD = "/usr/lib/frr/bgpd"
OPENBGPD = "/usr/sbin/bgpd"
NOT_SENT = {Rule.X_AFI.value, Rule.X_MALFORMED.value}


@contextlib.contextmanager
def loopback_addresses(addresses: Sequence[str]) -> Iterator[None]:
    """Add ``addresses`` (IPv6, /128, no DAD) to ``lo``; remove them afterwards."""
    added: list[str] = []
    try:
        for address in addresses:
            done = subprocess.run(
                ["ip", "-6", "addr", "add", f"{address}/128", "dev", "lo", "nodad"],
                capture_output=True,
                text=True,
                timeout=10,
            )
            if done.returncode != 0 and "File exists" not in done.stderr:
                pytest.fail(f"cannot add {address} to lo: {done.stderr}")
            added.append(address)
        yield
    finally:
        for address in added:
            subprocess.run(
                ["ip", "-6", "addr", "del", f"{address}/128", "dev", "lo"],
                capture_output=True,
                timeout=10,
            )


# ---- GoBGP ----


@dataclass(frozen=True)
class Speaker:
    asn: int
    address: str  # the session address the speaker binds, the router's neighbour
    feeder_api: int
    api: int = 0  # the speaker's own API
    folder: Path | None = None  # where both daemons log


_AFI = gobgp_afis("ipv6-unicast")


def start_speaker(
    procs: Processes,
    folder: Path,
    asn: int,
    local_asn: int,
    index: int,
    address: str,
    router_port: int,
) -> Speaker:
    """A GoBGP speaker that connects from ``address`` to the router at ``[::1]:port``,
    and a feeder in the same AS (iBGP over 127.0.0.1) that originates the routes."""
    folder.mkdir(parents=True, exist_ok=True)
    feeder_port = free_port("127.0.0.1")
    api_s, api_f = free_port("127.0.0.1"), free_port("127.0.0.1")
    speaker = f"""[global.config]
  as = {asn}
  router-id = "10.253.{index}.1"
  port = -1

[[neighbors]]
  [neighbors.config]
    neighbor-address = "::1"
    peer-as = {local_asn}
  [neighbors.transport.config]
    local-address = "{address}"
    remote-port = {router_port}
  [neighbors.timers.config]
    connect-retry = 1
  [neighbors.route-server.config]
    route-server-client = true
{_AFI}
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = {asn}
  [neighbors.transport.config]
    remote-port = {feeder_port}
  [neighbors.timers.config]
    connect-retry = 1
  [neighbors.route-server.config]
    route-server-client = true
  [neighbors.as-path-options.config]
    allow-own-as = 200
{_AFI}"""
    feeder = f"""[global.config]
  as = {asn}
  router-id = "10.253.{index}.2"
  port = {feeder_port}
  local-address-list = ["127.0.0.1"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = {asn}
  [neighbors.transport.config]
    passive-mode = true
{_AFI}"""
    start_gobgpd(procs, folder, "speaker", speaker, api_s)
    start_gobgpd(procs, folder, "feeder", feeder, api_f)
    return Speaker(asn, address, api_f, api_s, folder)


def announce(speaker: Speaker, prefix: str, path: AsPath) -> None:
    """Originate ``prefix`` with ``path`` at the feeder; the next hop is the speaker's
    session address (``::1`` would be a martian next hop to FRR)."""
    gobgp_announce(speaker.feeder_api, prefix, path, speaker.address)


def _gobgp(api: int, *args: str) -> str:
    done = subprocess.run(
        ["gobgp", "-p", str(api), *args], capture_output=True, text=True, timeout=20
    )
    return (done.stdout + done.stderr).strip()


def resend(speakers: Iterable[Speaker]) -> None:
    """Ask every feeder and speaker to send its routes again (``softresetout``), as an
    operator would with ``clear bgp soft out``. GoBGP has once been seen to keep a
    route-server client's routes back on a loaded CI machine; the router's verdicts are
    what the tests check, not GoBGP's timing."""
    for s in speakers:
        _gobgp(s.feeder_api, "neighbor", "127.0.0.1", "softresetout")
        if s.api:
            _gobgp(s.api, "neighbor", "::1", "softresetout")


def speaker_report(speakers: Iterable[Speaker]) -> str:
    """What each GoBGP pair holds: its sessions, the feeder's routes, its log's tail."""
    parts = []
    for s in speakers:
        parts.append(f"-- speaker {s.address} (AS{s.asn})")
        if s.api:
            parts.append(_gobgp(s.api, "neighbor"))
        parts.append(_gobgp(s.feeder_api, "global", "rib", "-a", "ipv6"))
        if s.folder is not None:
            for log in sorted(s.folder.glob("*.log")):
                tail = log.read_text(errors="replace").splitlines()[-8:]
                parts.append(f"{log.name}:\n" + "\n".join(tail))
    return "\n".join(parts)


def wait_for(
    what: str,
    check: Callable[[], bool],
    timeout: float,
    report: Callable[[], str],
    speakers: Sequence[Speaker] = (),
) -> None:
    """Poll ``check`` until it holds or ``timeout`` passes; then fail with ``report()``
    and what the GoBGP ``speakers`` hold. A third of the way in, the speakers are asked
    once to send their routes again (``resend``)."""
    start = time.monotonic()
    deadline = start + timeout
    nudged = False
    while time.monotonic() < deadline:
        if check():
            return
        if speakers and not nudged and time.monotonic() > start + timeout / 3:
            resend(speakers)
            nudged = True
        time.sleep(0.5)
    extra = f"\n{speaker_report(speakers)}" if speakers else ""
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}:\n{report()}{extra}")


# ---- what the router must do with the example ----

# Routes added to the example: more AS_SET shapes, and a route whose verdict is 5 but
# whose prefix is in the peer's accept list through another path (prefix-list
# semantics: the router accepts it).
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
RULE5_IN_LIST = ("locix-1", "2a0e:8a08::/32")


def check_plan(p: Plan, verdicts: Sequence[Verdict]) -> None:
    """The example must exercise every kind of route the tests claim to cover."""
    sent = [r for routes in p.sent.values() for r in routes]
    assert all(p.sent.values()) and any(p.expect.values())
    session, prefix = RULE5_IN_LIST
    assert any(v.rule == Rule.NOT_ACCEPTED.value and v.prefix == prefix for v in verdicts), (
        "the example needs a rule-5 route whose prefix is accepted through another path"
    )
    assert prefix in p.expect[session]
    assert any(r.as_path.has_set for r in sent), "AS_SET paths"
    assert any(0 in r.as_path.asns() for r in sent), "AS 0"
    rules = {v.rule for v in verdicts}
    for rule in (Rule.BOGON, Rule.RPKI_INVALID, Rule.EXCHANGE_PREFIX, Rule.PATH_TOO_LONG):
        assert rule.value in rules, rule


def verdict_of(verdicts: Sequence[Verdict], route: Route, peer: int) -> Verdict:
    for v in verdicts:
        if (
            v.peer_asn == peer
            and v.prefix == route.prefix_text
            and v.as_path == str(route.as_path)
            and route.session in v.sessions
        ):
            return v
    raise AssertionError(f"no verdict for {route}")


@dataclass(frozen=True)
class Plan:
    """Per session: the routes announced and the prefixes the router must accept."""

    sent: dict[str, list[Route]]
    expect: dict[str, set[str]]
    peer_of: dict[str, int]


def plan(rp: RouterPolicy, verdicts: Sequence[Verdict], routes: Sequence[Route]) -> Plan:
    """What ``router_accepts`` predicts for every route of a session with an address.
    A route-server session is judged by the first AS of the path (the member)."""
    session_peer = {s.name: p for p in rp.peers for s in p.sessions if s.neighbor}
    sent: dict[str, list[Route]] = {name: [] for name in session_peer}
    expect: dict[str, set[str]] = {name: set() for name in session_peer}
    for route in routes:
        if route.session not in session_peer:
            continue
        peer = session_peer[route.session]
        rs = next(s for s in peer.sessions if s.name == route.session).route_server
        effective = route.as_path.first if rs else route.peer_asn
        assert effective is not None
        verdict = verdict_of(verdicts, route, effective)
        if verdict.rule in NOT_SENT:
            continue
        sent[route.session].append(route)
        accept_list = dict(peer.members).get(effective, ()) if rs else peer.accept
        if router_accepts(verdict, frozenset(accept_list)):
            expect[route.session].add(str(route.prefix))
    return Plan(sent, expect, {name: p.asn for name, p in session_peer.items()})


def guard_policy(address: str) -> RouterPolicy:
    """The BIRD test's one-peer guard policy, its session at ``address``."""
    from test_bird_e2e import _guard_policy

    rp = _guard_policy()
    peer = rp.peers[0]
    sessions = tuple(replace(s, neighbor=address) for s in peer.sessions)
    return replace(rp, peers=(replace(peer, sessions=sessions),))


# ---- FRR ----


def frr_lab_sessions(text: str, addresses: Sequence[str]) -> str:
    """Make every rendered neighbour passive: the GoBGP speakers connect to FRR."""
    lab = "".join(f" neighbor {a} passive\n" for a in addresses)
    return text.replace(
        "\n address-family ipv6 unicast\n", f"\n{lab} address-family ipv6 unicast\n", 1
    )


def start_frr(
    procs: Processes, folder: Path, conf_text: str, port: int, modules: Sequence[str] = ()
) -> Path:
    """FRR's bgpd without zebra (``-Z``), as root (``-S``), listening on ``[::1]:port``,
    its vty socket in ``folder``, with ``modules`` loaded (``-M rpki``, ``-M bmp``). Returns
    the socket directory for ``vtysh``."""
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "frr.conf"
    conf.write_text(conf_text, encoding="utf-8")
    args = [
        FRR_BGPD,
        "-Z",
        "-S",
        "-p",
        str(port),
        "-l",
        "::1",
        "-P",
        "0",
        "--vty_socket",
        str(folder),
        "-f",
        str(conf),
        "-i",
        str(folder / "bgpd.pid"),
        "--log",
        f"file:{folder / 'bgpd.log'}",
        *(arg for module in modules for arg in ("-M", module)),
    ]
    proc = procs.start(args, folder / "bgpd.out")
    deadline = time.monotonic() + 120  # bgpd reads a large route-map slowly
    while not (folder / "bgpd.vty").exists():
        if proc.poll() is not None:
            pytest.fail(f"bgpd exited {proc.returncode}: {(folder / 'bgpd.out').read_text()}")
        if time.monotonic() > deadline:
            pytest.fail("bgpd did not open its vty socket")
        time.sleep(0.2)
    return folder


def vtysh(sock_dir: Path, command: str) -> str:
    done = subprocess.run(
        ["vtysh", "--vty_socket", str(sock_dir), "-d", "bgpd", "-c", command],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        pytest.fail(f"vtysh -c {command!r} failed: {done.stderr}{done.stdout}")
    return done.stdout


def vtysh_json(sock_dir: Path, command: str) -> Any:
    text = vtysh(sock_dir, command)
    return json.loads(text) if text.strip() else {}


def frr_states(sock_dir: Path) -> dict[str, str]:
    data = vtysh_json(sock_dir, "show bgp neighbors json")
    return {address: str(n.get("bgpState")) for address, n in data.items()}


def frr_routes(sock_dir: Path, neighbor: str, received: bool) -> set[str]:
    """The prefixes FRR holds from ``neighbor``: every received one (the Adj-RIB-In kept
    by soft-reconfiguration inbound) or those its import route-map accepted."""
    which = "received-routes" if received else "routes"
    data = vtysh_json(sock_dir, f"show bgp ipv6 unicast neighbors {neighbor} {which} json")
    table = data.get("receivedRoutes", {}) if received else data.get("routes", {})
    return set(table)


def frr_report(sock_dir: Path, addresses: Iterable[str]) -> str:
    states = frr_states(sock_dir)
    return "\n".join(
        f"{a}: {states.get(a)}, received {sorted(frr_routes(sock_dir, a, True))}, "
        f"accepted {sorted(frr_routes(sock_dir, a, False))}"
        for a in addresses
    )


# ---- OpenBGPD ----


def openbgpd_lab_sessions(text: str) -> str:
    """Make every rendered neighbour passive: the GoBGP speakers connect to bgpd."""
    return re.sub(r"(\n\tremote-as \d+\n)", r"\1\tpassive\n", text)


def openbgpd_lab(files: dict[str, str], local_asn: int, sock: Path, port: int) -> str:
    """The main configuration: the global section with the control socket and a listener
    on ``[::1]:port``, then the rendered files in their order (sessions made passive)."""
    return (
        f'AS {local_asn}\nrouter-id 192.0.2.1\nsocket "{sock}"\nlisten on ::1 port {port}\n'
        + files["sets.conf"]
        + openbgpd_lab_sessions(files["sessions.conf"])
        + files["filters.conf"]
    )


def start_openbgpd(procs: Processes, folder: Path, conf_text: str, sock: Path) -> Path:
    """OpenBGPD in the foreground (``-d``); the control socket is named in the
    configuration (``socket``: bgpd 7.7 has no ``-s``). bgpd chroots its engines into the
    home of its user ``_openbgpd``, ``/run/openbgpd``, which systemd creates for the
    service; it is created here when missing."""
    folder.mkdir(parents=True, exist_ok=True)
    Path("/run/openbgpd").mkdir(mode=0o755, parents=True, exist_ok=True)
    conf = folder / "bgpd.conf"
    conf.write_text(conf_text, encoding="utf-8")
    proc = procs.start([OPENBGPD, "-d", "-v", "-f", str(conf)], folder / "bgpd.out")
    deadline = time.monotonic() + 60
    while not sock.exists():
        if proc.poll() is not None:
            pytest.fail(f"bgpd exited {proc.returncode}: {(folder / 'bgpd.out').read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(f"bgpd did not open {sock}: {(folder / 'bgpd.out').read_text()}")
        time.sleep(0.2)
    return sock


def bgpctl(sock: Path, *command: str) -> str:
    done = subprocess.run(
        ["bgpctl", "-s", str(sock), *command], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        pytest.fail(f"bgpctl {' '.join(command)} failed: {done.stderr}{done.stdout}")
    return done.stdout


def bgpctl_json(sock: Path, *command: str) -> Any:
    done = subprocess.run(
        ["bgpctl", "-j", "-s", str(sock), *command], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        pytest.fail(f"bgpctl -j {' '.join(command)} failed: {done.stderr}{done.stdout}")
    return json.loads(done.stdout) if done.stdout.strip() else {}


def openbgpd_states(sock: Path) -> dict[str, str]:
    data = bgpctl_json(sock, "show", "neighbor")
    return {str(n["remote_addr"]): str(n["state"]) for n in data.get("neighbors", [])}


def openbgpd_routes(sock: Path, neighbor: str, received: bool) -> set[str]:
    """The prefixes bgpd holds from ``neighbor``: every received one (the unfiltered
    Adj-RIB-In, ``show rib in``, which keeps treat-as-withdraw routes flagged ``E``) or
    those the filters accepted into the Loc-RIB."""
    words = ["show", "rib", *(["in"] if received else []), "neighbor", neighbor]
    return {str(r["prefix"]) for r in bgpctl_json(sock, *words).get("rib", [])}


def openbgpd_report(sock: Path, addresses: Iterable[str]) -> str:
    states = openbgpd_states(sock)
    return "\n".join(
        f"{a}: {states.get(a)}, received {sorted(openbgpd_routes(sock, a, True))}, "
        f"accepted {sorted(openbgpd_routes(sock, a, False))}"
        for a in addresses
    )
