"""End to end: real GoBGP speakers announce a few thousand routes to a real BIRD 2, whose
import filter rejects some (a bogon set, paths over 30 hops), and ``collect_routes``
returns every route each peer sent, accepted and filtered, with identical paths,
communities, peer AS and session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import bird_collect_lab as lab
import pytest

from routesieve.collect.bird_routes import BirdSession, collect_routes, list_sessions
from routesieve.collect.bird_socket import BirdClient, BirdError
from routesieve.model import AsPath, Prefix, Route, Segment, SegmentType

BIRD_AS = 64999
IMPORT_FILTER = """  if net.type = NET_IP6 && net ~ [ 2001:db8::/32+ ] then reject;
  if net.type = NET_IP4 && net ~ [ 192.0.2.0/24+ ] then reject;
  if bgp_path.len > 30 then reject;
  accept;"""
PER_PEER = 1500
IPV4_PER_PEER = 120
TOO_LONG = 3  # paths longer than BIRD prints whole: kept, with a problem
Sent = tuple[str, AsPath, tuple[str, ...]]


def _routes(index: int, n: int, v4: int) -> list[Sent]:
    """Routes of every shape, ``index`` keeping the prefixes of the peers apart."""
    out: list[Sent] = []
    for i in range(n + v4):
        k = i % 12
        o = 64600 + i % 97
        big = 4_200_000_000 + i % 50
        if i < n:
            prefix = f"2a0e:{index}{i >> 12:x}:{i & 0xFFF:x}::/48"
            if k == 7:
                prefix = f"2001:db8:{index:x}:{i:x}::/64"
        else:
            j = i - n
            prefix = f"198.{18 + index}.{j}.0/24" if k != 7 else f"192.0.2.{j}/32"
        paths = {
            0: f"{o} {o + 1}",
            1: f"174 {{{o} {o + 2}}}",
            2: f"3356 {{{o}}} {o + 3}",
            3: " ".join([str(big)] * 10),
            4: f"6939 {o}",
            5: f"1299 {big}",
            6: f"2914 {o}",
            7: f"{o}",
            8: " ".join([str(o)] * 35),
            9: f"{{{o} {o + 1} {o + 2}}}",
            10: f"6453 {o} {o} {o}",
            11: " ".join(str(64512 + (i + h) % 900) for h in range(8)),
        }
        comms: tuple[str, ...] = ()
        if k in (4, 10):
            comms += (f"{65000 + index}:{i % 1000}", "65535:666")
        if k == 10:  # more than BIRD prints on one line
            comms += tuple(f"{64000 + h}:{i % 100}" for h in range(60))
        if k in (5, 10):
            comms += (f"4200000001:1:{i}", f"{o}:0:7")
        if k in (6, 10):
            comms += (f"rt:{65000 + index}:{i}",)
        out.append((prefix, AsPath.parse(paths[k]), comms))
    for t in range(TOO_LONG):
        out.append((f"2a0e:{index}ff:{t:x}::/48", AsPath.sequence([4_200_000_123] * 60), ()))
    return out


def _with_peer(asn: int, path: AsPath) -> AsPath:
    """The path after the speaker prepends its AS (eBGP)."""
    segs = path.segments
    if segs and segs[0].type is SegmentType.AS_SEQUENCE:
        return AsPath((Segment(SegmentType.AS_SEQUENCE, (asn, *segs[0].asns)), *segs[1:]))
    return AsPath((Segment(SegmentType.AS_SEQUENCE, (asn,)), *segs))


def _rejected(prefix: str, path: AsPath) -> bool:
    net = Prefix.parse(prefix)
    bogon = Prefix.parse("2001:db8::/32").contains(net) or Prefix.parse("192.0.2.0/24").contains(
        net
    )
    return bogon or path.hop_count + 1 > 30


@dataclass
class Lab:
    sock: Path
    sent: dict[str, tuple[int, list[Sent]]]  # protocol -> (peer AS, routes)


PEERS = (("peer_a", 65001, True, "Peer A at LocIX"), ("peer_b", 4_200_000_002, False, "Peer B"))


def _expected_counts(routes: list[Sent]) -> dict[int, int]:
    counts = {4: 0, 6: 0}
    for prefix, _, _ in routes:
        counts[4 if "." in prefix else 6] += 1
    return counts


@pytest.fixture(scope="module")
def live(
    daemons: None, module_procs: lab.Processes, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("bird-collect")
    sent: dict[str, tuple[int, list[Sent]]] = {}
    peers = []
    for index, (proto, asn, table, descr) in enumerate(PEERS, start=1):
        speaker = lab.start_speaker(module_procs, base / proto, asn, BIRD_AS, index)
        routes = _routes(index, PER_PEER, IPV4_PER_PEER)
        mrt = base / proto / "routes.mrt"
        lab.write_table_dump(mrt, routes)
        counts = _expected_counts(routes)
        lab.wait_until(f"GoBGP AS{asn} API", lambda s=speaker: lab.rib_count(s, "ipv6") >= 0, 30)
        lab.load_routes(speaker, mrt, {"ipv6": counts[6], "ipv4": counts[4]})
        sent[proto] = (asn, routes)
        peers.append(lab.Peer(proto, speaker, descr, table))
    conf = lab.bird_conf(base / "bird", BIRD_AS, peers, IMPORT_FILTER)
    sock = lab.start_bird(module_procs, conf, base / "bird")

    def received() -> bool:
        with BirdClient(sock) as client:
            sessions = {s.name: s for s in list_sessions(client, probe_import_tables=False)}
        for proto, (_, routes) in sent.items():
            s = sessions.get(proto)
            if s is None or s.bgp_state != "Established":
                return False
            counts = _expected_counts(routes)
            for ch in s.channels:
                want = counts[4 if ch.name == "ipv4" else 6]
                if (ch.imported or 0) + (ch.filtered or 0) < want:
                    return False
        return True

    lab.wait_until("BIRD to receive every route", received, 120, step=1.0)
    yield Lab(sock, sent)


def test_sessions_are_listed(live: Lab) -> None:
    with BirdClient(live.sock) as client:
        sessions = {s.name: s for s in list_sessions(client)}
    assert set(sessions) == {p[0] for p in PEERS}
    for proto, asn, table, descr in PEERS:
        s: BirdSession = sessions[proto]
        assert (s.neighbor_as, s.local_as, s.neighbor_address) == (asn, BIRD_AS, "::1")
        assert (s.state, s.bgp_state, s.description) == ("up", "Established", descr)
        assert [c.name for c in s.channels] == ["ipv6", "ipv4"]
        assert s.import_table is table
        assert all(c.import_table is table for c in s.channels)
        assert s.keep_filtered is True  # both channels hold rejected routes
        assert {c.input_filter for c in s.channels} == {"rs_import"}


def test_every_sent_route_is_collected(live: Lab) -> None:
    with BirdClient(live.sock) as client:
        result = collect_routes(client, list_sessions(client))
    got: dict[tuple[str | None, str], Route] = {}
    for route in result.items:
        key = (route.session, route.prefix_text)
        assert key not in got, f"collected twice: {key}"
        got[key] = route
    expected_keys = set()
    rejected = 0
    for proto, (asn, routes) in live.sent.items():
        for prefix, path, comms in routes:
            key = (proto, str(Prefix.parse(prefix)))
            expected_keys.add(key)
            route = got.get(key)
            assert route is not None, f"not collected: {key}"
            assert route.peer_asn == asn
            rejected += _rejected(prefix, path)
            if path.hop_count > 50:
                assert route.problem and "too long" in route.problem, route
                assert route.as_path == AsPath(())
                continue
            assert route.problem is None, route
            assert route.as_path == _with_peer(asn, path), key
            assert route.communities == comms, key
    assert set(got) == expected_keys
    assert len(result.items) == sum(len(r) for _, r in live.sent.values())
    # the import filter really rejected some: BIRD counts them as filtered
    with BirdClient(live.sock) as client:
        filtered = sum(c.filtered or 0 for s in list_sessions(client) for c in s.channels)
    assert filtered == rejected > 100
    # the cut paths are reported with their line
    cut = [p for p in result.problems if "cut short" in p.message]
    assert len(cut) == TOO_LONG * len(PEERS)
    assert all(p.line and p.place.startswith("show route all") for p in cut)
    assert len(result.problems) == len(cut), result.problems
    assert "peer_a.ipv6: import table" in result.provenance.note
    assert "peer_b.ipv4: table and filtered" in result.provenance.note


def test_errors_name_the_socket(live: Lab, tmp_path: Path) -> None:
    with BirdClient(live.sock) as client:
        with pytest.raises(BirdError) as info:
            client.command("show route all protocol no_such_protocol")
        assert info.value.code is not None and info.value.code >= 8000
        assert str(live.sock) in str(info.value)
        # the connection is still usable after an error reply
        assert client.command("show status")[-1][0] == 13
    missing = tmp_path / "nothing.ctl"
    with pytest.raises(BirdError, match=str(missing)):
        BirdClient(missing).connect()


def test_collect_command_snapshots_what_bird_holds(live: Lab, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from routesieve.cli import main
    from routesieve.collect.files import read_routes
    from routesieve.collect.store import snapshots

    config = tmp_path / "routesieve.toml"
    config.write_text(
        '[local]\nasn = 64999\n[collect]\nfolder = "state"\n'
        f'[[routers]]\nname = "lab"\nkind = "bird"\nsocket = "{live.sock}"\n'
    )
    result = CliRunner().invoke(main, ["collect", "--config", str(config)])
    assert result.exit_code == 0, result.output
    [snap] = snapshots(tmp_path / "state")
    with BirdClient(live.sock) as client:
        direct = collect_routes(client, list_sessions(client)).items

    def key(r: Route) -> tuple[object, ...]:
        return (r.peer_asn, r.session, r.prefix_text, str(r.as_path), r.communities)

    assert sorted(map(key, read_routes(snap).items)) == sorted(map(key, direct))
    # cut paths stay malformed routes through the snapshot, with their reason
    assert "AS path cut short by BIRD" in result.stderr


def test_collect_command_names_an_unreachable_bird(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from routesieve.cli import main

    config = tmp_path / "routesieve.toml"
    config.write_text(
        f'[local]\nasn = 64999\n[[routers]]\nname = "edge9"\nkind = "bird"\n'
        f'socket = "{tmp_path / "no.ctl"}"\n'
    )
    result = CliRunner().invoke(main, ["collect", "--config", str(config)])
    assert result.exit_code == 1
    assert "router edge9" in result.stderr and "no.ctl" in result.stderr


def test_reading_by_route_equals_reading_by_line_on_real_output(live: Lab) -> None:
    """On what the real BIRD sends, over the socket and as ``birdc`` prints it, reading a
    route at a time gives what the line-by-line reading (the reference) gives."""
    import subprocess

    from routesieve.collect.bird_show import parse_show_route

    commands = [
        "show route all import table peer_a.ipv6",
        "show route all table master6 protocol peer_b",
        "show route all table master6 filtered protocol peer_b",
        "show route all table master4",
    ]
    for command in commands:
        with BirdClient(live.sock) as client:
            pieces = list(client.texts(command))
        printed = subprocess.run(
            ["birdc", "-s", str(live.sock), *command.split()],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        # birdc prints a greeting line first
        printed = printed.split("\n", 1)[1]
        read = []
        for text in (pieces, [printed]):
            by_block = parse_show_route(text, 65001, "s", "sock", command, {}, {})
            by_line = parse_show_route(text, 65001, "s", "sock", command, by_block=False)
            assert by_block == by_line, command
            assert len(by_block[0]) > 100
            read.append(by_block)
        assert read[0] == read[1], command  # the same routes by socket and from birdc
