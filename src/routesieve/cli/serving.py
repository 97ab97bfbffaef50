"""serve: evaluate once, then answer over HTTP (JSON API, peering form, static report)."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from routesieve.cli.common import CONFIG, ROUTES, VERDICTS, fail, load_inputs, main
from routesieve.cli.reporting import NOT_EXPLAINED, report_input, verdict_report_input
from routesieve.collect.store import newest
from routesieve.config import Config
from routesieve.engine.decisions import Decisions
from routesieve.engine.evaluate import decide
from routesieve.model import Verdict
from routesieve.numbers import is_digits
from routesieve.outputs.report import write_site
from routesieve.runs.store import newest_run, runs_dir
from routesieve.snapshot import Snapshot

if TYPE_CHECKING:
    from routesieve.web import PeeringCheck


def parse_listen(text: str) -> tuple[str, int]:
    """``127.0.0.1:8080``, ``[::1]:8080`` or ``localhost:8080`` -> (host, port)."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not host or not is_digits(port_text, 5) or not 0 < int(port_text) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT (a port from 1 to 65535)")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{text!r}: {host!r} is not an IPv6 address") from None
    elif ":" in host:
        raise ValueError(f"{text!r}: write an IPv6 address in brackets, [::1]:8080")
    return host, int(port_text)


def peering_check_for(config: Config, offline: bool, url: str | None = None) -> PeeringCheck | None:
    """The form's check of :func:`routesieve.web.peering.check_for`, or None with
    ``--offline`` (the form then answers 503), since it asks PeeringDB."""
    from routesieve.web.peering import check_for

    return None if offline else check_for(config, url)


def _write_site(
    config: Config, snapshot: Snapshot, decided: Decisions | Sequence[Verdict], folder: Path
) -> Path:
    """The report pages of this run (as ``routesieve report`` writes them) to serve at /."""
    now = datetime.now(UTC).replace(microsecond=0)
    previous = newest_run(runs_dir(config))
    if isinstance(decided, Decisions):
        inp = report_input(config, snapshot, decided, now, previous=previous)
    else:
        inp = verdict_report_input(config, snapshot, decided, now, previous=previous)
    try:
        write_site(inp, folder)
    except OSError as exc:
        fail(1, f"cannot write the report pages into {folder}: {exc}")
    return folder


@main.command("serve")
@CONFIG
@ROUTES
@VERDICTS
@click.option(
    "--listen",
    default="127.0.0.1:8080",
    show_default=True,
    help="Address and port to listen on; [::1]:8080 for IPv6.",
)
@click.option(
    "--offline",
    is_flag=True,
    help="Reach no other host: the peering form answers 503 (its check asks outside "
    "services). The data files are read as they are, as always.",
)
@click.option(
    "--state",
    "state_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for what the server writes (peering-requests/); default: [sync] folder.",
)
@click.option(
    "--site",
    "site_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Static report pages to serve at / (written by 'routesieve report --html DIR'); "
    "default: the report of this run, written into <state>/site.",
)
@click.option(
    "--max-age-hours",
    type=click.FloatRange(min=0),
    default=48.0,
    show_default=True,
    help="A data source older than this is marked stale in /api/v1/sources.",
)
def serve_command(
    config_path: Path,
    route_paths: tuple[Path, ...],
    verdicts_path: Path | None,
    listen: str,
    offline: bool,
    state_dir: Path | None,
    site_dir: Path | None,
    max_age_hours: float,
) -> None:
    """Evaluate once, then serve the verdicts read-only over HTTP (JSON API under /api/v1)."""
    # the web stack is imported only by this command: the others start faster without it
    from routesieve.web import create_app, serve_data, verdict_serve_data
    from routesieve.web.limits import serve_limits
    from routesieve.web.server import Server

    try:
        host, port = parse_listen(listen)
    except ValueError as exc:
        fail(2, f"--listen: {exc}")
    if verdicts_path is not None:
        from routesieve.cli.common import load_verdict_inputs

        config, snapshot, read = load_verdict_inputs(config_path, route_paths, verdicts_path)
        data = verdict_serve_data(
            read.verdicts,
            config.to_policy(),
            snapshot.provenance,
            datetime.now(UTC),
            as_of=snapshot.as_of if read.as_of is None else read.as_of,
            warnings=read.warnings,
            received=len(read.verdicts) if read.routes is None else read.routes,
            route_files=[str(verdicts_path)],
            config_path=str(config.path),
        )
        decided: Decisions | Sequence[Verdict] = read.verdicts
        click.echo(f"note: {NOT_EXPLAINED}", err=True)
    else:
        config, snapshot, routes = load_inputs(config_path, route_paths)
        decided = decide(routes, snapshot, config.to_policy())
        data = serve_data(
            decided,
            snapshot.provenance,
            datetime.now(UTC),
            len(routes),
            [str(p) for p in route_paths or [newest(config.collect_dir)] if p is not None],
            str(config.path),
        )
        for w in data.warnings:
            click.echo(f"warning: {w}", err=True)
    state = state_dir or config.state_dir
    if site_dir is None:
        site_dir = _write_site(config, snapshot, decided, state / "site")
    check = peering_check_for(config, offline)
    limits = serve_limits(config, host)
    app = create_app(data, state, site_dir, check, max_age_hours=max_age_hours, limits=limits)
    server = Server(app, host, port, limits)
    try:
        sock = server.bind()
    except OSError as exc:
        fail(2, f"--listen: cannot listen on {listen}: {exc.strerror or exc}")
    _room_for(limits.max_connections)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    click.echo(
        f"serving {len(data.rule)} routes of {len(data.peers)} peers "
        f"on http://{listen}/ (API /api/v1/, offline: {'yes' if offline else 'no'}; "
        f"answering for {', '.join(limits.hosts)})",
        err=True,
    )
    server.run(sock)


def _room_for(connections: int) -> None:
    """Raise the open-files limit (within the hard one) so the connection cap is reached
    before the process runs out of files."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = connections + 256
    if soft != resource.RLIM_INFINITY and soft < want:
        top = want if hard == resource.RLIM_INFINITY else min(want, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (top, hard))
