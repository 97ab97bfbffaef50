"""The command line end to end: the demo, the formats other programs read, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from routesieve.cli import main
from routesieve.config import CONFIG_REFERENCE
from routesieve.engine.rules import ALL_RULES

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))
JSONL_KEYS = {
    "peer_asn",
    "prefix",
    "as_path",
    "origin_asn",
    "action",
    "rule",
    "reason",
    "rpki",
    "sessions",
    "evidence",
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def verdicts(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_demo_shows_every_rule_code() -> None:
    code, out, _ = run("demo", "--format", "jsonl")
    assert code == 0
    assert {v["rule"] for v in verdicts(out)} == {r.value for r in ALL_RULES}


def test_demo_table_has_a_block_per_peer() -> None:
    code, out, _ = run("demo")
    assert code == 0
    assert "Peer AS209001 (Nordwind Transit)" in out
    assert "Peer AS209003" in out  # a route-server member is judged as the peer
    assert "received 20, accepted 4, rejected 16" in out


def test_installed_command_runs_the_demo() -> None:
    exe = Path(sys.executable).with_name("routesieve")
    command = [str(exe)] if exe.exists() else [shutil.which("routesieve") or "routesieve"]
    done = subprocess.run([*command, "demo", "--format", "csv"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("peer_asn,prefix,as_path,origin_asn,action,rule,rpki")


def test_jsonl_verdicts_have_the_agreed_keys_and_types() -> None:
    code, out, _ = run(
        "evaluate",
        "--config",
        str(EXAMPLE / "routesieve.toml"),
        "--routes",
        str(EXAMPLE / "routes.jsonl"),
        "--format",
        "jsonl",
    )
    assert code == 0
    rows = verdicts(out)
    assert len(rows) == 31  # 32 lines, two of them one route seen on two sessions
    for v in rows:
        assert v.keys() >= JSONL_KEYS
        assert isinstance(v["peer_asn"], int)
        assert v["action"] in ("accept", "reject")
        assert v["rpki"] in (None, "VALID", "INVALID_ASN", "INVALID_LENGTH", "UNKNOWN")
        assert isinstance(v["sessions"], list) and isinstance(v["evidence"], dict)
    merged = next(v for v in rows if v["prefix"] == "2a0e:8a01::/32")
    assert merged["sessions"] == ["bgpx-1", "locix-1"]
    assert merged["rule"] == "4.1" and merged["evidence"]["vrp"]["asn"] == 209001


def test_output_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(tmp_path: Path) -> None:
    """``--output /dev/null`` (or a FIFO) is written to, never renamed over."""
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, _ = run("demo", "--format", "csv", "--output", str(fifo))
    reader.join(timeout=30)
    assert code == 0
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].decode().startswith("peer_asn,")
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temporary left


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    target = tmp_path / "verdicts.csv"
    code, _, _ = run("demo", "--format", "csv", "--output", str(target))
    assert code == 0
    lines = target.read_text().splitlines()
    assert len(lines) == 32 and lines[0].startswith("peer_asn,")
    assert [p.name for p in tmp_path.iterdir()] == ["verdicts.csv"]  # no temporary left


def explain_example(prefix: str) -> tuple[int, str, str]:
    config, routes = str(EXAMPLE / "routesieve.toml"), str(EXAMPLE / "routes.jsonl")
    return run("explain", "--config", config, "--routes", routes, "--prefix", prefix)


def test_explain_lists_every_rule_with_evidence() -> None:
    code, out, _ = explain_example("2a0e:8a08::/32")
    assert code == 0
    assert "ACCEPT by rule 4.5" in out
    for rule in ("X-AFI", "3.1", "3.10", "4.1", "4.4", "4.5"):
        assert f"  {rule} " in out
    assert "2a0e:8a08::/32 max /32 AS209014" in out  # the covering VRP
    assert "no match" in out and "pass" in out


def test_explain_of_the_demo_route_leak_lists_every_hop() -> None:
    code, out, _ = explain_example("2a0e:8a12::/32")
    assert code == 0
    assert "REJECT by rule X-ASPA" in out
    hops = [line.strip() for line in out.splitlines() if line.strip().startswith("up AS")]
    assert hops == [
        "up AS209041 → AS209040: Provider+ (the ASPA of AS209041 lists AS209040; "
        "providers: AS209040)",
        "up AS209040 → AS209001: Not Provider+ (the ASPA of AS209040 does not list "
        "AS209001; providers: AS209045)",
    ]
    assert "stops being valley-free at AS209040 → AS209001" in out


def test_explain_of_an_unknown_prefix_is_an_input_error() -> None:
    code, _, err = explain_example("2a0e:ffff::/32")
    assert code == 1
    assert "no received route for 2a0e:ffff::/32" in err


def test_bad_configuration_exits_2_naming_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[local]\nasn = 214312\n[policy]\nmax_hops = "many"\nbogus = 1\n')
    code, _, err = run("evaluate", "--config", str(bad), "--routes", str(EXAMPLE / "routes.jsonl"))
    assert code == 2
    assert "bad.toml" in err and "policy.max_hops" in err and "bogus" in err


def test_missing_data_file_exits_1_naming_it(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[local]\nasn = 214312\n[sources]\nrpki = ["nowhere.json"]\n')
    code, _, err = run("evaluate", "--config", str(cfg), "--routes", str(EXAMPLE / "routes.jsonl"))
    assert code == 1
    assert "nowhere.json" in err


def test_missing_routes_file_exits_1_naming_it(tmp_path: Path) -> None:
    code, _, err = run(
        "evaluate",
        "--config",
        str(EXAMPLE / "routesieve.toml"),
        "--routes",
        str(tmp_path / "gone.jsonl"),
    )
    assert code == 1
    assert "gone.jsonl" in err


def test_junk_route_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    routes = tmp_path / "r.jsonl"
    routes.write_text(
        '{"peer_asn": 209002, "prefix": "2a0e:8a07::/32", "as_path": "209002"}\nnot json\n'
    )
    code, out, err = run(
        "evaluate",
        "--config",
        str(EXAMPLE / "routesieve.toml"),
        "--routes",
        str(routes),
        "--format",
        "jsonl",
    )
    assert code == 0
    assert "r.jsonl:2" in err
    assert [v["rule"] for v in verdicts(out)] == ["4.4"]


def test_bad_prefix_argument_is_a_usage_error() -> None:
    code, _, err = run(
        "explain",
        "--config",
        str(EXAMPLE / "routesieve.toml"),
        "--routes",
        str(EXAMPLE / "routes.jsonl"),
        "--prefix",
        "not-a-prefix",
    )
    assert code == 2 and "--prefix" in err


def test_mrt_dump_is_evaluated_route_by_route(shared_data: Path) -> None:
    dump = shared_data / "mrt" / "mrtparse-lab-samples" / "bird6-mrtdump_rib"
    code, out, _ = run(
        "evaluate",
        "--config",
        str(EXAMPLE / "routesieve.toml"),
        "--routes",
        str(dump),
        "--format",
        "jsonl",
    )
    assert code == 0
    rows = verdicts(out)
    assert rows and all(r["prefix"].count(":") for r in rows)
    # lab data: documentation prefixes and private ASNs, so nothing is accepted
    assert all(r["action"] == "reject" for r in rows)


def test_configuration_reference_in_docs_is_current() -> None:
    assert (ROOT / "docs" / "configuration.md").read_text() == CONFIG_REFERENCE.rstrip("\n") + "\n"


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "table"])
def test_same_input_gives_same_output(fmt: str) -> None:
    first = run("demo", "--format", fmt)[1]
    second = run("demo", "--format", fmt)[1]
    strip = [line for line in first.splitlines() if "UTC" not in line]
    assert strip == [line for line in second.splitlines() if "UTC" not in line]


def test_a_reader_that_closes_the_pipe_early_ends_evaluate_quietly(tmp_path: Path) -> None:
    """``routesieve evaluate ... | head``: once the reader has gone the command stops with
    the shell's SIGPIPE code, without an "internal error" line or a crash log."""
    routes = tmp_path / "routes.jsonl"
    routes.write_text(
        "".join(
            f'{{"peer_asn": 209001, "prefix": "2a0e:8a01:{i:x}::/48", '
            f'"as_path": "209001", "session": "bgpx-1"}}\n'
            for i in range(4000)
        )
    )
    logs = tmp_path / "logs"
    exe = Path(sys.executable).with_name("routesieve")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "routesieve.cli"]
    args = ["evaluate", "--config", str(EXAMPLE / "routesieve.toml")]
    proc = subprocess.Popen(
        [*command, *args, "--routes", str(routes), "--format", "jsonl"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "ROUTESIEVE_LOG_DIR": str(logs)},
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # as head does after its lines: about 1 MB is still to come
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert json.loads(first)["peer_asn"] == 209001
    assert "internal error" not in err and "Traceback" not in err
    assert not logs.exists() or not any(logs.iterdir())
