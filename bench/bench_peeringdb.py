"""PeeringDB client figures against the local replay server (tests/support).

Prints, for the real dumps of /work/shared/data/peeringdb: the queries and time of a
batched ``__in`` lookup of every network, and of one peering decision (the queries of
``peering request``) cold, from a fresh cache, and revalidated (ETag, 304). Loopback
only; the numbers say how much work a run asks of PeeringDB, not its latency.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "support"))

from peeringdb_replay import PeeringDbReplay  # noqa: E402

from routesieve.config import load_config  # noqa: E402
from routesieve.peering.lookup import local_exchanges, peer_lookup  # noqa: E402
from routesieve.sources.peeringdb import PeeringDbClient  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "peeringdb"
CONFIG = ROOT / "tests" / "peering" / "data" / "routesieve.toml"


def main() -> None:
    config = load_config(CONFIG)
    with PeeringDbReplay(DATA) as server, tempfile.TemporaryDirectory() as cache:
        ids = [n["id"] for n in server.find("net")]
        with PeeringDbClient(server.base_url, api_key="") as client:
            started = time.perf_counter()
            nets = client.get("net", id__in=ids)
            took = time.perf_counter() - started
        print(
            f"net id__in, {len(ids)} ids: {len(server.requests)} queries, "
            f"{len(nets)} objects, {took * 1000:.0f} ms"
        )
        for label, max_age in (("cold", 3600.0), ("cached", 3600.0), ("revalidated", 0.0)):
            server.clear_requests()
            with PeeringDbClient(
                server.base_url, api_key="", cache_dir=cache, cache_max_age=max_age
            ) as client:
                started = time.perf_counter()
                peer_lookup(client, 8560)
                local_exchanges(client, config)
                took = time.perf_counter() - started
            print(
                f"peering request AS8560, {label}: {len(server.requests)} queries, "
                f"{took * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
