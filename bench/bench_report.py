"""Figures for the static report with one peer sending a quarter of a million routes.

Usage: ``python bench/bench_report.py [--routes N] [--explain-limit K] [--out DIR]``.

The bundled example's configuration and data (tiny snapshot, so the figures are about
the report, not about loading data) and N routes of AS209001 made up here: /48s inside
its /32 (RPKI INVALID_LENGTH), customer routes inside other /32s (rule 5, 4.4 ...), and
a few of each odd kind. Prints: the time to decide and build the verdicts, to compute
the explanations of K routes, to write the site, its size; then, in headless Chromium
(Debian's, through Selenium), the time from navigation to the first rows of the peer
page, to all rows loaded, and of a filter by rule over every route.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "support"))

from browser import chromium, wait_for  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from routesieve.aspath import AsPath  # noqa: E402
from routesieve.model import Prefix, Route  # noqa: E402

PEER = 209001


def make_routes(n: int) -> list[Route]:
    """``n`` routes of AS209001 with a mix of verdicts, paths shared as readers share them."""
    paths = {
        "own": AsPath.parse("209001"),
        "cust": AsPath.parse("209001 209013"),
        "two": AsPath.parse("209001 209014"),
        "long": AsPath.parse("209001 209015 209016"),
    }
    out: list[Route] = []
    base = {
        "own": Prefix.parse("2a0e:8a01::/32"),
        "cust": Prefix.parse("2a0e:8a06::/32"),
        "two": Prefix.parse("2a0e:8a08::/32"),
        "long": Prefix.parse("2a0e:8a09::/32"),
    }
    kinds = list(paths)
    for i in range(n):
        kind = kinds[i % 4]
        sub = i // 4
        p = base[kind]
        prefix = Prefix(6, p.value | (sub << (128 - 48)), 48)
        out.append(Route(PEER, prefix, paths[kind], session="bgpx-1"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--routes", type=int, default=250_000)
    ap.add_argument("--explain-limit", type=int, default=200)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()

    from routesieve.cli.reporting import report_input
    from routesieve.config import load_config
    from routesieve.engine.evaluate import decide
    from routesieve.outputs.report import write_site
    from routesieve.sources.load import load_snapshot

    out = args.out or Path(tempfile.mkdtemp(prefix="routesieve-bench-report-"))
    example = resources.files("routesieve") / "data" / "example"
    with resources.as_file(example) as folder:
        config = load_config(folder / "routesieve.toml")
        snapshot = load_snapshot(config, int(time.time())).snapshot
    policy = config.to_policy()
    routes = make_routes(args.routes)
    print(f"routes: {len(routes):,} from AS{PEER}")

    t = time.perf_counter()
    d = decide(routes, snapshot, policy)
    print(f"decide: {time.perf_counter() - t:.2f} s")

    from datetime import UTC, datetime

    t = time.perf_counter()
    inp = report_input(
        config,
        snapshot,
        d,
        datetime.now(UTC),
        previous=None,
        explain_limit=args.explain_limit,
        explain_seconds=600,
    )
    t_input = time.perf_counter() - t
    print(
        f"verdicts, {len(inp.explanations)} explanations and accept lists "
        f"(report_input, as 'routesieve report'): {t_input:.2f} s"
    )

    t = time.perf_counter()
    site = out / "site"
    write_site(inp, site)
    t_site = time.perf_counter() - t
    size = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    data_dir = site / "data" / f"as{PEER}"
    chunks = sorted(data_dir.glob("routes-*.js"))
    first = data_dir / "routes-0.js"
    print(
        f"site written: {t_site:.2f} s, {size / 1e6:.1f} MB in all, "
        f"{len(chunks)} route chunks ({first.stat().st_size / 1e6:.1f} MB each), "
        f"details {sum(f.stat().st_size for f in data_dir.glob('detail-*.js')) / 1e6:.1f} MB"
    )

    page = (site / "peers" / f"as{PEER}.html").as_uri()
    with chromium() as driver:
        driver.get((site / "index.html").as_uri())  # warm the browser up
        driver.get(page)
        marks: dict[str, float] = wait_for(
            lambda: driver.execute_script(
                "var a = performance.getEntriesByName('rs-all-rows');"
                "var f = performance.getEntriesByName('rs-first-rows');"
                "return a.length ? {first: f[0].startTime, all: a[0].startTime} : null"
            ),
            timeout=300,
            what="all rows",
        )
        print(f"browser: first rows after {marks['first']:.0f} ms (from navigation start)")
        print(f"browser: all {len(routes):,} routes loaded after {marks['all']:.0f} ms")
        n_dom = driver.execute_script("return document.querySelectorAll('tr').length")
        print(f"browser: table rows in the DOM: {n_dom}")
        t = time.perf_counter()
        Select(driver.find_element(By.ID, "f-rule")).select_by_value("3.10")
        wait_for(
            lambda: (
                "matching" in driver.find_element(By.ID, "status").text
                and driver.find_element(By.CSS_SELECTOR, "#route-rows td.rule").text == "3.10"
            ),
            what="filtered",
        )
        print(
            f"browser: filter by rule over every route: {(time.perf_counter() - t) * 1000:.0f} ms"
            f" ({driver.find_element(By.ID, 'status').text})"
        )
        t = time.perf_counter()
        driver.find_element(By.CSS_SELECTOR, "#route-rows > tr").click()
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".explain h3"), what="detail")
        print(f"browser: open one route's details: {(time.perf_counter() - t) * 1000:.0f} ms")
    print(f"site: {site}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
