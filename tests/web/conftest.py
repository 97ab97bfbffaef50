"""Fixtures of the web tests: the example evaluated once, a hostile copy of it, and real
servers (those of ``routesieve serve``) on free loopback ports (see web_lab.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from web_lab import (
    EXAMPLE,
    HOSTILE_COMMUNITY,
    HOSTILE_NAME,
    HOSTILE_SESSION,
    ServerFactory,
    load_data,
    running,
)

from routesieve.web import ServeData, create_app


@pytest.fixture(scope="session")
def example_data() -> ServeData:
    return load_data(EXAMPLE / "routesieve.toml", [EXAMPLE / "routes.jsonl"])


@pytest.fixture(scope="session")
def hostile_data(tmp_path_factory: pytest.TempPathFactory) -> ServeData:
    """The example with markup in a peer name, a session name and a community."""
    folder = tmp_path_factory.mktemp("hostile")
    toml = (EXAMPLE / "routesieve.toml").read_text(encoding="utf-8")
    toml = toml.replace('name = "Nordwind Transit"', f"name = {json.dumps(HOSTILE_NAME)}")
    for name in ("vrps.json", "irr.db", "delegated-ripencc-extended-excerpt", "ixpfx.json"):
        toml = toml.replace(f'"{name}"', json.dumps(str(EXAMPLE / name)))
    (folder / "routesieve.toml").write_text(toml, encoding="utf-8")
    route = {
        "peer_asn": 209001,
        "prefix": "2a0e:8a01:30::/48",
        "as_path": "209001",
        "session": HOSTILE_SESSION,
        "communities": [HOSTILE_COMMUNITY],
    }
    (folder / "extra.jsonl").write_text(json.dumps(route) + "\n", encoding="utf-8")
    return load_data(folder / "routesieve.toml", [EXAMPLE / "routes.jsonl", folder / "extra.jsonl"])


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start servers for one test: ``serve(data, **create_app_options) -> base URL``."""
    with ExitStack() as stack:

        def start(data: ServeData, **options: Any) -> str:
            options.setdefault("state_dir", tmp_path / "state")
            app = create_app(data, **options)
            return stack.enter_context(running(app, options.get("limits")))

        yield start


@pytest.fixture(scope="module")
def example_server(
    example_data: ServeData, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One server over the example for a whole test module (no peering check)."""
    app = create_app(example_data, tmp_path_factory.mktemp("state"))
    with running(app) as url:
        yield url


@pytest.fixture
def client(example_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=example_server, timeout=10) as c:
        yield c
