"""Write Hurricane Electric-size received-route sets as partitions, streaming.

Usage: ``python bench/generate_he.py OUT --routes 1000000 [--partitions N] [--only K]``

The outside data (VRPs, IRR, RIR files) is the bench data set of ``bench/generate.py``
(``bench/out/``, generated first when missing): the snapshot a network of any size
judges against is the same. What grows is the received side:

* ``OUT/routes/part-<k>.jsonl``: the routes, one file per partition, each holding every
  route of a contiguous range of peers (so a partition never splits an effective peer);
* ``OUT/routesieve.toml``: 10,000 peers with one bilateral session each, and two route
  servers whose sessions carry the routes of 500 of those peers again (merged with the
  bilateral copies: same effective peer, same partition);
* ``OUT/he.snapshot.arrow``: the stored snapshot of that configuration's data.

Each peer's routes are drawn from the bench table (prefix and path, the path's first AS
replaced by the peer, so that origins, VRPs and route objects still meet), with a
heavy-tailed share per peer (no peer over 2 % of the set). Every peer has its own seed,
so a partition is the same whether the whole set is written or, with ``--only K``, just
its first K partitions (how ``bench_cluster.py`` times a share of a 100M-route set).
Nothing but the bench table and one peer's routes is held in memory.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench_data import ensure_generated

HERE = Path(__file__).resolve().parent
DATA = HERE / "out"
SEED = 214312
PEERS = 10_000
FIRST_PEER_ASN = 196_608  # 196608-213403: allocated to the RIPE NCC (IANA), so 3.7 passes
ROUTE_SERVERS = {"he-rs1": 6695, "he-rs2": 6777}  # outside the peers' range
MEMBERS = 500  # peers whose routes come over both route servers as well
MOST_SHARE = 0.02


@dataclass(frozen=True)
class Layout:
    """How many routes each peer sends, and which peers each partition holds."""

    routes: int
    partitions: int

    def weights(self) -> list[float]:
        raw = [1.0 / (i + 20) ** 0.9 for i in range(PEERS)]
        random.Random(SEED).shuffle(raw)  # big and small peers spread over the partitions
        total = sum(raw)
        return [min(w / total, MOST_SHARE) for w in raw]

    def counts(self, table_size: int) -> list[int]:
        weights = self.weights()
        scale = self.routes / sum(weights)
        return [min(table_size, max(1, round(w * scale))) for w in weights]

    def peers_of(self, partition: int) -> range:
        per = -(-PEERS // self.partitions)
        return range(partition * per, min(PEERS, (partition + 1) * per))


def peer_asn(index: int) -> int:
    return FIRST_PEER_ASN + index


def is_member(index: int) -> bool:
    return index % (PEERS // MEMBERS) == 0


def bench_table(data: Path) -> list[tuple[str, str]]:
    """(prefix, path after the first AS) of every well-formed bench route with a path."""
    table: list[tuple[str, str]] = []
    with (data / "routes.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("{"):
                continue
            try:
                route = json.loads(line)
            except ValueError:
                continue
            path = route.get("as_path")
            if isinstance(path, str) and " " in path and "{" not in path:
                table.append((route["prefix"], path.split(" ", 1)[1]))
    return table


def write_partition(
    out: Path, k: int, layout: Layout, counts: list[int], table: list[tuple[str, str]]
) -> int:
    """Write partition ``k`` (to a hidden name, then renamed); returns its routes."""
    final = out / f"part-{k:05d}.jsonl"
    tmp = out / f".{final.name}.tmp"
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for index in layout.peers_of(k):
            rng = random.Random(SEED * 100_003 + index)
            asn = peer_asn(index)
            session = f"he-{asn}"
            picked = rng.sample(range(len(table)), counts[index])
            lines = []
            for row in picked:
                prefix, tail = table[row]
                lines.append(
                    f'{{"peer_asn": {asn}, "prefix": "{prefix}", "as_path": "{asn} {tail}", '
                    f'"session": "{session}"}}\n'
                )
            if is_member(index):  # a share of the same routes again, over the route servers
                for rs_session, rs_asn in ROUTE_SERVERS.items():
                    for row in picked[: max(1, len(picked) // 4)]:
                        prefix, tail = table[row]
                        lines.append(
                            f'{{"peer_asn": {rs_asn}, "prefix": "{prefix}", '
                            f'"as_path": "{asn} {tail}", "session": "{rs_session}"}}\n'
                        )
            fh.writelines(lines)
            n += len(lines)
    tmp.rename(final)
    return n


def write_config(path: Path, data: Path) -> None:
    bench = (data / "routesieve.toml").read_text(encoding="utf-8")
    sources = bench[bench.index("[sources]") :]
    for name in ("vrps.json", "irr.db", "delegated-"):
        sources = sources.replace(f'"{name}', f'"{data.resolve()}/{name}')
    # [local] and [policy.checks] as in the bench set, without its comment lines
    head = bench[: bench.index("[[exchanges]]")].split("[local]", 1)[1]
    out = [
        "# HE-size synthetic configuration (bench/generate_he.py): 10,000 peers, two route",
        "# servers; the outside data of the bench set (bench/generate.py).",
        "",
        "[local]" + head.rstrip("\n"),
        "",
    ]
    for index in range(PEERS):
        asn = peer_asn(index)
        out += ["[[peers]]", f"asn = {asn}", f'sessions = [{{ name = "he-{asn}" }}]', ""]
    for session, asn in ROUTE_SERVERS.items():
        out += [
            "[[peers]]",
            f"asn = {asn}",
            f'sessions = [{{ name = "{session}", route_server = true }}]',
            "",
        ]
    path.write_text("\n".join(out) + sources, encoding="utf-8")


def write_snapshot(config: Path, path: Path) -> None:
    from routesieve.config import load_config
    from routesieve.sources.load import load_snapshot
    from routesieve.store.snapshot_file import save_snapshot

    loaded = load_snapshot(load_config(config), int(time.time()))
    save_snapshot(loaded.snapshot, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--routes", type=int, default=1_000_000, help="received routes")
    parser.add_argument(
        "--partitions", type=int, default=None, help="files (default: one per 50,000 routes)"
    )
    parser.add_argument("--only", type=int, default=None, help="write the first K partitions")
    parser.add_argument("--data", type=Path, default=DATA, help="the bench data set folder")
    parser.add_argument(
        "--reuse", type=Path, default=None, help="link the config and snapshot of this set"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ensure_generated(args.data, "routes.jsonl")
    partitions = args.partitions or max(1, args.routes // 50_000)
    layout = Layout(args.routes, partitions)
    table = bench_table(args.data)
    counts = layout.counts(len(table))
    folder = args.out / "routes"
    folder.mkdir(parents=True, exist_ok=True)
    config = args.out / "routesieve.toml"
    snapshot = args.out / "he.snapshot.arrow"
    if args.reuse is not None:  # the same peers and data whatever the size
        for name in (config.name, snapshot.name):
            if not (args.out / name).exists():
                (args.out / name).hardlink_to(args.reuse / name)
    if not config.is_file():
        write_config(config, args.data)
    if not snapshot.is_file():
        write_snapshot(config, snapshot)
    written = 0
    wanted = range(min(partitions, args.only or partitions))
    for k in wanted:
        written += write_partition(folder, k, layout, counts, table)
    share = f"{len(wanted)} of {partitions} partitions" if args.only else "all partitions"
    print(
        f"{written:,} routes in {share} ({sum(counts):,} bilateral routes in the whole "
        f"layout, {PEERS:,} peers) written to {folder} in {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
