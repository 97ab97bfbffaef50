"""A real IRRd 4 on loopback for the tests and the benchmark: its own virtual environment,
a throwaway PostgreSQL cluster, a private redis-server, and real RIPE RPSL loaded into it.

IRRd comes from PyPI (``pip install irrd==IRRD_VERSION``) into a virtual environment of its
own under the user's cache folder (never the project's environment: IRRd pins its own
SQLAlchemy, redis and so on); it is made once and reused. PostgreSQL and redis-server come
from Debian (``scripts/debian-packages.sh``). PostgreSQL refuses to run as root, so as root
the cluster is run as the ``postgres`` user; IRRd itself runs with ``CI=true``, its own
switch for running as root in test setups (its venv under root's home is not readable by
another user).

The data: an excerpt of the real files in /work/shared/data/irr (irrd_excerpt.py): the as-sets
reached from :data:`EXCERPT_SETS` (source RIPE) and the route/route6 objects of every AS in
them (source RIPE-NONAUTH), so that loading takes seconds. One extra as-set,
:data:`LOOP_SET`, names itself through a second set: a loop made on purpose.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from daemon_lab import LabError, Processes, free_port, wait_until
from irrd_excerpt import EXCERPT_SETS, Excerpt, make_excerpt

IRRD_VERSION = "4.5.4"
_PG_BIN = Path("/usr/lib/postgresql")
WORKERS = 3  # IRRd whois worker processes
# IRRd's preload channels (irrd/storage/preload.py)
_PRELOAD_RELOAD = "irrd-preload-reload-channel"
_PRELOAD_ALL = "unknown-classes-changed-preload-all"
_PRELOAD_COMPLETE = "irrd-preload-complete-channel"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "routesieve"


class IrrdUnavailable(LabError):
    """IRRd cannot be installed on this machine at all (no matching Python, no PyPI)."""


def irrd_venv() -> Path:
    """The virtual environment holding IRRd, made on first use (a few minutes, once)."""
    venv = cache_dir() / f"irrd-{IRRD_VERSION}"
    if (venv / "bin" / "irrd").exists():
        return venv
    if sys.version_info < (3, 9) or sys.version_info >= (3, 14):
        raise IrrdUnavailable(f"IRRd {IRRD_VERSION} needs Python 3.9 to 3.13, not {sys.version}")
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    for cmd in (
        [sys.executable, "-m", "venv", str(venv)],
        [str(venv / "bin" / "pip"), "install", "-q", f"irrd=={IRRD_VERSION}"],
    ):
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=1200)
        if done.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            raise IrrdUnavailable(
                f"{' '.join(cmd)} exited {done.returncode}: {done.stderr[-2000:]}"
            )
    return venv


def pg_bin() -> Path:
    versions = sorted(_PG_BIN.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise LabError("PostgreSQL not found under /usr/lib/postgresql (Debian: postgresql)")
    return versions[-1].parent


@dataclass
class IrrdLab:
    """A running IRRd: its whois port, its folder and the data loaded."""

    host: str
    port: int
    folder: Path
    excerpt: Excerpt

    @property
    def url(self) -> str:
        return f"whois://{self.host}:{self.port}"


def stop_all(folder: Path, procs: Processes) -> None:
    """End IRRd and redis, and the PostgreSQL cluster (immediate mode) whatever became
    of the ``runuser`` that started it."""
    procs.stop()
    data = folder / "pg" / "pgdata"
    if (data / "postmaster.pid").exists():
        stop = [str(pg_bin() / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate"]
        subprocess.run(_as_postgres(stop), capture_output=True, timeout=60)


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], what: str, timeout: float = 120, env: dict[str, str] | None = None) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LabError(f"{what}: {exc}") from None
    if done.returncode != 0 or "Error" in done.stdout:
        raise LabError(
            f"{what} exited {done.returncode}: {done.stdout[-1500:]}{done.stderr[-1500:]}"
        )
    return done.stdout


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def start_postgres(folder: Path, procs: Processes) -> int:
    """initdb a cluster in ``folder`` and start it on a free loopback port, trust auth."""
    bin_ = pg_bin()
    data = folder / "pgdata"
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        os.chown(folder, pg.pw_uid, pg.pw_gid)
    _run(
        _as_postgres([str(bin_ / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
        "initdb",
    )
    port = free_port()
    args = [
        str(bin_ / "postgres"),
        "-D",
        str(data),
        "-p",
        str(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"unix_socket_directories={folder}",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
    ]
    procs.start(_as_postgres(args), folder / "postgres.log")
    wait_until("PostgreSQL", lambda: _port_open("127.0.0.1", port), timeout=60)
    ready = [str(bin_ / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
    wait_until(
        "PostgreSQL ready", lambda: subprocess.run(ready, capture_output=True).returncode == 0
    )
    psql = [str(bin_ / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-q", "-c"]
    _run([*psql, "CREATE DATABASE irrd"], "createdb")
    _run([*psql, "CREATE EXTENSION IF NOT EXISTS pgcrypto", "irrd"], "pgcrypto")
    return port


def start_redis(folder: Path, procs: Processes) -> int:
    redis = shutil.which("redis-server")
    if redis is None:
        raise LabError("redis-server not found (Debian: redis-server)")
    port = free_port()
    args = [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    args += ["--dir", str(folder)]
    procs.start(args, folder / "redis.log")
    wait_until("redis-server", lambda: _port_open("127.0.0.1", port), timeout=30)
    return port


def irrd_config(folder: Path, pg_port: int, redis_port: int, whois_port: int) -> str:
    http = free_port()
    return f"""\
