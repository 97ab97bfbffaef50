"""routesieve collect: a BMP router and an MRT router into dated snapshots."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import bmp_builders as b
from click.testing import CliRunner

from routesieve.cli import main
from routesieve.collect.files import read_routes
from routesieve.collect.mrt import read_routes_mrt
from routesieve.collect.store import snapshots

ROOT = Path(__file__).resolve().parents[2]
MRT = ROOT.parent / "shared" / "data" / "mrt" / "mrtparse-lab-samples" / "bird6_bgp"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config(tmp_path: Path, routers: str) -> Path:
    path = tmp_path / "routesieve.toml"
    path.write_text(f'[local]\nasn = 214312\n[collect]\nfolder = "state"\nkeep = 3\n{routers}')
    return path


def send_when_listening(port: int, data: bytes) -> threading.Thread:
    def run() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                    conn.sendall(data)
                    time.sleep(1.5)  # stay connected while the station reads
                    return
            except OSError:
                time.sleep(0.1)

    sender = threading.Thread(target=run, daemon=True)
    sender.start()
    return sender


def test_bmp_router_routes_land_in_a_snapshot(tmp_path: Path) -> None:
    port = free_port()
    cfg = config(
        tmp_path, f'[[routers]]\nname = "edge1"\nkind = "bmp"\nlisten = "127.0.0.1:{port}"\n'
    )
    peer = b.peer_header("2001:db8::7", 209001)
    stream = (
        b.initiation("edge1")
        + b.peer_up(peer)
        + b.route_monitoring(peer, b.update(["2a0e:8a01::/32", "2a0e:8a06::/32"]))
        + b.route_monitoring(peer, b.update(withdraw=["2a0e:8a06::/32"]))
    )
    sender = send_when_listening(port, stream)
    result = CliRunner().invoke(main, ["collect", "--config", str(cfg), "--bmp-wait", "3"])
    sender.join(5)
    assert result.exit_code == 0, result.output
    [snap] = snapshots(tmp_path / "state")
    routes = read_routes(snap).items
    assert [(r.peer_asn, r.prefix_text, r.session) for r in routes] == [
        (209001, "2a0e:8a01::/32", "edge1:2001:db8::7")
    ]


def test_mrt_router_gives_the_end_state_of_its_updates(tmp_path: Path) -> None:
    cfg = config(tmp_path, f'[[routers]]\nname = "lab"\nkind = "mrt"\npath = "{MRT}"\n')
    result = CliRunner().invoke(main, ["collect", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    [snap] = snapshots(tmp_path / "state")
    want = read_routes_mrt(MRT, final=True).items
    got = read_routes(snap).items
    assert [(r.prefix_text, str(r.as_path), r.session) for r in got] == [
        (r.prefix_text, str(r.as_path), r.session) for r in want
    ]
    evaluated = CliRunner().invoke(main, ["evaluate", "--config", str(cfg), "--format", "jsonl"])
    assert evaluated.exit_code == 0
    assert evaluated.stdout.count("\n") == len({(r.peer_asn, r.prefix, r.as_path) for r in want})


def test_serve_writes_snapshots_until_stopped(tmp_path: Path) -> None:
    cfg = config(tmp_path, f'[[routers]]\nname = "lab"\nkind = "mrt"\npath = "{MRT}"\n')
    serving = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "routesieve.cli",
            "collect",
            "--config",
            str(cfg),
            "--serve",
            "--interval",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(snapshots(tmp_path / "state")) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        serving.terminate()
        _out, err = serving.communicate(timeout=20)
    assert len(snapshots(tmp_path / "state")) >= 2, err
    assert "stopped" in err  # SIGTERM ends it cleanly


def test_no_routers_is_a_configuration_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["collect", "--config", str(config(tmp_path, ""))])
    assert result.exit_code == 2
    assert "no [[routers]] configured" in result.stderr
