"""Shared steps of the peering tests: a copy of the test configuration, the local
network's own PeeringDB records (made for the tests: AS214312 is not in the dump) and
the command line run in-process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from peeringdb_replay import SYNTHETIC, PeeringDbReplay

from routesieve.cli import main

DATA = Path(__file__).resolve().parent / "data"
OUR_LINX_ADDRESS = "2001:7f8:4::3:4528:1"
OUR_NET_ID = 9_000_001


def config_copy(folder: Path, extra: str = "") -> Path:
    """The test configuration in ``folder``; ``extra`` is added to ``[peering]``."""
    path = folder / "routesieve.toml"
    shutil.copyfile(DATA / "routesieve.toml", path)
    if extra:
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def add_local_network(server: PeeringDbReplay) -> None:
    """AS214312 in PeeringDB with an address on LINX LON1 (made for the tests)."""
    server.overlay(
        "net",
        {"id": OUR_NET_ID, "asn": 214312, "name": f"AS214312 ({SYNTHETIC})", "info_ipv6": True},
    )
    server.overlay(
        "netixlan",
        {
            "id": 9_000_002,
            "net_id": OUR_NET_ID,
            "asn": 214312,
            "ix_id": 18,
            "ixlan_id": 18,
            "name": f"LINX LON1 ({SYNTHETIC})",
            "ipaddr4": None,
            "ipaddr6": OUR_LINX_ADDRESS,
            "operational": True,
        },
    )


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def request_json(server: PeeringDbReplay, config: Path, *args: str) -> dict[str, Any]:
    result = run(
        "peering",
        "request",
        *args,
        "--config",
        str(config),
        "--peeringdb",
        server.base_url,
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc
