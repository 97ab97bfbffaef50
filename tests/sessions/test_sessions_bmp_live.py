"""Session state from a BMP router: a real GoBGP, peering with a real BIRD 2, reports its
session to the BMP station ``routesieve sessions --bmp-wait`` runs; the session shows as
Established with the routes GoBGP holds from BIRD (none: BIRD exports nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sessions_lab as lab
from click.testing import CliRunner
from daemon_lab import LabError, Processes, free_port

from routesieve.cli import main


def test_bmp_router_reports_the_session_established(tmp_path: Path) -> None:
    port = free_port("127.0.0.1")
    config = tmp_path / "routesieve.toml"
    config.write_text(
        f"""[local]
asn = {lab.PEER_AS}
families = ["ipv6"]

[[peers]]
asn = {lab.BIRD_AS}
name = "BIRD"
sessions = [{{ name = "bmp-1", neighbor = "::1" }}]

[[routers]]
name = "gobgp"
kind = "bmp"
listen = "127.0.0.1:{port}"
"""
    )
    procs = Processes()
    try:
        lab.start_lab(procs, tmp_path / "lab", bmp_port=port)
        result = CliRunner().invoke(
            main,
            [
                "sessions",
                "--config",
                str(config),
                "--format",
                "json",
                "--bmp-wait",
                "8",
                "--state",
                str(tmp_path / "state"),
            ],
        )
    except LabError as exc:
        pytest.fail(f"BIRD 2 and GoBGP are needed: {exc}")
    finally:
        procs.stop()
    assert result.exit_code == 0, result.output
    (session,) = json.loads(result.stdout)["sessions"]
    assert (session["state"], session["up"], session["router"]) == ("Established", True, "gobgp")
    assert session["received"] == 0 and session["flags"] == []


def test_bmp_router_without_a_station_is_not_read(tmp_path: Path) -> None:
    config = tmp_path / "routesieve.toml"
    config.write_text(
        """[local]
asn = 65010

[[peers]]
asn = 65020
sessions = [{ name = "s1" }]

[[routers]]
name = "gobgp"
kind = "bmp"
listen = "127.0.0.1:1"
"""
    )
    result = CliRunner().invoke(
        main, ["sessions", "--config", str(config), "--state", str(tmp_path / "state")]
    )
    assert result.exit_code == 1
    assert "BMP station" in result.stderr and "--bmp-wait" in result.stderr
    assert "router-unread" in result.stdout
