"""deploy and rollback against a real, running BIRD 2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from routesieve.cli import main
from routesieve.outputs.deploy_bird import BirdDeployment, DeployError

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))
FILTERS = "routesieve-filters.conf"


def need(program: str, package: str) -> str:
    found = shutil.which(program)
    if found is None:
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        done = subprocess.run(
            ["apt-get", "install", "-y", "-qq", package], capture_output=True, text=True
        )
        found = shutil.which(program)
        assert found, f"cannot install {package}: {done.stderr[-500:]}"
    return found


class Bird:
    def __init__(self, root: Path) -> None:
        need("bird", "bird2")
        self.folder = root / "routesieve"
        self.folder.mkdir()
        self.config = root / "bird.conf"
        self.socket = root / "bird.ctl"
        self.config.write_text(
            f'router id 192.0.2.1;\nprotocol device {{}}\ninclude "{self.folder}/{FILTERS}";\n'
        )
        # BIRD needs the included file to start: begin with an empty one
        (self.folder / FILTERS).write_text("# nothing deployed yet\n")
        self.process = subprocess.Popen(
            ["bird", "-f", "-c", str(self.config), "-s", str(self.socket), "-P", str(root / "pid")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        while not self.socket.exists():
            assert self.process.poll() is None, (
                self.process.stdout.read() if self.process.stdout else ""
            )
            assert time.monotonic() < deadline, "BIRD did not open its control socket"
            time.sleep(0.1)

    def birdc(self, *args: str) -> str:
        done = subprocess.run(
            ["birdc", "-s", str(self.socket), *args], capture_output=True, text=True, timeout=30
        )
        return done.stdout + done.stderr

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def bird(tmp_path: Path) -> Iterator[Bird]:
    b = Bird(tmp_path)
    yield b
    b.stop()


def example_config(root: Path) -> Path:
    """A copy of the bundled example beside the test's BIRD, so that the runs deploy
    stores (in the example's state folder) stay out of the package."""
    copy = root / "example"
    if not copy.exists():
        shutil.copytree(EXAMPLE, copy)
    return copy / "routesieve.toml"


def deploy(bird: Bird, routes: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        [
            "deploy",
            "--config",
            str(example_config(bird.folder.parent)),
            "--routes",
            str(routes),
            "--dir",
            str(bird.folder),
            "--bird-config",
            str(bird.config),
            "--socket",
            str(bird.socket),
            "--max-age-hours",
            "100000",
            *extra,
        ],
    )
    return result.exit_code, result.stdout + result.stderr


def without_peer(tmp_path: Path, asn: int) -> Path:
    lines = (EXAMPLE / "routes.jsonl").read_text().splitlines()
    kept = [line for line in lines if f'"peer_asn": {asn},' not in line]
    path = tmp_path / f"without-{asn}.jsonl"
    path.write_text("\n".join(kept) + "\n")
    return path


def test_good_change_is_checked_and_reloaded(bird: Bird) -> None:
    code, out = deploy(bird, EXAMPLE / "routes.jsonl")
    assert code == 0, out
    assert "Reconfigured" in out
    assert "AS209001: 0 -> 4 prefixes" in out
    assert "peer_as209001_in" in bird.birdc("show", "symbols", "filter")
    manifest = json.loads((bird.folder / "routesieve-manifest.json").read_text())
    assert "2a0e:8a01::/32" in manifest["peers"]["209001"]


def test_broken_configuration_is_refused_and_previous_files_kept(bird: Bird) -> None:
    assert deploy(bird, EXAMPLE / "routes.jsonl")[0] == 0
    good = (bird.folder / FILTERS).read_text()
    dep = BirdDeployment(bird.folder, bird.config, bird.socket)
    with pytest.raises(DeployError) as refused:
        dep.deploy({FILTERS: good + "\nfilter broken { this is not bird; }\n"}, {"peers": {}})
    assert "refused the configuration" in str(refused.value)
    assert "previous files were put back" in str(refused.value)
    assert (bird.folder / FILTERS).read_text() == good
    assert "peer_as209001_in" in bird.birdc("show", "symbols", "filter")  # still running


def test_emptied_accept_list_is_refused_unless_forced(bird: Bird, tmp_path: Path) -> None:
    assert deploy(bird, EXAMPLE / "routes.jsonl")[0] == 0
    before = (bird.folder / FILTERS).read_text()
    code, out = deploy(bird, without_peer(tmp_path, 209002))
    assert code == 1
    assert "AS209002: the accept list would drop from 3 prefixes to none" in out
    assert (bird.folder / FILTERS).read_text() == before
    code, out = deploy(bird, without_peer(tmp_path, 209002), "--force")
    assert code == 0, out
    assert (bird.folder / FILTERS).read_text() != before


def test_stale_data_is_refused_by_default(bird: Bird) -> None:
    result = CliRunner().invoke(
        main,
        [
            "deploy",
            "--config",
            str(EXAMPLE / "routesieve.toml"),
            "--routes",
            str(EXAMPLE / "routes.jsonl"),
            "--dir",
            str(bird.folder),
            "--bird-config",
            str(bird.config),
            "--socket",
            str(bird.socket),
            "--max-age-hours",
            "1",
        ],
    )
    assert result.exit_code == 1
    assert "hours old (limit 1 hours)" in result.stderr


def test_rollback_restores_the_previous_files(bird: Bird, tmp_path: Path) -> None:
    assert deploy(bird, EXAMPLE / "routes.jsonl")[0] == 0
    first = (bird.folder / FILTERS).read_text()
    code, out = deploy(bird, without_peer(tmp_path, 209002), "--force")
    assert code == 0, out
    # the routes of AS209002 are gone since the run the first deploy stored
    assert re.search(r"routes since the run of .*disappeared [1-9]", out), out
    assert (bird.folder / FILTERS).read_text() != first
    result = CliRunner().invoke(
        main,
        [
            "rollback",
            "--dir",
            str(bird.folder),
            "--bird-config",
            str(bird.config),
            "--socket",
            str(bird.socket),
        ],
    )
    assert result.exit_code == 0, result.output
    assert (bird.folder / FILTERS).read_text() == first
    assert "Reconfigured" in result.stdout
