"""The report in a real headless Chromium (Debian's, through Selenium WebDriver), opened
from file:// as a reader who saved the folder would open it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from browser import alert_open, chromium, wait_for
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from report.example_data import HOSTILE_NAME, HOSTILE_SESSION, example_copy, run_cli
from routesieve.cli.reporting import session_specs
from routesieve.collect.files import read_routes
from routesieve.config import load_config
from routesieve.engine.evaluate import evaluate
from routesieve.outputs.filterspec import router_policy
from routesieve.sources.load import load_snapshot

EXAMPLE_PEERS = [209001, 209002, 209003, 209004, 209100, 209200]


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def driver(downloads: Path) -> Iterator[webdriver.Chrome]:
    with chromium(downloads=downloads) as d:
        yield d


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("plain")
    folder = example_copy(base / "example")
    site = base / "site"
    r = run_cli(
        "report",
        "--config",
        str(folder / "routesieve.toml"),
        "--routes",
        str(folder / "routes.jsonl"),
        "--html",
        str(site),
    )
    assert r.exit_code == 0, r.output
    return site


def open_peer(driver: webdriver.Chrome, site: Path, asn: int) -> None:
    driver.get((site / "peers" / f"as{asn}.html").as_uri())
    wait_for(lambda: "in all" in driver.find_element(By.ID, "status").text, what="all rows")


def visible_rows(driver: webdriver.Chrome) -> list[list[str]]:
    """The cells of the shown rows, read in one go (the table is re-drawn as it filters)."""
    rows: list[list[str]] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#route-rows > tr:not(.detail)'))"
        ".map(tr => Array.from(tr.cells).map(td => td.innerText))"
    )
    return rows


def screenshot(driver: webdriver.Chrome, name: str, tmp: Path) -> None:
    """Into the test's folder, and into $ROUTESIEVE_SCREENSHOTS when set (docs/)."""
    driver.save_screenshot(str(tmp / name))
    target = os.environ.get("ROUTESIEVE_SCREENSHOTS")
    if target:
        driver.save_screenshot(str(Path(target) / name))
    assert (tmp / name).stat().st_size > 10_000


def test_index_lists_every_peer_of_the_example(
    driver: webdriver.Chrome, plain_site: Path, tmp_path: Path
) -> None:
    driver.get((plain_site / "index.html").as_uri())
    links = driver.find_elements(By.CSS_SELECTOR, "#peers tbody td:first-child a")
    assert [a.text for a in links] == [f"AS{n}" for n in EXAMPLE_PEERS]
    first = driver.find_element(By.CSS_SELECTOR, "#peers tbody tr")
    assert "Nordwind Transit" in first.text and "20" in first.text
    assert driver.find_elements(By.CSS_SELECTOR, "#sources tbody tr")
    screenshot(driver, "report-index.png", tmp_path)
    links[0].click()
    wait_for(lambda: driver.current_url.endswith("peers/as209001.html"), what="peer page")


def test_peer_page_filters_by_rule_verdict_and_text(
    driver: webdriver.Chrome, plain_site: Path
) -> None:
    open_peer(driver, plain_site, 209001)
    assert len(visible_rows(driver)) == 20
    Select(driver.find_element(By.ID, "f-rule")).select_by_value("3.10")
    rows = visible_rows(driver)
    assert [r[0] for r in rows] == ["2a0e:8a01:10::/48"] and rows[0][3] == "3.10"
    Select(driver.find_element(By.ID, "f-rule")).select_by_value("")
    Select(driver.find_element(By.ID, "f-verdict")).select_by_value("a")
    rows = visible_rows(driver)
    assert len(rows) == 4 and {r[2] for r in rows} == {"ACCEPT"}
    Select(driver.find_element(By.ID, "f-verdict")).select_by_value("")
    driver.find_element(By.ID, "f-text").send_keys("209013")
    wait_for(lambda: len(visible_rows(driver)) == 1, what="text filter")
    assert visible_rows(driver)[0][0] == "2a0e:8a06::/32"


def open_first_route_of_rule(driver: webdriver.Chrome, site: Path, rule: str) -> list[Any]:
    """Open AS209001's page, show the routes of ``rule``, open the first: its steps."""
    open_peer(driver, site, 209001)
    Select(driver.find_element(By.ID, "f-rule")).select_by_value(rule)
    driver.find_element(By.CSS_SELECTOR, "#route-rows > tr").click()
    steps: list[Any] = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, "table.steps tbody tr"), what="steps"
    )
    return steps


