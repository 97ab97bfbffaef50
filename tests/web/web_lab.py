"""What the web tests share. Real servers: the server of ``routesieve serve`` (Hypercorn
behind its connection cap) on a free loopback port, in a thread, always stopped; the data
is the bundled example, evaluated once, or a copy of it whose peer names, sessions and
communities carry markup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from daemon_lab import free_port
from fastapi import FastAPI

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
def running(app: FastAPI, limits: Limits | None = None) -> Iterator[str]:
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
