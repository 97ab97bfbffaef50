"""Running a BMP station in a background thread, for the command line and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import TracebackType

from routesieve.collect.bmp_station import BmpStation


class StationThread:
    """Run a station's server in a background thread, for tests and the CLI.

    ``start()`` returns once the socket listens (``port`` is then the bound port, useful
    with port 0); ``stop()`` closes the server and every session and joins the thread.
    """

    def __init__(self, station: BmpStation, host: str = "127.0.0.1", port: int = 0) -> None:
        self.station, self.host, self.port = station, host, port
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 10.0) -> StationThread:
        self._thread = threading.Thread(target=self._run, name="bmp-station", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("the BMP station did not start listening in time")
        if self._error is not None:
            raise RuntimeError(f"the BMP station could not listen: {self._error}")
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by start()
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        server = await self.station.start(self.host, self.port)
        self.port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        try:
            await self._stop.wait()
        finally:
            server.close()
            await self.station.close_sessions()
            await server.wait_closed()

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> StationThread:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
