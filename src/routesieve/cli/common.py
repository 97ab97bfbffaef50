"""The command group, shared options, loading and error reporting.

Exit codes: 0 success, 1 an input file could not be used, 2 bad usage or configuration,
3 an internal error (one line on stderr naming a log file with the details; see
:func:`crash_log`), 141 the reader of standard output closed it early (``| head``; see
:func:`reader_gone`). No command prints a Python traceback.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn, TypeVar

import click

from routesieve.cli.commands import COMMAND_MODULES, COMMANDS
from routesieve.collect.files import read_routes
from routesieve.problems import InputError, Problem

# Each command imports what it uses when it runs: ``--help`` does not load the
# configuration models, and ``evaluate`` from a stored snapshot no source parser.
if TYPE_CHECKING:
    from routesieve.columnar.routes import ReceivedRoutes
    from routesieve.config import Config
    from routesieve.model import Route
    from routesieve.outputs.verdict_dataset import ReadVerdicts
    from routesieve.snapshot import Snapshot
    from routesieve.sync.stored import StaleSource

SHOWN_PROBLEMS = 20
T = TypeVar("T")


def warn_problems(problems: Sequence[Problem], what: str) -> None:
    if not problems:
        return
    click.echo(f"warning: {len(problems)} problems reading {what}:", err=True)
    for p in problems[:SHOWN_PROBLEMS]:
        click.echo(f"  {p}", err=True)
    if len(problems) > SHOWN_PROBLEMS:
        click.echo(f"  … and {len(problems) - SHOWN_PROBLEMS} more", err=True)


def fail(code: int, message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def load_inputs(
    config_path: Path,
    route_paths: Sequence[Path],
    *,
    offline: bool = False,
    refuse_stale: bool = False,
    force: bool = False,
) -> tuple[Config, Snapshot, Sequence[Route]]:
    """The configuration, the outside data and the received routes of one command.

    The data comes from the newest stored snapshot of ``routesieve sync`` that matches the
    configuration, or from the local files it names (see ``sync.stored``). Sources older
    than their ``[sync.max_age_hours]`` limit are warned about, or, with ``refuse_stale``
    (render, deploy), stop the command unless ``force``.
    """
    return _with_data(
        config_path,
        lambda config: read_route_files(config, route_paths),
        offline=offline,
        refuse_stale=refuse_stale,
        force=force,
    )


def load_verdict_inputs(
    config_path: Path, route_paths: Sequence[Path], verdicts_path: Path
) -> tuple[Config, Snapshot, ReadVerdicts]:
    """The configuration, the outside data and the verdicts of ``--verdicts``; exits 2
    when ``--routes`` is given too, 1 when the verdicts cannot be read whole."""
    from routesieve.outputs.verdict_dataset import read_verdicts

    if route_paths:
        fail(
            2,
            "--verdicts and --routes exclude each other: give the routes to decide, "
            "or the verdicts already decided",
        )
    config, snapshot, read = _with_data(config_path, lambda _: read_verdicts(verdicts_path))
    click.echo(
        f"verdicts: {verdicts_path} ({len(read.verdicts)} from {len(read.files)} files)",
        err=True,
    )
    for w in read.warnings:
        click.echo(f"warning: {w}", err=True)
    return config, snapshot, read


def _with_data(
    config_path: Path,
    read: Callable[[Config], T],
    *,
    offline: bool = False,
    refuse_stale: bool = False,
    force: bool = False,
) -> tuple[Config, Snapshot, T]:
    """The configuration, the outside data, and what ``read`` reads (exits 1 on an
    ``InputError``, 2 on a bad configuration)."""
    from routesieve.config import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(2, str(exc))
    # reading makes millions of long-lived objects and no garbage cycles: the collector
    # would only walk them again and again
    gc.disable()
    try:
        snapshot = _outside_data(config, offline, refuse_stale, force)
        found = read(config)
    except InputError as exc:
        fail(1, str(exc))
    # the snapshot lives for the whole run: keep the collector from walking it again
    gc.freeze()
    gc.enable()
    return config, snapshot, found


def read_route_files(config: Config, route_paths: Sequence[Path]) -> ReceivedRoutes:
    """The routes of ``route_paths`` (or of the newest collected snapshot), as columns,
    with what was read and skipped said on standard error. Raises ``InputError``."""
    from routesieve.columnar.routes import ReceivedRoutes

    parts: list[ReceivedRoutes] = []
    problems: list[Problem] = []
    if not route_paths:
        from routesieve.collect.store import newest

        collected = newest(config.collect_dir)
        if collected is None:
            fail(
                1,
                f"no --routes given, and no collected routes in {config.collect_dir} "
                "(run 'routesieve collect' first)",
            )
        click.echo(f"routes: {collected}", err=True)
        route_paths = [collected]
    for path in route_paths:
        result = read_routes(path)
        parts.append(ReceivedRoutes.of(result.items))  # JSON lines: columns already
        problems.extend(result.problems)
        if result.accounting is not None:
            click.echo(f"read: {result.accounting}", err=True)
    warn_problems(
        problems,
        "the route files (unreadable lines skipped; unreadable routes kept as X-MALFORMED)",
    )
    return ReceivedRoutes.concat(parts)


def _outside_data(config: Config, offline: bool, refuse_stale: bool, force: bool) -> Snapshot:
    found = stored_snapshot(config, offline, refuse_stale, force)
    if found is not None:
        return found[1]
    from routesieve.sources.load import load_snapshot  # every parser: the cold path only

    loaded = load_snapshot(config, int(time.time()))
    warn_problems(loaded.problems, "the data files (those lines or objects were skipped)")
    return loaded.snapshot


def stored_snapshot(
    config: Config, offline: bool, refuse_stale: bool = False, force: bool = False
) -> tuple[Path, Snapshot] | None:
    """The stored snapshot to use (its file, and the snapshot dated now), or None when
    the local files are to be read (exits 1 when a stored one is needed and none loads)."""
    from routesieve.store.snapshot_file import load_stored_snapshot
    from routesieve.sync.stored import NoSnapshot, choose_snapshot, stale_sources

    now = int(time.time())
    try:
        chosen = choose_snapshot(config, offline=offline)
    except NoSnapshot as exc:
        fail(1, str(exc))
    for candidate in chosen:
        try:
            stored = load_stored_snapshot(candidate.path)
        except InputError as exc:
            click.echo(f"warning: {exc}; trying an older stored snapshot", err=True)
            continue
        made = datetime.fromtimestamp(candidate.manifest.created_at, UTC)
        click.echo(f"data: {candidate.path} (synced {made:%Y-%m-%d %H:%M} UTC)", err=True)
        _check_age(stale_sources(candidate.manifest, now), refuse_stale, force)
        return candidate.path, replace(stored, as_of=now)
    if offline or config.sources.urls():
        fail(1, f"no stored snapshot in {config.state_dir / 'snapshots'} could be loaded")
    return None


def _check_age(stale: Sequence[StaleSource], refuse: bool, force: bool) -> None:
    """Warn about stale sources; with ``refuse``, stop unless ``force`` (as deploy does)."""
    if not stale:
        return
    if refuse and not force:
        fail(1, "\n".join([*map(str, stale), "nothing done (use --force to override)"]))
    for source in stale:
        extra = " (using it anyway: --force)" if refuse else ""
        click.echo(f"warning: stale data: {source}{extra}", err=True)


@contextmanager
def output_to(path: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file written atomically (a temporary file renamed into place).

    A path that is not a regular file (``/dev/null``, a FIFO, a terminal) is written to
    as it is: renaming a file over it would replace the device.
    """
    if path is None:
        yield sys.stdout
        return
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    folder = path.resolve().parent
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


