"""The report's search box on a peer page served by ``routesieve serve``, in a real headless
Chromium, under the server's Content-Security-Policy (issue 14, finding 8: an inline
``onsubmit`` was blocked, so Enter reloaded the page and lost the filter)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser import chromium, wait_for
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from web_lab import ServeProcess, serve_process

SERVE_TABLE = 'hosts = ["127.0.0.1"]'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    with serve_process(tmp_path_factory.mktemp("chromium-serve"), SERVE_TABLE, "--offline") as s:
        yield s


def shown_prefixes(driver: webdriver.Chrome) -> list[str]:
    cells: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#route-rows > tr:not(.detail)'))"
        ".map(tr => tr.cells[0].innerText)"
    )
    return cells


def test_enter_in_the_search_box_filters_the_rows_without_a_csp_violation(
    server: ServeProcess,
) -> None:
    with chromium() as driver:
        driver.get(server.url + "/peers/as209001.html")
        wait_for(lambda: "in all" in driver.find_element(By.ID, "status").text, what="rows")
        everything = shown_prefixes(driver)
        assert len(everything) > 5
        driver.execute_script("window.stillTheSamePage = true")
        box = driver.find_element(By.ID, "f-text")
        box.send_keys("2a0e:8a01:2")
        box.send_keys(Keys.ENTER)
        wait_for(
            lambda: 0 < len(shown_prefixes(driver)) < len(everything),
            what="the rows to be filtered",
        )
        shown = shown_prefixes(driver)
        assert all("2a0e:8a01:2" in p for p in shown), shown
        assert driver.execute_script("return window.stillTheSamePage === true"), (
            "Enter did not submit the form and reload the page"
        )
        assert driver.find_element(By.ID, "f-text").get_attribute("value") == "2a0e:8a01:2"
        csp = driver.execute_script("return document.querySelector('meta[http-equiv]') === null")
        assert csp, "the policy is the server's header, not a meta tag of the page"
        console = [entry["message"] for entry in driver.get_log("browser")]
    assert not [m for m in console if "Content Security Policy" in m], console
