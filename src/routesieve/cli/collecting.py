"""collect: received routes from the routers into dated snapshots."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import click

from routesieve.cli.common import CONFIG, fail, main, warn_problems
from routesieve.collect.routers import Collector
from routesieve.collect.store import write_snapshot
from routesieve.config import ConfigError, load_config
from routesieve.problems import InputError


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@main.command("collect")
@CONFIG
@click.option(
    "--serve",
    is_flag=True,
    help="Keep running: listen for BMP, and write a snapshot every --interval.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=300.0,
    show_default=True,
    help="Seconds between snapshots with --serve.",
)
@click.option(
    "--bmp-wait",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Without --serve: how long BMP stations listen before the snapshot.",
)
@click.option(
    "--count",
    type=click.IntRange(min=1),
    default=None,
    help="With --serve: stop after this many snapshots (default: run until stopped).",
)
def collect_command(
    config_path: Path, serve: bool, interval: float, bmp_wait: float, count: int | None
) -> None:
    """Read the received routes from the routers of [[routers]] into a dated snapshot."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(2, str(exc))
    if not config.routers:
        fail(2, f"{config_path}: no [[routers]] configured, nothing to collect")
    collector = Collector(config.routers, config.local.families)
    written = 0
    # a service manager stops us with SIGTERM: leave through the same door as Ctrl-C
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        collector.start()
        if any(r.kind == "bmp" for r in config.routers):
            time.sleep(interval if serve else bmp_wait)
        while True:
            routes, problems = collector.collect_columns()
            warn_problems(problems, "the routers (routes kept with a problem become X-MALFORMED)")
            path = write_snapshot(
                routes, config.collect_dir, datetime.now(UTC), config.collect_keep
            )
            click.echo(f"collected {len(routes)} routes into {path}")
            written += 1
            if not serve or (count is not None and written >= count):
                break
            time.sleep(interval)
    except InputError as exc:
        fail(1, str(exc))
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        collector.stop()
