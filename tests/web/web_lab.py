"""What the web tests share. Real servers: the server of ``routesieve serve`` (Hypercorn
behind its connection cap) on a free loopback port, in a thread, always stopped; the data
is the bundled example, evaluated once, or a copy of it whose peer names, sessions and
communities carry markup."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
from daemon_lab import Processes, free_port, wait_until
from starlette.types import ASGIApp

from routesieve.collect.files import read_routes
from routesieve.config import load_config
from routesieve.sources.load import load_snapshot
from routesieve.web import ServeData, evaluate_for_serving
from routesieve.web.limits import Limits
from routesieve.web.server import running as server_running

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))
HOSTILE_NAME = "<script>alert('x')</script> & <b>Nordwind</b>"
HOSTILE_SESSION = "<img src=x onerror=alert(1)>"
HOSTILE_COMMUNITY = '65001:"><svg onload=alert(2)>'

#: ``serve(data, **create_app_options) -> base URL`` (the ``serve`` fixture)
ServerFactory = Callable[..., str]


def load_data(config_path: Path, route_paths: list[Path]) -> ServeData:
    """What ``routesieve serve`` builds, through the same readers as the CLI."""
    config = load_config(config_path)
    snapshot = load_snapshot(config, int(datetime.now(UTC).timestamp())).snapshot
    routes = [r for p in route_paths for r in read_routes(p).items]
    return evaluate_for_serving(
        routes,
        snapshot,
        config.to_policy(),
        datetime.now(UTC),
        [str(p) for p in route_paths],
        str(config.path),
    )


@contextmanager
def running(app: ASGIApp, limits: Limits | None = None) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 at a free port; yields the base URL."""
    port = free_port()
    with server_running(app, port, limits or Limits()):
        yield f"http://127.0.0.1:{port}"


class CheckCalls:
    """A peering check standing in for the peering workflow's: records the ASNs asked
    about and answers with markup where a peer's own strings would be."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    def __call__(self, asn: int) -> dict[str, Any]:
        self.asked.append(asn)
        return {
            "asn": asn,
            "peeringdb_name": HOSTILE_NAME,
            "checks": [{"name": "as-set", "ok": False, "detail": "<as-set> missing"}],
        }


def example_config(folder: Path, serve_table: str) -> Path:
    """The bundled example's configuration in ``folder`` (data files by absolute path)
    with ``serve_table`` (TOML lines) as its ``[serve]`` table."""
    toml = (EXAMPLE / "routesieve.toml").read_text(encoding="utf-8")
    for name in ("vrps.json", "irr.db", "delegated-ripencc-extended-excerpt", "ixpfx.json"):
        toml = toml.replace(f'"{name}"', f'"{EXAMPLE / name}"')
    path = folder / "routesieve.toml"
    path.write_text(f"{toml}\n[serve]\n{serve_table}\n", encoding="utf-8")
    return path


@dataclass
class ServeProcess:
    """A ``routesieve serve`` process: its base URL, its pid and its log (stderr)."""

    url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _answers(url: str) -> bool:
    """Whether an HTTP server answers at ``url`` (whatever it says: a Host it does not
    answer for gets 421)."""
    try:
        httpx.get(url, timeout=2)
    except httpx.TransportError:
        return False
    return True


@contextmanager
def serve_process(
    folder: Path, serve_table: str, *extra: str, verdicts: Path | None = None
) -> Iterator[ServeProcess]:
    """``routesieve serve`` over the example, as a user runs it, on a free loopback port;
    with ``verdicts``, over those verdicts (``--verdicts``) instead of the routes."""
    config = example_config(folder, serve_table)
    port = free_port()
    procs = Processes()
    log = folder / "serve.log"
    command = [sys.executable, "-m", "routesieve.cli", "serve", "--config", str(config)]
    if verdicts is None:
        command += ["--routes", str(EXAMPLE / "routes.jsonl")]
    else:
        command += ["--verdicts", str(verdicts)]
    command += ["--listen", f"127.0.0.1:{port}"]
    command += ["--state", str(folder / "state"), *extra]
    try:
        proc = procs.start(command, log)
        url = f"http://127.0.0.1:{port}"
        wait_until(
            "routesieve serve to answer",
            lambda: proc.poll() is None and _answers(url + "/api/v1/run"),
            timeout=90,
            step=0.2,
        )
        yield ServeProcess(url, port, proc, log)
    finally:
        procs.stop()
