"""The service: one loop that owns the live verdicts and reacts to every change.

Threads only feed it: the RTR session puts VRP changes on a queue, the BMP stations
collect on their own. The loop reads the BIRD routers every ``poll_seconds``, fetches
each kind of the other sources on its own ``[run.intervals]`` timer (as ``routesieve
sync``: the last good copy of a failing source is kept; kinds not due are read from
their copies), re-decides incrementally, deploys at most every
``deploy_min_interval``, stores a run when verdicts changed, checks the incremental
state against a full evaluation every ``full_check_seconds`` and notifies.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

from prometheus_client import start_http_server

from routesieve.collect.routers import Collector, listen_address
from routesieve.config import Config, ConfigError, load_config
from routesieve.engine.changes import Applied
from routesieve.engine.evaluate import evaluate
from routesieve.engine.incremental import LiveEvaluation
from routesieve.problems import InputError
from routesieve.runs.store import runs_dir, save_run
from routesieve.service.deployer import Deployer
from routesieve.service.events import deploy_refused, verdicts_changed
from routesieve.service.metrics import ServiceMetrics, refusal_reason
from routesieve.service.notify import Notifier
from routesieve.service.rtr_feed import RtrDown, RtrFeed, VrpUpdate, rtr_url
from routesieve.service.schedule import Every
from routesieve.service.vrp_copy import load_vrps, save_vrps
from routesieve.service.web_view import WebView
from routesieve.snapshot import Snapshot
from routesieve.store.snapshot_file import load_stored_snapshot
from routesieve.sync.one_source import FAILED, KEPT, SourceOutcome
from routesieve.sync.run import run_sync
from routesieve.sync.stored import NoSnapshot, choose_snapshot

log = logging.getLogger("routesieve.run")
TICK = 0.5  # the longest the loop sleeps before looking at signals and timers again


class ServiceError(Exception):
    """The service cannot start: the message names what is missing."""


class Service:
    def __init__(self, config: Config) -> None:
        self.config = config
        self.metrics = ServiceMetrics()
        self.events: queue.Queue[object] = queue.Queue()
        self.stopping = threading.Event()
        self.reload_wanted = threading.Event()
        self.live: LiveEvaluation | None = None
        self.collector = Collector(config.routers)
        self.rtr: RtrFeed | None = None
        self.web: WebView | None = None
        self._setup(config)
        self._pending_since: float | None = None  # first undeployed change
        self._last_deploy = 0.0
        self._verdicts_changed = False
        self._rtr_down = False
        self._vrps_unsaved = False
        self._rpki_stale_at_start = False

    @property
    def state_dir(self) -> Path:
        return self.config.state_dir / "run"

    def _setup(self, config: Config) -> None:
        run = config.run
        self.notifier = Notifier(run.notify)
        self.deployer = Deployer(config)
        self.poll = Every(run.poll_seconds, run.jitter)
        live = rtr_url(config)
        self.source_timers = {
            key: Every(float(getattr(run.intervals, key)), run.jitter)
            for key, loc in config.sources.urls()
            if not (live is not None and key == "rpki" and loc.scheme == "rtr")
        }
        self.full_check = Every(run.full_check_seconds, run.jitter)

    # ---- start and stop --------------------------------------------------------------

    def start(self) -> None:
        host, port = listen_address(self.config.run.listen_metrics)
        start_http_server(port, host, registry=self.metrics.registry)
        if self.config.run.listen_web is not None:
            self.web = WebView(self.config, self.state_dir, self.metrics.web_build)
            self.web.start()
        self.collector.start()
        snapshot = self._initial_data()
        routes = self._collect()
        started = time.monotonic()
        self.live = LiveEvaluation(routes or [], snapshot, self.config.to_policy())
        log.info("decided %d routes in %.1f s", len(self.live), time.monotonic() - started)
        saved = load_vrps(self.state_dir) if rtr_url(self.config) is not None else None
        if saved is not None and self._rpki_stale_at_start:
            self.live.set_vrps(saved)
            self.metrics.source_items.labels("rpki").set(self.live.vrp_count)
            log.info("RTR cache not reached at start: %d VRPs from %s", len(saved), self.state_dir)
        self._verdicts_changed = True
        self._pending_since = time.monotonic()
        self._start_rtr()

    def _start_rtr(self) -> None:
        target = rtr_url(self.config)
        if target is not None:
            self.rtr = RtrFeed(*target, self.events, float(self.config.run.rtr_retry_seconds))
            self.rtr.start()

    def stop(self) -> None:
        if self.web is not None:
            self.web.stop()
        if self.rtr is not None:
            self.rtr.stop()
        self.collector.stop()

    def install_signals(self) -> None:
        def on_term(signum: int, frame: FrameType | None) -> None:
            self.stopping.set()

        def on_hup(signum: int, frame: FrameType | None) -> None:
            self.reload_wanted.set()

        signal.signal(signal.SIGTERM, on_term)
        signal.signal(signal.SIGINT, on_term)
        signal.signal(signal.SIGHUP, on_hup)

    def run_forever(self) -> None:
        while not self.stopping.is_set():
            self.step()

    # ---- one turn of the loop --------------------------------------------------------

    def step(self) -> None:
        assert self.live is not None
        if self.reload_wanted.is_set():
            self.reload_wanted.clear()
            self._reload()
        try:
            event = self.events.get(timeout=TICK)
        except queue.Empty:
            event = None
        if isinstance(event, VrpUpdate):
            self._on_vrps(event)
        elif isinstance(event, RtrDown):
            self._on_rtr_down(event)
        now = time.monotonic()
        if self.poll.due(now):
            routes = self._collect()
            if routes is not None:
                self._applied(self.live.replace_routes(routes), now)
        due = frozenset(key for key, timer in self.source_timers.items() if timer.due(now))
        if due:
            self._refresh_sources(now, due)
        if self.full_check.due(now):
            self.check_full()
        self._maybe_deploy(time.monotonic())

    def _applied(self, applied: Applied, at: float) -> None:
        self.metrics.redecided.inc(applied.redecided)
        if applied.changes:
            self._verdicts_changed = True
            if self._pending_since is None:
                self._pending_since = at
            event = verdicts_changed(applied)
            if event is not None:
                self.notifier.send(event)

    def _on_vrps(self, u: VrpUpdate) -> None:
        assert self.live is not None
        self.metrics.source_stale.labels("rpki").set(0)
        self.metrics.source_last_success.labels("rpki").set(time.time())
        self.metrics.source_duration.labels("rpki").set(u.seconds)
        self.metrics.source_items.labels("rpki").set(u.total)
        if self._rtr_down:
            self._rtr_down = False
            self.notifier.send({"event": "source_fresh", "source": "rpki"})
        if u.everything is not None:  # a reset: the cache's whole set replaces ours
            applied = self.live.set_vrps(u.everything)
        else:
            applied = self.live.remove_vrps(u.removed)
            applied += self.live.add_vrps(u.added)
        if u.added or u.removed or u.everything is not None:
            self._vrps_unsaved = True
            log.info(
                "RTR: +%d -%d VRPs, %d verdicts changed",
                len(u.added),
                len(u.removed),
                len(applied.changes),
            )
            # the guard holds the ROA table: a VRP change is a change to deploy
            self._verdicts_changed = self._verdicts_changed or bool(applied.changes)
            if self._pending_since is None:
                self._pending_since = u.at
        self._applied(applied, u.at)

    def _on_rtr_down(self, e: RtrDown) -> None:
        log.warning("RTR: %s; the last good VRPs stay in use", e.error)
        self.metrics.source_stale.labels("rpki").set(1)
        if not self._rtr_down:
            self._rtr_down = True
            self.notifier.send({"event": "source_stale", "source": "rpki", "error": e.error})

    # ---- data ------------------------------------------------------------------------

    def _initial_data(self) -> Snapshot:
        result = run_sync(self.config)
        self._source_metrics(result.outcomes)
        paths = [result.snapshot_path] if result.snapshot_path is not None else []
        if not paths:
            try:
                paths = [c.path for c in choose_snapshot(self.config, offline=True)]
            except NoSnapshot as exc:
                raise ServiceError(str(exc)) from None
        for path in paths:
            try:
                return replace(load_stored_snapshot(path), as_of=int(time.time()))
            except InputError as exc:
                log.warning("%s; trying an older stored snapshot", exc)
        raise ServiceError(f"no snapshot in {self.config.state_dir / 'snapshots'} could be loaded")

    def _source_metrics(self, outcomes: Any, fetched: frozenset[str] | None = None) -> None:
        """The metrics of the sources fetched (all when ``fetched`` is None); a source
        that kept its last good copy is notified once per fetch."""
        for o in outcomes:
            key = o.entry.key
            if fetched is not None and key not in fetched:
                continue
            stale = o.status in (KEPT, FAILED)
            self.metrics.source_stale.labels(key).set(1 if stale else 0)
            if key == "rpki":
                self._rpki_stale_at_start = stale
            self.metrics.source_items.labels(key).set(o.count)
            if not stale and o.fetched_at is not None:
                self.metrics.source_last_success.labels(key).set(o.fetched_at)
            if stale:
                self.notifier.send({"event": "source_stale", "source": key, "error": o.error or ""})

    def _refresh_sources(self, at: float, due: frozenset[str]) -> None:
        """Fetch the kinds in ``due``, read the others from their copies, and take the
        new snapshot's data."""
        assert self.live is not None
        log.info("sources due: %s", ", ".join(sorted(due)))
        seconds: dict[str, float] = dict.fromkeys(due, 0.0)

        def timed(outcome: SourceOutcome, took: float) -> None:
            if outcome.entry.key in seconds:
                seconds[outcome.entry.key] += took

        result = run_sync(self.config, done=timed, due=lambda entry: entry.key in due)
        for key in due:
            self.metrics.source_duration.labels(key).set(seconds[key])
        self._source_metrics(result.outcomes, due)
        if result.snapshot_path is None:
            return
        try:
            snapshot = load_stored_snapshot(result.snapshot_path)
        except InputError as exc:
            log.warning("%s", exc)
            return
        applied = self.live.replace_data(replace(snapshot, as_of=int(time.time())))
        if rtr_url(self.config) is None:
            applied += self.live.set_vrps(snapshot.vrps)
        self._applied(applied, at)
        self._refresh_web()  # the sources' dates and notes are new even when no verdict is

    def _collect(self) -> list[Any] | None:
        try:
            routes, problems = self.collector.collect()
        except InputError as exc:
            log.warning("collect: %s", exc)
            return None
        for p in problems[:20]:
            log.warning("collect: %s", p)
        self.metrics.count_sessions(Counter(r.session or "" for r in routes))
        return routes

    # ---- deploying and telling --------------------------------------------------------

    def _maybe_deploy(self, now: float) -> None:
        assert self.live is not None
        if self._pending_since is None:
            return
        if now - self._last_deploy < float(self.config.run.deploy_min_interval):
            return
        pending, self._pending_since = self._pending_since, None
        self._last_deploy = now
        verdicts = self.live.verdicts()
        self.metrics.count_verdicts(verdicts)
        if self._verdicts_changed:
            self._verdicts_changed = False
            self._store_run(verdicts)
            self._refresh_web()
        if self._vrps_unsaved:
            self._vrps_unsaved = False
            try:
                save_vrps(self.state_dir, self.live.snapshot().vrps)
            except OSError as exc:
                log.warning("the VRPs could not be saved: %s", exc)
        outcome = self.deployer.deploy(verdicts, self.live.snapshot())
        if outcome is None:
            return
        if outcome.done:
            self.metrics.deploys.inc()
            self.metrics.change_to_reload.observe(time.monotonic() - pending)
            log.info("deployed: %s", outcome.message)
        if not outcome.refusals:
            return
        for reason in outcome.refusals:
            log.warning("deploy refused: %s", reason)
            self.metrics.deploys_refused.labels(refusal_reason(reason)).inc()
        self.notifier.send(deploy_refused(outcome))

    def _refresh_web(self) -> None:
        if self.web is not None and self.live is not None:
            live = self.live
            self.web.refresh(live.routes(), live.snapshot(), live.policy, self.config)

    def _store_run(self, verdicts: list[Any]) -> None:
        assert self.live is not None
        try:
            save_run(
                verdicts,
                runs_dir(self.config),
                datetime.now(UTC).replace(microsecond=0),
                config_path=self.config.path,
                route_files=(),
                provenance=self.live.snapshot().provenance,
            )
            self.metrics.runs_stored.inc()
        except OSError as exc:
            log.warning("the run could not be stored: %s", exc)

    # ---- safety net and reload --------------------------------------------------------

    def check_full(self) -> int:
        """Evaluate everything again and count the verdicts that differ (a bug if any)."""
        assert self.live is not None
        self.metrics.full_checks.inc()
        full = list(evaluate(self.live.routes(), self.live.snapshot(), self.live.policy))
        mine = self.live.verdicts()
        differ = sum(1 for a, b in zip(mine, full, strict=False) if a != b)
        differ += abs(len(mine) - len(full))
        if differ:
            self.metrics.mismatches.inc(differ)
            log.error("full check: %d verdicts differ from the incremental state", differ)
        return differ

    def _reload(self) -> None:
        assert self.live is not None
        try:
            config = load_config(self.config.path)
        except ConfigError as exc:
            self._refuse_reload(str(exc), list(exc.problems))
            return
        if config.state_dir != self.config.state_dir:
            # run holds the old folder's lock for its whole life (cli/running.py)
            why = (
                f"{config.path}: [sync] folder changed from {self.config.state_dir} to "
                f"{config.state_dir}; a running service keeps its state folder: restart it"
            )
            self._refuse_reload(why, [why])
            return
        self.metrics.config_reloads.labels("done").inc()
        log.info("SIGHUP: configuration reloaded from %s", config.path)
        old, self.config = self.config, config
        self._setup(config)
        if config.routers != old.routers:
            self.collector.stop()
            self.collector = Collector(config.routers)
            self.collector.start()
        if rtr_url(config) != rtr_url(old):
            if self.rtr is not None:
                self.rtr.stop()
                self.rtr = None
            self._start_rtr()
        snapshot = self.live.snapshot()
        self.live = LiveEvaluation(self.live.routes(), snapshot, config.to_policy())
        self._verdicts_changed = True
        self._pending_since = time.monotonic()

    def _refuse_reload(self, message: str, problems: list[str]) -> None:
        self.metrics.config_reloads.labels("refused").inc()
        log.error("SIGHUP: the configuration is refused, the old one stays:\n%s", message)
        self.notifier.send({"event": "config_refused", "problems": problems})
