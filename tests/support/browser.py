"""A real headless Chromium for the report tests, driven through Selenium WebDriver.

Debian's ``chromium`` and ``chromium-driver`` (same version, so the driver always fits
the browser) are installed when missing, like the routing daemons of ``daemon_lab``.
Selenium is given the driver's path, so it never tries to download one. Everything is
local: pages are opened from ``file://``; the browser gets no network.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from daemon_lab import install_debian
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service

T = TypeVar("T")
PAGE_LOAD_TIMEOUT = 30


@contextmanager
def chromium(
    width: int = 1400, height: int = 1000, downloads: Path | None = None
) -> Iterator[webdriver.Chrome]:
    """A headless Chromium, always quit at the end; files it downloads go to
    ``downloads``."""
    install_debian(["chromium", "chromium-driver"], ["chromium", "chromedriver"])
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",  # we run as root
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-extensions",
        f"--window-size={width},{height}",
        "--proxy-server=127.0.0.1:9",  # nothing leaves the machine, even by mistake
    ):
        options.add_argument(arg)
    if downloads is not None:
        options.add_experimental_option(
            "prefs",
            {
                "download.default_directory": str(downloads),
                "download.prompt_for_download": False,
            },
        )
    # the console (driver.get_log("browser")), where Chromium reports CSP violations
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver") or "chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(PAGE_LOAD_TIMEOUT)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(check: Callable[[], T | None], timeout: float = 20.0, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy (bounded)."""
    end = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or check}")
        time.sleep(0.05)


def alert_open(driver: webdriver.Chrome) -> bool:
    try:
        driver.switch_to.alert  # noqa: B018 (the property raises when there is none)
    except NoAlertPresentException:
        return False
    return True
