"""packaging/routesieve.service: systemd accepts it, and it keeps the service confined."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from daemon_lab import install_debian

UNIT = Path(__file__).resolve().parents[2] / "packaging" / "routesieve.service"


def directives() -> dict[str, str]:
    out: dict[str, str] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def test_unit_file_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    install_debian(["systemd"], ["systemd-analyze"])
    # verify checks that ExecStart exists: point it at this checkout's routesieve
    here = str(Path(sys.executable).parent / "routesieve")
    unit = tmp_path / "routesieve.service"
    unit.write_text(UNIT.read_text().replace("/usr/local/bin/routesieve", here))
    done = subprocess.run(
        [shutil.which("systemd-analyze") or "systemd-analyze", "verify", str(unit)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "routesieve.service" not in done.stderr, done.stderr


def test_unit_runs_confined_as_its_own_user_and_reloads_on_hup() -> None:
    d = directives()
    assert d["User"] == "routesieve"
    assert d["ProtectSystem"] == "strict"
    assert "/var/lib/routesieve" in d["ReadWritePaths"].split()
    assert "/etc/bird/routesieve" in d["ReadWritePaths"].split()
    assert d["SupplementaryGroups"] == "bird"
    assert d["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert "routesieve run --config" in d["ExecStart"]