def test_an_x_aspa_rejection_opens_with_its_hops_and_advice(
    driver: webdriver.Chrome, plain_site: Path, tmp_path: Path
) -> None:
    steps = open_first_route_of_rule(driver, plain_site, "X-ASPA")
    row = next(s for s in steps if s.text.startswith("X-ASPA"))
    aspa = row.text
    assert "AS209041 → AS209040: Provider+" in aspa
    assert "AS209040 → AS209001: Not Provider+" in aspa
    assert "stops being valley-free at AS209040 → AS209001" in aspa
    advice = driver.find_element(By.CSS_SELECTOR, "ul.advice").text
    assert "AS209040 should add AS209001 to its ASPA" in advice
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", row)
    screenshot(driver, "report-x-aspa.png", tmp_path)


def test_an_explanation_opens_with_every_rule_and_advice(
    driver: webdriver.Chrome, plain_site: Path, tmp_path: Path
) -> None:
    steps = open_first_route_of_rule(driver, plain_site, "3.10")
    rules = [s.find_element(By.CSS_SELECTOR, "td.rule").text for s in steps]
    assert rules[:3] == ["X-AFI", "X-MALFORMED", "3.1"] and "4.4" in rules
    failed = next(s.text for s in steps if "3.10" in s.text)
    assert "fail" in failed and "2a0e:8a01::/32 max /32 AS209001" in failed
    advice = driver.find_element(By.CSS_SELECTOR, "ul.advice").text
    assert "maxLength 48, origin AS209001" in advice
    Select(driver.find_element(By.ID, "f-rule")).select_by_value("")
    driver.execute_script("window.scrollTo(0, 0)")
    # the screenshot for the docs: a rejected route opened
    driver.find_element(By.ID, "f-text").send_keys("2a0e:8a09")
    wait_for(lambda: len(visible_rows(driver)) == 1, what="one row")
    driver.find_element(By.CSS_SELECTOR, "#route-rows > tr").click()
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, "table.steps"), what="steps")
    driver.set_window_size(1400, 1500)
    driver.execute_script("document.getElementById('routes').scrollIntoView()")
    screenshot(driver, "report-peer.png", tmp_path)
    driver.set_window_size(1400, 1000)


def test_the_downloaded_accept_list_is_the_router_policy_one(
    driver: webdriver.Chrome, plain_site: Path, downloads: Path
) -> None:
    folder = plain_site.parent / "example"
    config = load_config(folder / "routesieve.toml")
    policy = config.to_policy()
    snapshot = load_snapshot(config, int(datetime.now(UTC).timestamp())).snapshot
    verdicts = list(evaluate(read_routes(folder / "routes.jsonl").items, snapshot, policy))
    rp = router_policy(verdicts, policy, snapshot, session_specs(config), {})
    want = {pf.asn: [str(p) for p in pf.accept] for pf in rp.peers}
    assert want[209001]
    open_peer(driver, plain_site, 209001)
    driver.find_element(By.CSS_SELECTOR, 'a.dl[data-format="txt"]').click()
    # from file:// each file is its own origin, so Chromium ignores the download
    # attribute and shows the file; from a web server it saves it. Either way, the
    # browser gets exactly the accept list.

    def fetched() -> str | None:
        saved = list(downloads.glob("as209001-accept.txt"))
        if saved:
            return saved[0].read_text()
        if driver.current_url.endswith("/downloads/as209001-accept.txt"):
            text: str = driver.find_element(By.TAG_NAME, "body").text
            return text + "\n"
        return None

    assert wait_for(fetched, what="the accept list").split() == want[209001]


def test_markup_in_names_shows_as_text_and_runs_nothing(
    driver: webdriver.Chrome, hostile_site: Path
) -> None:
    driver.get((hostile_site / "index.html").as_uri())
    assert not alert_open(driver)
    names = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "td.peer-name")]
    assert HOSTILE_NAME in names
    assert not driver.find_elements(By.CSS_SELECTOR, "td.peer-name b, td.peer-name script")
    open_peer(driver, hostile_site, 209002)
    assert not alert_open(driver)
    assert driver.find_element(By.ID, "peer-name").text == HOSTILE_NAME
    assert not driver.find_elements(By.CSS_SELECTOR, "h1 b, h1 script")
    driver.find_element(By.ID, "f-text").send_keys("2a0e:8a05:200::/48")
    wait_for(lambda: len(visible_rows(driver)) == 1, what="the hostile-session route")
    driver.find_element(By.CSS_SELECTOR, "#route-rows > tr").click()
    facts = wait_for(
        lambda: driver.find_elements(By.CSS_SELECTOR, ".explain p.small"), what="details"
    )
    assert HOSTILE_SESSION in facts[0].text
    assert not alert_open(driver)
    assert not driver.find_elements(By.TAG_NAME, "img")
    inline = driver.execute_script(
        "return Array.from(document.scripts).filter(s => !s.src).map(s => s.type)"
    )
    assert inline == ["application/json"]
