"""sessions: the state of every configured BGP session, read from the routers."""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import FrameType

import click

from routesieve.cli.common import CONFIG, fail, main, output_to
from routesieve.collect.bmp_station import BmpStation
from routesieve.collect.routers import Collector, listen_address
from routesieve.config import Config, ConfigError, load_config
from routesieve.numbers import is_digits
from routesieve.problems import InputError
from routesieve.sessions.formats import render_json, render_table
from routesieve.sessions.gather import DEFAULT_TIMEOUT, GatherOptions, gather
from routesieve.sessions.metrics import exposition, serve, write_textfile
from routesieve.sessions.peeringdb_watch import ClientRecords
from routesieve.sessions.status import SessionReport
from routesieve.sources.parse_cache import cache_dir
from routesieve.sources.peeringdb.client import PeeringDbClient


def _read(config: Config, options: GatherOptions) -> SessionReport:
    try:
        return gather(config, options)
    except InputError as exc:
        fail(1, str(exc))


@main.command("sessions")
@CONFIG
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "prometheus"]),
    default="table",
    show_default=True,
    help="How to print the state of the sessions.",
)
@click.option(
    "--textfile",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the Prometheus metrics to this file, atomically (for node_exporter's "
    "textfile collector: name it *.prom).",
)
@click.option(
    "--serve",
    "serve_at",
    default=None,
    metavar="HOST:PORT",
    help="Run a Prometheus exporter on HOST:PORT (e.g. 127.0.0.1:9520) that reads the "
    "routers on every scrape, until stopped.",
)
@click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the session history and PeeringDB fingerprints [default: [sync] folder].",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds to wait for each answer of a router.",
)
@click.option(
    "--bmp-wait",
    type=click.FloatRange(0, 600),
    default=0,
    show_default=True,
    help="Listen this many seconds for BMP routers before reading (BMP routers report "
    "their sessions when they connect; --serve listens all along).",
)
@click.option(
    "--peeringdb",
    "peeringdb_url",
    default=None,
    help="Check each peer's PeeringDB record (contact present, unchanged since the session "
    "was set up) at this API base URL [default: [sources] peeringdb; none: no check].",
)
def sessions_command(
    config_path: Path,
    fmt: str,
    textfile: Path | None,
    serve_at: str | None,
    state_dir: Path | None,
    timeout: float,
    bmp_wait: float,
    peeringdb_url: str | None,
) -> None:
    """The state of every configured session: up or down since when, routes received,
    accepted and filtered, the last error, and flags (never established, missing)."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(2, str(exc))
    if not any(r.kind in ("bird", "bmp") for r in config.routers):
        fail(2, f"{config_path}: no [[routers]] of kind 'bird' or 'bmp' to read sessions from")
    address = _address(serve_at) if serve_at is not None else None
    folder = state_dir if state_dir is not None else config.state_dir
    listening = address is not None or bmp_wait > 0
    collector = Collector([r for r in config.routers if r.kind == "bmp" and listening])
    try:
        collector.start()
    except InputError as exc:
        fail(1, str(exc))
    try:
        stations: dict[str, BmpStation] = {k: v[0] for k, v in collector.stations.items()}
        options = GatherOptions(
            state_dir=folder,
            stations=stations,
            timeout=timeout,
            records=_records(config, peeringdb_url, timeout),
        )
        if address is not None:
            _serve(config, options, address)
            return
        if stations:
            time.sleep(bmp_wait)
        report = _read(config, options)
    finally:
        collector.stop()
    if textfile is not None:
        try:
            write_textfile(textfile, report)
        except OSError as exc:
            fail(1, f"{textfile}: cannot write the metrics: {exc.strerror or exc}")
    text = {"table": render_table, "json": render_json, "prometheus": exposition}[fmt](report)
    with output_to(None) as out:
        out.write(text)
    unread = [r for r in report.routers if not r.ok]
    for r in unread:
        click.echo(f"warning: router {r.name}: {r.error}", err=True)
    if unread:
        raise SystemExit(1)


def _records(config: Config, url: str | None, timeout: float) -> ClientRecords | None:
    """The PeeringDB records of the peers, when a PeeringDB URL is configured or given."""
    base = url or config.sources.peeringdb
    if not base:
        return None
    folder = cache_dir()
    try:
        client = PeeringDbClient(
            str(base), timeout=timeout, cache_dir=folder / "peeringdb" if folder else None
        )
    except ValueError as err:
        fail(2, f"PeeringDB URL: {err}")
    return ClientRecords(client)


def _address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not is_digits(port, 5) or not 0 < int(port) < 65536:
        fail(2, f"--serve must be HOST:PORT, e.g. 127.0.0.1:9520 or [::1]:9520, not {text!r}")
    return listen_address(text)


def _serve(config: Config, options: GatherOptions, address: tuple[str, int]) -> None:
    host, port = address
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        del signum, frame
        stop.set()

    _read(config, options)  # the state folder and the configuration work: else fail now

    def read() -> SessionReport:
        try:
            return gather(config, options)
        except InputError as exc:  # the state folder broke while serving: keep answering
            click.echo(f"error: {exc} (this scrape without the session history)", err=True)
            return gather(config, replace(options, state_dir=None))

    try:
        server, thread = serve(host, port, read)
    except OSError as exc:
        fail(1, f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    click.echo(f"serving metrics on http://{_url_host(host)}:{port}/metrics", err=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
