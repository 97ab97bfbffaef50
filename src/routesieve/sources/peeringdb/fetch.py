"""``fetch_exchange_lans``: the exchange LANs and their prefixes, as two local files.

The files are the API's own answers (``{"meta": {...}, "data": [...]}``) narrowed to the
configured exchanges, so :func:`routesieve.sources.peeringdb_files.read_ixlan_map` and
:func:`~routesieve.sources.peeringdb_files.read_ixpfx` read them like a saved answer.
Both files are written only after both queries succeeded, and both or neither replace
the previous copies.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

from routesieve.sources.fetched import Fetched, FetchError, write_atomically
from routesieve.sources.peeringdb.client import PeeringDbClient

IXLAN_FILE = "peeringdb-ixlan.json"
IXPFX_FILE = "peeringdb-ixpfx.json"


def fetch_exchange_lans(
    base_url: str, dest_dir: Path, ix_ids: Collection[int], *, timeout: float = 30.0
) -> tuple[Fetched, Fetched]:
    """Write ``dest_dir/peeringdb-ixlan.json`` and ``dest_dir/peeringdb-ixpfx.json`` for
    the exchanges ``ix_ids``; raise :class:`FetchError` (and write nothing) when PeeringDB
    cannot be asked or knows no LAN, or no prefix, for one of them."""
    wanted = sorted(set(ix_ids))
    if not wanted:
        raise ValueError("no PeeringDB ix id given")
    with PeeringDbClient(base_url, timeout=timeout) as client:
        ixlans, ixpfxs = client.exchange_lans(wanted)
        location = client.base_url
    missing = sorted(set(wanted) - {lan.get("ix_id") for lan in ixlans})
    if missing:
        raise FetchError(
            location, f"PeeringDB knows no exchange LAN of ix {', '.join(map(str, missing))}"
        )
    lans_with_prefixes = {p.get("ixlan_id") for p in ixpfxs}
    bare = sorted(lan["ix_id"] for lan in ixlans if lan["id"] not in lans_with_prefixes)
    if bare:
        raise FetchError(
            location, f"PeeringDB lists no LAN prefix of ix {', '.join(map(str, bare))}"
        )
    now = int(time.time())
    meta = {"generated": now, "source": location, "ix_ids": wanted}
    ixlan_path, ixpfx_path = dest_dir / IXLAN_FILE, dest_dir / IXPFX_FILE
    try:
        _write_pair((ixlan_path, _answer(meta, ixlans)), (ixpfx_path, _answer(meta, ixpfxs)))
    except OSError as err:
        where = err.filename or dest_dir
        raise FetchError(location, f"cannot write {where}: {err.strerror or err}") from None
    note = f"PeeringDB ix {', '.join(map(str, wanted))}"
    return (
        Fetched(f"{location}/ixlan", ixlan_path, now, str(now), len(ixlans), note),
        Fetched(f"{location}/ixpfx", ixpfx_path, now, str(now), len(ixpfxs), note),
    )


def _answer(meta: dict[str, Any], data: list[dict[str, Any]]) -> bytes:
    return json.dumps({"meta": meta, "data": data}, indent=1, sort_keys=True).encode() + b"\n"


def _write_pair(first: tuple[Path, bytes], second: tuple[Path, bytes]) -> None:
    """Write both files atomically; when the second fails, put the first one back."""
    path, body = first
    previous = path.read_bytes() if path.exists() else None
    write_atomically(path, [body])
    try:
        write_atomically(second[0], [second[1]])
    except BaseException:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            write_atomically(path, [previous])
        raise
