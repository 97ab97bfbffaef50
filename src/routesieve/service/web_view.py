"""``run``'s web face (``[run] listen_web``): ``serve``'s report, API and peering form
over the live state.

The loop hands over the current routes, data and policy (:meth:`WebView.refresh`)
whenever verdicts or data changed. A thread builds what ``serve`` builds at its start
from them: every route decided once more (the API's per-peer indexes and explanations
need the whole decision table), the report pages written into a fresh
``<state>/run/site-N/``, and swaps the new application in
(:class:`routesieve.web.live.LiveApp`: limits, rate limiters and form tokens survive the
swap). Only the newest inputs are built: refreshes that come while one is building fold
into the next, so the web lags a change by one build and never piles them up. The server
is :mod:`routesieve.web.server`'s, with the ``[serve]`` limits.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from routesieve.cli.reporting import report_input
from routesieve.collect.routers import listen_address
from routesieve.config import Config
from routesieve.engine.evaluate import decide
from routesieve.model import Route
from routesieve.outputs.report import write_site
from routesieve.policy import Policy
from routesieve.runs.store import list_runs, runs_dir
from routesieve.snapshot import Snapshot
from routesieve.web.data import ServeData, serve_data
from routesieve.web.limits import serve_limits
from routesieve.web.live import LiveApp
from routesieve.web.peering import check_for
from routesieve.web.server import Server

log = logging.getLogger("routesieve.run.web")
SITE = "site-"
EXPLAIN_SECONDS = 10.0  # the report's explanations, per build (serve's default is 30)

Inputs = tuple[Sequence[Route], Snapshot, Policy, Config]


class WebView:
    """The server and its builder thread; :meth:`start` binds and serves (the 503 of
    :class:`LiveApp` until the first build is in)."""

    def __init__(self, config: Config, folder: Path, built: Callable[[float], None]) -> None:
        assert config.run.listen_web is not None
        host, port = listen_address(config.run.listen_web)
        limits = serve_limits(config, host)
        self.folder = folder
        self.built = built  # told each build's seconds (the metrics)
        self.app = LiveApp(
            config.state_dir,
            config.to_policy().local_asn,
            check_for(config),
            limits=limits,
            max_age_hours=float(config.run.max_age_hours),
        )
        self.server = Server(self.app, host, port, limits)
        self._sock = self.server.bind()  # an address in use fails the start, not a thread
        self._want: Inputs | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._serial = 0
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"{SITE}*"):  # pages of an earlier process
            shutil.rmtree(old, ignore_errors=True)
        self._threads = [
            threading.Thread(target=self.server.run, args=(self._sock,), name="web", daemon=True),
            threading.Thread(target=self._builder, name="web-build", daemon=True),
        ]
        for t in self._threads:
            t.start()
        if not self.server.started.wait(60):
            raise OSError(f"the web server on {self.server.host}:{self.server.port} did not start")

    def stop(self) -> None:
        self.server.stop()
        with self._wake:
            self._stopping = True
            self._wake.notify()
        for t in self._threads:
            t.join(timeout=30)

    def refresh(
        self, routes: Sequence[Route], snapshot: Snapshot, policy: Policy, config: Config
    ) -> None:
        """Build the pages and API over these inputs next (replacing any not yet built)."""
        with self._wake:
            self._want = (routes, snapshot, policy, config)
            self._wake.notify()

    def _builder(self) -> None:
        while True:
            with self._wake:
                while self._want is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                want, self._want = self._want, None
            assert want is not None
            started = time.monotonic()
            try:
                self._build(*want)
            except Exception:  # the thread must live on: the previous pages stay served
                log.exception("the web view could not be refreshed; the previous one stays")
                continue
            self.built(time.monotonic() - started)

    def _build(
        self, routes: Sequence[Route], snapshot: Snapshot, policy: Policy, config: Config
    ) -> None:
        self._serial += 1
        site = self.folder / f"{SITE}{self._serial}"
        data = build(routes, snapshot, policy, config, site)
        self.app.replace(data, site)
        # a request may still be reading the pages just replaced: keep them one turn more
        for old in self.folder.glob(f"{SITE}*"):
            n = old.name.removeprefix(SITE)
            if n.isdigit() and int(n) < self._serial - 1:
                shutil.rmtree(old, ignore_errors=True)
        log.info("web: %d routes served, as of %s", data.received, data.evaluated_at.isoformat())


def build(
    routes: Sequence[Route], snapshot: Snapshot, policy: Policy, config: Config, site: Path
) -> ServeData:
    """What ``serve`` builds at its start: every route decided, indexed for the API, and
    the report pages written into ``site`` (changes shown against the run stored before
    the newest, which is usually this very state)."""
    now = datetime.now(UTC).replace(microsecond=0)
    decisions = decide(routes, snapshot, policy)
    data = serve_data(decisions, snapshot.provenance, now, len(routes), (), str(config.path))
    stored = list_runs(runs_dir(config))
    previous = stored[-2] if len(stored) > 1 else None
    inp = report_input(
        config,
        snapshot,
        decisions,
        now,
        previous=previous,
        explain_seconds=EXPLAIN_SECONDS,
    )
    shutil.rmtree(site, ignore_errors=True)
    write_site(inp, site)
    return data
