"""The service's own copy of the VRPs an RTR session gave it, for a restart.

``sync`` stores what one RTR fetch returned; the serial updates the service applies
afterwards are only in memory. This copy (rpki-client JSON, so ``read_vrps`` reads it)
is written, atomically, whenever the VRPs changed since the last copy, and read back
at start when the cache cannot be reached.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

import orjson

from routesieve.model import Vrp
from routesieve.outputs.write_files import write_atomically
from routesieve.problems import InputError
from routesieve.sources.rpki import read_vrps
from routesieve.sources.rtr.sync_state import TA

NAME = "rtr-vrps.json"


def save_vrps(folder: Path, vrps: Iterable[Vrp]) -> Path:
    roas = [
        {"prefix": str(v.prefix), "maxLength": v.max_length, "asn": v.asn, "ta": v.ta} for v in vrps
    ]
    doc = {"metadata": {"generated": int(time.time())}, "roas": roas}
    folder.mkdir(parents=True, exist_ok=True)
    return write_atomically(folder, {NAME: orjson.dumps(doc).decode()})[0]


def load_vrps(folder: Path) -> list[Vrp] | None:
    """The saved VRPs as an RTR session keys them, or None when there is no copy."""
    path = folder / NAME
    if not path.exists():
        return None
    try:
        return [v._replace(ta=TA, expires=None) for v in read_vrps(path).items]
    except InputError:
        return None
