"""The whole ``frr.conf`` FRR's deploy writes, and a check that cannot reach bgpd."""

from __future__ import annotations

from pathlib import Path

import pytest

from routesieve.outputs.deploy_bird import DeployError
from routesieve.outputs.deploy_frr import LOCAL, RELOAD, FrrDeployment, whole_config

RENDERED = {"sessions.conf": "router bgp 64500\nexit\n", "filters.conf": "route-map x deny 10"}


def test_whole_config_is_the_local_part_then_filters_then_sessions(tmp_path: Path) -> None:
    (tmp_path / LOCAL).write_text("hostname edge\n")
    text = whole_config(tmp_path, RENDERED)
    assert text == "hostname edge\nroute-map x deny 10\nrouter bgp 64500\nexit\n"


def test_whole_config_without_a_local_part_is_the_rendered_files(tmp_path: Path) -> None:
    assert whole_config(tmp_path, RENDERED) == "route-map x deny 10\nrouter bgp 64500\nexit\n"


def test_a_failed_check_puts_the_previous_file_back(tmp_path: Path) -> None:
    if not RELOAD.exists():
        pytest.skip(f"{RELOAD} missing (Debian package frr-pythontools)")
    main = tmp_path / "frr.conf"
    main.write_text("hostname old\n")
    nowhere = tmp_path / "no-bgpd"  # no vty socket: frr-reload.py cannot read FRR
    nowhere.mkdir()
    deployment = FrrDeployment(tmp_path, main, nowhere)
    with pytest.raises(DeployError) as raised:
        deployment.deploy({"frr.conf": "hostname new\n"}, {"target": "frr"})
    assert raised.value.reasons[0].startswith(f"frr-reload.py --test {main} refused")
    assert raised.value.reasons[-1] == "the previous files were put back"
    assert main.read_text() == "hostname old\n"
