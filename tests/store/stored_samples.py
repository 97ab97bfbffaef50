"""A small stored snapshot to damage, and how a refused load is checked (both forms' tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from routesieve.model import Prefix, RouteObject, Vrp
from routesieve.problems import InputError
from routesieve.snapshot import Provenance, Snapshot
from routesieve.store.snapshot_file import load_stored_snapshot


def sample(n: int = 2000, asn: int = 64500) -> Snapshot:
    prefixes = [Prefix(6, (0x2001_0DB8 << 96) | (i << 64), 64) for i in range(n)]
    return Snapshot(
        as_of=1_750_000_000,
        vrps=tuple(Vrp(p, 64, asn + i % 7, "ripe", 1_800_000_000) for i, p in enumerate(prefixes)),
        route_objects=tuple(RouteObject(p, asn, "RIPE") for p in prefixes),
        provenance=(Provenance("rpki", "/data/vrps.json", "2026-11-26", n),),
    )


def refused(path: Path) -> str:
    """The message of the InputError loading ``path`` raises; it names the file."""
    with pytest.raises(InputError) as caught:
        load_stored_snapshot(path)
    message = str(caught.value)
    assert str(path) in message
    assert "Traceback" not in message
    return message
