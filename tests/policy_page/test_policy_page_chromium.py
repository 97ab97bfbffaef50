"""The HTML page in a real headless Chromium (Debian's): it loads with no console error,
the rendered DOM has the headings and the configured limits, and a screenshot is saved to
docs/screenshots/policy-page.png."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from daemon_lab import install_debian

from routesieve.config import load_config
from routesieve.policy_page import PageOptions, render_policy

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "src" / "routesieve" / "data" / "example" / "routesieve.toml"
SCREENSHOT = ROOT / "docs" / "screenshots" / "policy-page.png"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]


@pytest.fixture(scope="module")
def chromium() -> str:
    install_debian(("chromium",), ("chromium",))
    path = shutil.which("chromium")
    assert path is not None
    return path


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    html = render_policy(
        load_config(EXAMPLE),
        "html",
        PageOptions(email="peering@as214312.de", page_date=date(2026, 11, 26)),
    )
    path = tmp_path_factory.mktemp("policy") / "policy.html"
    path.write_text(html, encoding="utf-8")
    return path


def _run(chromium: str, args: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_rendered_dom_has_the_headings_and_limits(
    chromium: str, page: Path, tmp_path: Path
) -> None:
    done = _run(
        chromium,
        ["--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<h1>AS214312 Peering Policy</h1>" in dom
    for heading in (
        "General requirements",
        "Technical details",
        "Peering request process",
        "Route filtering",
    ):
        assert f"<h2>{heading}</h2>" in dom
    assert "longer than /48" in dom
    assert 'href="https://www.peeringdb.com/ix/2730"' in dom
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
    # no request leaves the page: nothing external to load
    assert not re.search(r'(src|href)="(?!https://www\.peeringdb|https://|mailto:|#)', dom)
    assert "<link" not in dom and "<script" not in dom


def test_screenshot_is_saved(chromium: str, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "policy-page.png"
    done = _run(
        chromium, [f"--screenshot={shot}", "--window-size=1100,2800", page.as_uri()], tmp_path
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 50_000
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    SCREENSHOT.write_bytes(data)
