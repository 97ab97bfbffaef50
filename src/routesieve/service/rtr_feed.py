"""The RTR session of the service, in a thread: VRP changes go to the main loop's queue.

It resets once, then waits for Serial Notify (or the cache's refresh interval) and asks
for the changes with a Serial Query. When the cache cannot be reached the last good
set stays in use; the thread says so and opens a new session after ``retry`` seconds.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass

from routesieve.config import Config
from routesieve.model import Vrp
from routesieve.sources.rtr.session import RtrSession
from routesieve.sources.rtr.stream import RtrError

NOTIFY_WAIT = 60.0  # the longest wait for a Serial Notify before a Serial Query anyway


@dataclass(frozen=True)
class VrpUpdate:
    added: frozenset[Vrp]
    removed: frozenset[Vrp]
    total: int
    seconds: float
    reset: bool
    at: float  # time.monotonic() when the change arrived
    everything: frozenset[Vrp] | None = None  # the whole set, after a reset


@dataclass(frozen=True)
class RtrDown:
    error: str


class RtrFeed:
    def __init__(
        self, host: str, port: int, events: queue.Queue[object], retry: float, timeout: float = 30
    ) -> None:
        self.host, self.port, self.events, self.retry, self.timeout = (
            host,
            port,
            events,
            retry,
            timeout,
        )
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rtr-feed", daemon=True)
        self._held: frozenset[Vrp] = frozenset()

    def start(self) -> RtrFeed:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.timeout + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._session()
            except (RtrError, OSError) as exc:
                self.events.put(RtrDown(str(exc)))
            self._stop.wait(self.retry)

    def _session(self) -> None:
        with RtrSession(self.host, self.port, timeout=self.timeout) as s:
            started = time.monotonic()
            s.reset()
            self._emit(s, started, reset=True)
            while not self._stop.is_set():
                s.wait_for_notify(min(float(s.timers.refresh), NOTIFY_WAIT))
                if self._stop.is_set():
                    return
                started = time.monotonic()
                result = s.refresh()
                if result.reset or result.announced or result.withdrawn:
                    self._emit(s, started, reset=result.reset)
                else:
                    self.events.put(VrpUpdate(frozenset(), frozenset(), len(s.vrps), 0, False, 0))

    def _emit(self, s: RtrSession, started: float, reset: bool) -> None:
        now = frozenset(s.vrps)
        self.events.put(
            VrpUpdate(
                now - self._held,
                self._held - now,
                len(now),
                time.monotonic() - started,
                reset,
                time.monotonic(),
                now if reset else None,
            )
        )
        self._held = now


def rtr_url(config: Config) -> tuple[str, int] | None:
    """The RTR cache the configuration's ``rpki`` source names, or None."""
    for key, url in config.sources.urls():
        if key == "rpki" and url.scheme == "rtr":
            return url.host, url.port
    return None
