"""``routesieve sessions`` against a real BIRD 2: one session Established with a real
GoBGP that announces 8 routes (3 rejected by BIRD's import filter), one to a neighbour
that does not exist, and one configured session BIRD has no protocol for. Checked in every
output: the table, JSON, Prometheus (parsed by prometheus_client's own parser), the
textfile written atomically and the HTTP exporter answering a scrape on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import sessions_lab as lab
from click.testing import CliRunner
from daemon_lab import LabError, Processes, free_port, wait_until
from prometheus_client.parser import text_string_to_metric_families

from routesieve.cli import main
from routesieve.config import Config, load_config
from routesieve.sessions import Flag, GatherOptions, SessionReport, gather

NASTY = "Nasty} peer_asn=1 # HELP <b>x</b> {up=1,"


@pytest.fixture(scope="module")
def bird(tmp_path_factory: pytest.TempPathFactory) -> Iterator[lab.BirdLab]:
    procs = Processes()
    try:
        yield lab.start_lab(procs, tmp_path_factory.mktemp("bird"))
    except LabError as exc:
        pytest.fail(f"BIRD 2 and GoBGP are needed: {exc}")
    finally:
        procs.stop()


def _write_config(folder: Path, socket: Path, extra_router: str = "") -> Path:
    path = folder / "routesieve.toml"
    path.write_text(
        f"""[local]
asn = {lab.BIRD_AS}
families = ["ipv6"]

[[exchanges]]
name = "LOCIX Düsseldorf"
peeringdb_ix = 2730

[[peers]]
asn = {lab.PEER_AS}
name = "{NASTY}"
sessions = [{{ name = "ix1", exchange = "LOCIX Düsseldorf" }}]

[[peers]]
asn = {lab.DOWN_AS}
name = "Gone Networks"
sessions = [{{ name = "rs-down", exchange = "LOCIX Düsseldorf", neighbor = "::1" }}]

[[peers]]
asn = 65030
name = "Never Configured On BIRD"
sessions = [{{ name = "gone-1" }}]

