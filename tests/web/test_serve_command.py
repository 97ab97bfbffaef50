"""``routesieve serve`` as a user runs it: a real process on a free loopback port."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from web_lab import EXAMPLE, serve_process

from routesieve.cli.serving import parse_listen

ROUTESIEVE = [sys.executable, "-m", "routesieve.cli"]


def test_serve_evaluates_the_example_and_answers_over_http(tmp_path: Path) -> None:
    with serve_process(tmp_path, "") as served:
        url = served.url
        run = httpx.get(url + "/api/v1/run", timeout=5).json()
        assert run["merged"] == 31 and run["local_asn"] == 214312
        # the report of this run is served at / (written into <state>/site)
        index = httpx.get(url + "/", timeout=5)
        assert index.status_code == 200 and "AS209001" in index.text
        assert (tmp_path / "state" / "site" / "index.html").is_file()
        peer = httpx.get(url + "/peers/as209001.html", timeout=5)
        assert peer.status_code == 200
        form = httpx.get(url + "/peering/request", timeout=5)
        # the form runs the same check as 'peering request' (PeeringDB is not asked here)
        assert "Peering checks are not configured" not in form.text
        assert 'name="csrf_token"' in form.text
    assert f"on http://127.0.0.1:{served.port}/" in served.log_text()


def test_a_bad_listen_address_exits_2_naming_the_option() -> None:
    done = subprocess.run(
        [*ROUTESIEVE, "serve", "--config", str(EXAMPLE / "routesieve.toml"), "--listen", "::1:80"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--listen: '::1:80': write an IPv6 address in brackets" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_configuration_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [*ROUTESIEVE, "serve", "--config", str(tmp_path / "none.toml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "does not exist" in done.stderr


def test_listen_addresses_parse() -> None:
    assert parse_listen("127.0.0.1:8080") == ("127.0.0.1", 8080)
    assert parse_listen("[::1]:8443") == ("::1", 8443)
    assert parse_listen("localhost:1") == ("localhost", 1)
    for bad, why in [
        ("127.0.0.1", "is not HOST:PORT"),
        ("127.0.0.1:70000", "a port from 1 to 65535"),
        (":8080", "is not HOST:PORT"),
        ("[nonsense]:80", "IPv6"),
    ]:
        with pytest.raises(ValueError, match=why):
            parse_listen(bad)