irrd:
    database_url: postgresql://postgres@127.0.0.1:{pg_port}/irrd
    redis_url: redis://127.0.0.1:{redis_port}
    piddir: {folder}
    server:
        http:
            interface: 127.0.0.1
            port: {http}
            url: http://127.0.0.1:{http}/
        whois:
            interface: 127.0.0.1
            port: {whois_port}
            max_connections: {WORKERS}
    auth:
        gnupg_keyring: {folder / "gnupg"}
    email:
        from: irrd@example.net
        smtp: localhost
    log:
        logfile_path: {folder / "irrd.log"}
        level: WARNING  # INFO logs every query, and slows IRRd down
    sources_default:
        - RIPE
        - RIPE-NONAUTH
    sources:
        RIPE:
            keep_journal: false
        RIPE-NONAUTH:
            keep_journal: false
"""


def start_irrd(
    shared: Path, folder: Path, procs: Processes, roots: Iterable[str] = EXCERPT_SETS
) -> IrrdLab:
    """Everything: venv, PostgreSQL, redis, schema, data (the sets reached from ``roots``),
    and IRRd answering whois."""
    venv = irrd_venv()
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    excerpt = make_excerpt(shared, folder / "data", roots)
    pg_port = start_postgres(folder / "pg", procs)
    redis_port = start_redis(folder, procs)
    whois_port = free_port()
    conf = folder / "irrd.yaml"
    run = folder / "run"
    run.mkdir(exist_ok=True)
    (run / "gnupg").mkdir(exist_ok=True)
    conf.write_text(irrd_config(run, pg_port, redis_port, whois_port))
    bin_ = venv / "bin"
    _run([str(bin_ / "irrd_database_upgrade"), "--config", str(conf)], "irrd_database_upgrade")
    for source, path in (("RIPE", excerpt.as_set_file), ("RIPE-NONAUTH", excerpt.route_file)):
        cmd = [str(bin_ / "irrd_load_database"), "--config", str(conf), "--source", source]
        # a large excerpt (the bench's AS-TIXZH) on a busy machine takes minutes
        _run([*cmd, str(path)], f"irrd_load_database {source}", timeout=900)
    # as root, IRRd wants a user to drop to, or CI set (its own switch for test runs): the
    # venv under root's home is not readable by another user, so CI it is
    daemon = ["env", "CI=true"] if os.geteuid() == 0 else []
    daemon += [str(bin_ / "irrd"), "--config", str(conf), "--foreground"]
    procs.start(daemon, folder / "irrd.out")
    wait_until("IRRd whois port", lambda: _port_open("127.0.0.1", whois_port), timeout=90)
    _reload_preload_once_all_listen(redis_port)
    wait_until("IRRd answering !g", lambda: _all_workers_answer(whois_port), timeout=60)
    return IrrdLab("127.0.0.1", whois_port, folder, excerpt)


def _redis_cli(port: int, *args: str) -> str:
    cmd = ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout


def _reload_preload_once_all_listen(redis_port: int) -> None:
    """A whois worker that subscribes after the first "preload complete" message never
    loads its in-memory store and blocks every ``!i``/``!g`` forever (a start-up race of
    IRRd that a loaded machine hits): wait until all workers listen, then ask IRRd for
    one more reload, which tells them all."""

    def listening() -> bool:
        out = _redis_cli(redis_port, "PUBSUB", "NUMSUB", _PRELOAD_COMPLETE).split()
        return len(out) == 2 and out[1].isdigit() and int(out[1]) >= WORKERS

    wait_until("IRRd whois workers subscribed to the preload channel", listening, timeout=90)
    _redis_cli(redis_port, "PUBLISH", _PRELOAD_RELOAD, _PRELOAD_ALL)


def _all_workers_answer(port: int) -> bool:
    """Every worker (one connection each, held open together) answers a ``!g`` query."""
    conns: list[socket.socket] = []
    try:
        for _ in range(WORKERS):
            conns.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        for c in conns:
            c.sendall(b"!!\n!gAS3856\n")
        return all(c.recv(4096)[:1] in (b"A", b"C", b"D") for c in conns)
    except OSError:
        return False
    finally:
        for c in conns:
            c.close()
