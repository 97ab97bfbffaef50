"""Real BIRD 2: whether a channel keeps the routes its filter rejects is read from the
``Routes:`` line (BIRD writes a filtered count only with ``import keep filtered on``), so
that a reconfigure that lets the filter accept every route gives no warning, while a
channel without the option is warned about."""

from __future__ import annotations

import subprocess
from pathlib import Path

import bird_collect_lab as lab
import pytest

from routesieve.collect.bird_routes import collect_routes, list_sessions
from routesieve.collect.bird_socket import BirdClient
from routesieve.model import AsPath

BIRD_AS = 64999
REJECT_LONG = "  if bgp_path.len > 3 then reject;\n  accept;"
ROUTES = 40  # every fourth has a path of five ASes, which REJECT_LONG rejects


def _routes(index: int) -> list[tuple[str, AsPath, tuple[str, ...]]]:
    return [
        (
            f"2a0e:{index}{i:02x}::/32",
            AsPath.parse(f"174 {64600 + i}" if i % 4 else f"174 174 174 {64600 + i}"),
            (),
        )
        for i in range(ROUTES)
    ]


def _reconfigure(conf: Path, sock: Path, import_filter: str) -> None:
    text = conf.read_text()
    start, end = text.index("filter rs_import {"), text.index("protocol bgp")
    conf.write_text(f"{text[:start]}filter rs_import {{\n{import_filter}\n}}\n{text[end:]}")
    done = subprocess.run(
        ["birdc", "-s", str(sock), "configure"], capture_output=True, text=True, timeout=60
    )
    assert "Reconfigured" in done.stdout, done.stdout + done.stderr


def _warnings(sock: Path) -> dict[str, list[str]]:
    with BirdClient(sock) as client:
        result = collect_routes(client, list_sessions(client))
    found: dict[str, list[str]] = {}
    for problem in result.problems:
        found.setdefault(problem.place, []).append(problem.message)
    return found


def test_keep_filtered_is_read_from_bird_and_survives_a_reconfigure(
    daemons: None, module_procs: lab.Processes, tmp_path: Path
) -> None:
    peers = []
    for index, (proto, asn) in enumerate((("keeps", 65001), ("drops", 65002)), start=1):
        speaker = lab.start_speaker(module_procs, tmp_path / proto, asn, BIRD_AS, index)
        mrt = tmp_path / proto / "routes.mrt"
        lab.write_table_dump(mrt, _routes(index))
        lab.wait_until(f"GoBGP AS{asn} API", lambda s=speaker: lab.rib_count(s, "ipv6") >= 0, 30)
        lab.load_routes(speaker, mrt, {"ipv6": ROUTES})
        peers.append(lab.Peer(proto, speaker, proto, import_table=False))
    conf = lab.bird_conf(tmp_path / "bird", BIRD_AS, peers, REJECT_LONG)
    # the second session without "import keep filtered on"
    text = conf.read_text()
    head, sep, tail = text.partition("protocol bgp drops")
    conf.write_text(head + sep + tail.replace("import keep filtered on; ", ""))
    sock = lab.start_bird(module_procs, conf, tmp_path / "bird")

    def received() -> bool:
        with BirdClient(sock) as client:
            sessions = {s.name: s for s in list_sessions(client, probe_import_tables=False)}
        counts = {
            name: sum((c.imported or 0) + (c.filtered or 0) for c in s.channels)
            for name, s in sessions.items()
        }
        return counts.get("keeps") == ROUTES and counts.get("drops") == ROUTES * 3 // 4

    lab.wait_until("BIRD to receive the routes", received, 120, step=1.0)
    with BirdClient(sock) as client:
        sessions = {s.name: s for s in list_sessions(client)}
    assert sessions["keeps"].keep_filtered is True
    assert sessions["drops"].keep_filtered is False
    assert sessions["drops"].channels[0].imported == ROUTES * 3 // 4
    assert sessions["drops"].channels[0].filtered is None  # BIRD shows no count
    warned = _warnings(sock)
    assert "keeps" not in warned
    assert warned["drops"] == [
        "channel ipv6 filtered 10 updates and kept none (no 'import keep filtered on' or "
        "'import table on'): the routes the filter rejected cannot be collected"
    ]

    # the filter now accepts everything: BIRD keeps no filtered route, though it
    # filtered 10 updates before, and the channel still keeps filtered routes
    _reconfigure(conf, sock, "  accept;")

    def all_accepted() -> bool:
        with BirdClient(sock) as client:
            s = list_sessions(client, probe_import_tables=False)
        return all(c.imported == ROUTES for x in s for c in x.channels if c.name == "ipv6")

    lab.wait_until("BIRD to accept every route", all_accepted, 60, step=0.5)
    with BirdClient(sock) as client:
        keeps = next(s for s in list_sessions(client) if s.name == "keeps")
    ipv6 = keeps.channels[0]
    assert (ipv6.imported, ipv6.filtered, ipv6.filtered_updates) == (ROUTES, 0, 10)
    assert ipv6.keep_filtered is True
    warned = _warnings(sock)
    assert "keeps" not in warned, warned
    assert len(warned["drops"]) == 1


@pytest.mark.parametrize(
    ("line", "keep"),
    [
        ("30 imported, 10 filtered, 0 exported, 30 preferred", True),
        ("40 imported, 0 filtered, 0 exported, 40 preferred", True),
        ("30 imported, 0 exported, 30 preferred", False),
    ],
)
def test_routes_line_says_whether_filtered_routes_are_kept(line: str, keep: bool) -> None:
    from routesieve.collect.bird_routes import parse_protocols

    reply = [
        (1002, "p1 BGP --- up 10:00:00.000 Established"),
        (1006, "  Channel ipv6"),
        (1006, f"    Routes:         {line}"),
        (1006, "    Route change stats:     received   rejected   filtered    ignored   accepted"),
        (1006, "      Import updates:             40          0         10          0         30"),
    ]
    [session] = parse_protocols(reply)
    channel = session.channels[0]
    assert channel.keep_filtered is keep
    assert channel.imported == int(line.split()[0])
    assert channel.filtered_updates == 10