CONFIG = click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The routesieve TOML configuration.",
)
ROUTES = click.option(
    "--routes",
    "route_paths",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Received routes: JSON lines, bgpdump -m text or MRT, compressed or not. Repeatable. "
    "Without it, the newest snapshot written by 'routesieve collect'.",
)
VERDICTS = click.option(
    "--verdicts",
    "verdicts_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Verdicts already decided, instead of --routes: a dataset folder written by "
    "'evaluate --cluster ... --output DIR', or a file of 'evaluate --format parquet|arrow'. "
    "No routes are read and nothing is decided again.",
)
OFFLINE = click.option(
    "--offline",
    is_flag=True,
    help="Use only the snapshot stored by 'routesieve sync' (never the source files); "
    "fail if there is none for this configuration.",
)
FORCE = click.option(
    "--force", is_flag=True, help="Go on even when a data source is older than its limit."
)
OUTPUT = click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (atomically) instead of standard output.",
)


#: Where :func:`crash_log` writes; ``ROUTESIEVE_LOG_DIR`` overrides it.
def log_dir() -> Path:
    chosen = os.environ.get("ROUTESIEVE_LOG_DIR")
    return Path(chosen) if chosen else Path(tempfile.gettempdir()) / "routesieve"


def crash_log(exc: BaseException) -> Path | None:
    """Write the traceback of an unexpected error to a new file under :func:`log_dir`."""
    folder = log_dir()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"crash-{stamp}-", suffix=".log", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
            fh.write(f"routesieve {' '.join(sys.argv[1:])}\n\n")
            fh.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return Path(name)


#: The exit code when the reader of standard output has gone (``| head``): a shell's
#: code for a process ended by SIGPIPE, 128 + 13.
READER_GONE = 141


def reader_gone() -> NoReturn:
    """End quietly because whoever read standard output closed it (``routesieve evaluate
    | head``): not an error of ours, so no message and no crash log. Standard output is
    pointed at ``/dev/null`` first, so that flushing it at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    sys.exit(READER_GONE)


class GuardedGroup(click.Group):
    """The command group: an error no command expected never reaches the user as a
    traceback. It is logged to a file and reported in one line, exit code 3. Commands are
    loaded on first use (``COMMAND_MODULES``)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMAND_MODULES) | set(self.commands))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands and their summaries, as click lists them, from ``COMMANDS`` for
        a command whose module is not loaded (so ``--help`` loads none)."""
        shown: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            cmd = self.commands.get(name)
            if cmd is None and name in COMMANDS:
                cmd = click.Command(name, help=COMMANDS[name][1])
            elif cmd is None:
                cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                shown.append((name, cmd))
        if shown:
            limit = formatter.width - 6 - max(len(name) for name, _ in shown)
            with formatter.section("Commands"):
                formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in shown])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"routesieve.cli.{module}")  # registers its commands
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except InputError as exc:  # an input problem a command did not catch itself
            fail(1, str(exc))
        except BrokenPipeError:
            reader_gone()
        except Exception as exc:
            from routesieve.config import ConfigError  # loaded already if one was raised

            if isinstance(exc, ConfigError):
                fail(2, str(exc))
            log = crash_log(exc)
            where = f"details in {log}" if log else "no log could be written"
            fail(3, f"internal error ({type(exc).__name__}: {str(exc)[:200]}); {where}")


@click.group(cls=GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="routesieve")
def main() -> None:
    """routesieve: decide, route by route, what to accept from BGP peers, and why."""