[[routers]]
name = "edge1"
kind = "bird"
socket = "{socket}"
{extra_router}"""
    )
    return path


@pytest.fixture
def config(bird: lab.BirdLab, tmp_path: Path) -> Config:
    return load_config(_write_config(tmp_path, bird.socket))


def _by_session(report: SessionReport) -> dict[str, object]:
    return {s.session: s for s in report.sessions}


def test_states_counts_and_flags_from_bird(config: Config, tmp_path: Path) -> None:
    report = gather(config, GatherOptions(state_dir=tmp_path / "state"))
    up, down, missing = report.sessions
    assert (up.session, up.protocol, up.router, up.state, up.up) == (
        "ix1",
        "rs_as65010_ix1",
        "edge1",
        "Established",
        True,
    )
    assert (up.total("received"), up.total("accepted"), up.total("filtered")) == (
        len(lab.ANNOUNCED),
        len(lab.ACCEPTED),
        len(lab.TOO_LONG),
    )
    assert up.flags == () and up.state_seconds is not None and up.state_seconds < 600
    assert up.since_iso is not None
    # found by neighbour AS and address: its name is not the protocol's
    assert (down.protocol, down.up) == ("rs_as65020_ix1", False)
    assert down.state in {"Active", "Connect", "Idle"}
    assert "Connection refused" in down.last_error
    assert down.flags == (Flag.NOT_ESTABLISHED, Flag.NEVER_ESTABLISHED)
    assert (missing.state, missing.protocol) == ("missing", "")
    assert missing.flags == (Flag.PROTOCOL_MISSING, Flag.NEVER_ESTABLISHED)
    assert [(r.name, r.ok) for r in report.routers] == [("edge1", True)]


def test_history_remembers_sessions_that_were_up(config: Config, tmp_path: Path) -> None:
    state = tmp_path / "state"
    gather(config, GatherOptions(state_dir=state))
    history = json.loads((state / "sessions" / "history.json").read_text())
    assert list(history["last_up"]) == [f"AS{lab.PEER_AS}/ix1"]
    assert set(history["first_seen"]) == {f"AS{lab.PEER_AS}/ix1", f"AS{lab.DOWN_AS}/rs-down"}
    # a session seen up once is no longer "never established" when it is down
    history["last_up"][f"AS{lab.DOWN_AS}/rs-down"] = "2026-01-01T00:00:00+00:00"
    (state / "sessions" / "history.json").write_text(json.dumps(history))
    down = gather(config, GatherOptions(state_dir=state)).sessions[1]
    assert down.flags == (Flag.NOT_ESTABLISHED,)


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return out


def _check_metrics(text: str) -> None:
    samples = _samples(text)
    up = {labels["session"]: (labels, value) for labels, value in samples["routesieve_session_up"]}
    labels, value = up["ix1"]
    assert value == 1.0
    assert labels == {
        "peer_asn": str(lab.PEER_AS),
        "peer_name": NASTY,
        "exchange": "LOCIX Düsseldorf",
        "session": "ix1",
        "router": "edge1",
        "protocol": "rs_as65010_ix1",
    }
    assert up["rs-down"][1] == 0.0 and up["gone-1"][1] == 0.0
    routes = {
        (labels["session"], labels["kind"]): value
        for labels, value in samples["routesieve_session_routes"]
    }
    assert routes[("ix1", "received")] == 8.0
    assert routes[("ix1", "accepted")] == 5.0
    assert routes[("ix1", "filtered")] == 3.0
    established = samples["routesieve_session_established_seconds"]
    assert [labels["session"] for labels, _ in established] == ["ix1"]
    flags = {
        (labels["session"], labels["flag"]) for labels, _ in samples["routesieve_session_flag"]
    }
    assert ("gone-1", "protocol-missing") in flags and ("rs-down", "never-established") in flags
    assert samples["routesieve_sessions_scrape_success"] == [
        ({"router": "edge1", "kind": "bird"}, 1.0)
    ]


def test_prometheus_output_parses_with_the_official_parser(config: Config, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "sessions",
            "--config",
            str(config.path),
            "--format",
            "prometheus",
            "--state",
            str(tmp_path / "state"),
        ],
    )
    assert result.exit_code == 0, result.output
    _check_metrics(result.output)


def test_table_and_json(config: Config, tmp_path: Path) -> None:
    state = ["--state", str(tmp_path / "state")]
    table = CliRunner().invoke(main, ["sessions", "--config", str(config.path), *state])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split()[:3] == ["PEER", "NAME", "EXCHANGE"]
    row = next(line for line in lines if line.startswith(f"AS{lab.PEER_AS}"))
    assert "Established" in row and row.split()[-3:] == ["8", "5", "3"]
    assert "protocol-missing" in next(line for line in lines if line.startswith("AS65030"))
    raw = CliRunner().invoke(
        main, ["sessions", "--config", str(config.path), "--format", "json", *state]
    )
    data = json.loads(raw.output)
    first = data["sessions"][0]
    assert (first["peer_name"], first["received"], first["accepted"]) == (NASTY, 8, 5)
    assert data["sessions"][2]["flags"] == ["protocol-missing", "never-established"]


def test_textfile_is_written_atomically(config: Config, tmp_path: Path) -> None:
    folder = tmp_path / "textfile"
    folder.mkdir()
    target = folder / "routesieve_sessions.prom"
    target.write_text("# the previous scrape\n")
    result = CliRunner().invoke(
        main,
        [
            "sessions",
            "--config",
            str(config.path),
            "--textfile",
            str(target),
            "--state",
            str(tmp_path / "state"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in folder.iterdir()] == [target.name]  # no temporary file left
    _check_metrics(target.read_text())


def test_unreadable_router_is_reported_and_exit_code_1(bird: lab.BirdLab, tmp_path: Path) -> None:
    extra = f'\n[[routers]]\nname = "edge2"\nkind = "bird"\nsocket = "{tmp_path}/none.ctl"\n'
    path = _write_config(tmp_path, bird.socket, extra)
    result = CliRunner().invoke(
        main,
        [
            "sessions",
            "--config",
            str(path),
            "--format",
            "prometheus",
            "--state",
            str(tmp_path / "state"),
        ],
    )
    assert result.exit_code == 1
    text = result.stdout
    success = {
        labels["router"]: v for labels, v in _samples(text)["routesieve_sessions_scrape_success"]
    }
    assert success == {"edge1": 1.0, "edge2": 0.0}
    assert "edge2" in result.stderr and "none.ctl" in result.stderr


def test_http_exporter_answers_a_scrape(config: Config, tmp_path: Path) -> None:
    port = free_port("127.0.0.1")
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "routesieve.cli",
            "sessions",
            "--config",
            str(config.path),
            "--serve",
            f"127.0.0.1:{port}",
            "--state",
            str(tmp_path / "state"),
            "--timeout",
            "5",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/metrics"

        def answers() -> bool:
            try:
                with urllib.request.urlopen(url, timeout=5):
                    return True
            except OSError:
                return proc.poll() is not None

        wait_until("the exporter", answers, 30)
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        with urllib.request.urlopen(url, timeout=10) as response:
            _check_metrics(response.read().decode())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
    assert proc.returncode == 0
