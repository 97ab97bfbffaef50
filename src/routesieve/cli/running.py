"""run: the always-on filter service (``routesieve.service``).

``run`` holds the state folder's lock (:func:`routesieve.sync.lock.state_lock`) from
start to stop: it writes source copies, snapshots and runs there all its life, so a
``routesieve sync`` on the same folder waits and then gives up naming run's pid, and a
second ``run`` refuses at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from routesieve.cli.common import CONFIG, fail, main
from routesieve.config import Config, ConfigError, load_config
from routesieve.problems import InputError
from routesieve.sync.lock import StateLocked, state_lock


@main.command("run")
@CONFIG
def run_command(config_path: Path) -> None:
    """Keep the verdicts current and the router deployed: RTR, sources, routers, metrics.

    Runs until SIGTERM; SIGHUP reloads the configuration (a broken one is refused and
    the old one kept). Holds the state folder for its whole life: exit 1 at once when
    another sync or run uses it. See docs/service.md.
    """
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(2, str(exc))
    try:
        with state_lock(config.state_dir, wait=0):
            _run_locked(config)
    except StateLocked as busy:
        fail(1, f"cannot run: {busy}")


def _run_locked(config: Config) -> None:
    from routesieve.service.loop import Service, ServiceError

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
