"""run: the always-on filter service (``routesieve.service``)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from routesieve.cli.common import CONFIG, fail, main
from routesieve.config import ConfigError, load_config
from routesieve.problems import InputError


@main.command("run")
@CONFIG
def run_command(config_path: Path) -> None:
    """Keep the verdicts current and the router deployed: RTR, sources, routers, metrics.

    Runs until SIGTERM; SIGHUP reloads the configuration (a broken one is refused and
    the old one kept). See docs/service.md.
    """
    from routesieve.service.loop import Service, ServiceError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(2, str(exc))
    service = Service(config)
    service.install_signals()
    try:
        service.start()
    except (ServiceError, InputError, OSError) as exc:
        service.stop()
        fail(1, str(exc))
    click.echo(f"running: metrics on http://{config.run.listen_metrics}/metrics", err=True)
    try:
        service.run_forever()
    finally:
        service.stop()
    click.echo("stopped", err=True)
