"""What the fuzzers feed and what they check, shared by the test suite and bench/fuzz_readers.py.

A *target* is one reader: seed inputs cut from the real files of ``../shared/data/`` (and
from the package's own example and built-in data), and a ``run(data)`` that hands one input
to the reader the way the command line does (a file on disk, or bytes for the wire
decoders). The *invariant* of every run:

* the reader returns, or raises only the project's own error types (:data:`ALLOWED`);
* for the route readers, every line or record is accounted for
  (``Accounting.adds_up``: routes + skipped == records);
* within bounded time (checked by the callers: hypothesis' deadline in the suite, an alarm
  and a per-input maximum in the bench).

:func:`mutate` makes an input from a seed with a series of choices. ``pick(n)`` returns a
number in ``range(n)``: drawn by hypothesis in the suite (so a failure shrinks to a short
series of choices), by ``random.Random`` in the long run (fast).
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import socket
import struct
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import stored_world

from routesieve.collect.bgpdump import read_routes_bgpdump
from routesieve.collect.bmp_messages import BmpError, RouteMonitoring, iter_messages
from routesieve.collect.bmp_update import route_update
from routesieve.collect.jsonl import read_routes_jsonl
from routesieve.collect.mrt import read_routes_mrt
from routesieve.config import ConfigError, load_config
from routesieve.model import ParseError
from routesieve.problems import InputError, ReadResult
from routesieve.sources.bogons import read_bogons
from routesieve.sources.iana import read_asn_registry
from routesieve.sources.irr.whois import WhoisConnection, WhoisError
from routesieve.sources.peeringdb_files import read_ixlan_map, read_ixpfx
from routesieve.sources.rir import read_delegations
from routesieve.sources.rpki import read_vrps
from routesieve.sources.rpsl import read_rpsl
from routesieve.sources.rtr.codec import decode
from routesieve.sources.rtr.pdu import PduError
from routesieve.store.layout import to_arrays
from routesieve.store.npz_file import write_npz
from routesieve.store.snapshot_file import load_stored_snapshot, save_snapshot

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
PACKAGE_DATA = ROOT / "src" / "routesieve" / "data"
sys.path.insert(0, str(ROOT / "tests" / "collect_bmp"))

#: The only exceptions a reader may raise on any input.
ALLOWED: tuple[type[BaseException], ...] = (
    InputError,
    ParseError,
    ConfigError,
    BmpError,
    PduError,
    WhoisError,
)

#: Inputs are at most this long (a reader's cost grows with its input; the point is shape).
MAX_INPUT = 64 * 1024


class InvariantBroken(AssertionError):
    """A reader broke the invariant (not one of its own errors: a real finding)."""


# ---------------------------------------------------------------- mutations

Pick = Callable[[int], int]

#: Pieces that broke readers before, or are at the edges of what they accept.
TOKENS: tuple[bytes, ...] = (
    "²".encode(),
    "³²".encode(),
    "١٢".encode(),
    b"9" * 5000,
    b"4294967296",
    b"18446744073709551616",
    b"-1",
    b"0",
    b"1e300",
    b"Infinity",
    b"NaN",
    b"99999999999999",
    b'"\\ud800"',
    b"\\udc00",
    b"\x00",
    b"\xff\xfe",
    b"\xed\xa0\x80",
    b"|",
    b",",
    b"/",
    b"/129",
    b":",
    b"::",
    b"{",
    b"}",
    b"[" * 2000,
    b"(",
    b'"',
    b"\n",
    b"\r\n",
    b"\n\n",
    b"+ x\n" * 2000,
    b"AS",
    b"~nosuchuser/x",
    b"x" * 140_000,
    b"\xff" * 8,
    b"\x00" * 8,
    b"A999999999\n",
)


def _span(data: bytes, pick: Pick) -> tuple[int, int]:
    if not data:
        return 0, 0
    start = pick(len(data))
    length = 1 + pick(min(64, len(data) - start))
    return start, start + length


def _insert(data: bytes, pick: Pick, seeds: list[bytes]) -> bytes:
    at = pick(len(data) + 1)
    return data[:at] + TOKENS[pick(len(TOKENS))] + data[at:]


def _replace(data: bytes, pick: Pick, seeds: list[bytes]) -> bytes:
    a, b = _span(data, pick)
    return data[:a] + TOKENS[pick(len(TOKENS))] + data[b:]


def _number(data: bytes, pick: Pick, seeds: list[bytes]) -> bytes:
    """A run of digits replaced by a token (numbers are where the readers broke)."""
    digits = [i for i in range(len(data)) if 48 <= data[i] <= 57]
    if not digits:
        return _insert(data, pick, seeds)
    a = b = digits[pick(len(digits))]
    while b < len(data) and 48 <= data[b] <= 57:
        b += 1
    return data[:a] + TOKENS[pick(12)] + data[b:]


def _flip(data: bytes, pick: Pick, seeds: list[bytes]) -> bytes:
    if not data:
        return bytes([pick(256)])
    at = pick(len(data))
    return data[:at] + bytes([pick(256)]) + data[at + 1 :]


def _delete(data: bytes, pick: Pick, seeds: list[bytes]) -> bytes:
    a, b = _span(data, pick)
    return data[:a] + data[b:]


def _repeat(data: bytes, pick: Pick, seeds: list[bytes]) -> bytes:
    a, b = _span(data, pick)
    return data[:b] + data[a:b] * (1 + pick(200)) + data[b:]


def _truncate(data: bytes, pick: Pick, seeds: list[bytes]) -> bytes:
    return data[: pick(len(data) + 1)]


def _splice(data: bytes, pick: Pick, seeds: list[bytes]) -> bytes:
    other = seeds[pick(len(seeds))]
    cut, at = pick(len(data) + 1), pick(len(other) + 1)
    return data[:cut] + other[at:]


def _compress(data: bytes, pick: Pick, seeds: list[bytes]) -> bytes:
    """Compressed (gzip, bzip2 or xz), then maybe damaged: decompression errors."""
    kind = pick(3)
    packed = (
        gzip.compress(data, mtime=0)
        if kind == 0
        else bz2.compress(data)
        if kind == 1
        else lzma.compress(data)
    )
    damage = pick(3)
    if damage == 0 or len(packed) < 8:
        return packed
    if damage == 1:
        return packed[: 6 + pick(len(packed) - 6)]
    at = 6 + pick(len(packed) - 6)
    return packed[:at] + bytes([pick(256)]) + packed[at + 1 :]


MUTATIONS: tuple[Callable[[bytes, Pick, list[bytes]], bytes], ...] = (
    _flip,
    _insert,
    _replace,
    _number,
    _delete,
    _repeat,
    _truncate,
    _splice,
    _flip,
    _number,
)


def mutate(seeds: list[bytes], pick: Pick, *, compressible: bool = True) -> bytes:
    """One input: a seed, changed 1 to 8 times, sometimes compressed at the end."""
    data = seeds[pick(len(seeds))]
    for _ in range(1 + pick(8)):
        data = MUTATIONS[pick(len(MUTATIONS))](data, pick, seeds)[:MAX_INPUT]
    if compressible and pick(8) == 0:
        data = _compress(data, pick, seeds)
    return data


# ---------------------------------------------------------------- seeds


def _open(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        return gzip.decompress(raw)
    if raw[:3] == b"BZh":
        return bz2.decompress(raw)
    if raw[:6] == b"\xfd7zXZ\x00":
        return lzma.decompress(raw)
    return raw


def _head(path: Path, limit: int = 4096) -> bytes:
    """The first whole lines of a (decompressed) file, up to ``limit`` bytes."""
    with _decompressed(path) as fh:
        data = fh.read(limit)
    return data[: data.rfind(b"\n") + 1] or data


def _decompressed(path: Path):  # type: ignore[no-untyped-def]
    raw = path.open("rb")
    head = raw.read(6)
    raw.seek(0)
    if head[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)
    if head[:3] == b"BZh":
        return bz2.BZ2File(raw)
    if head[:6] == b"\xfd7zXZ\x00":
        return lzma.LZMAFile(raw)
    return raw


def _excerpts(path: Path, count: int = 3, size: int = 3000) -> list[bytes]:
    """A few line-aligned excerpts from the first 200 KiB of a text file."""
    with _decompressed(path) as fh:
        data = fh.read(200_000)
    out = []
    for i in range(count):
        start = data.find(b"\n", i * len(data) // count) + 1
        chunk = data[start : start + size]
        out.append(chunk[: chunk.rfind(b"\n") + 1] or chunk)
    return [c for c in out if c]


def _mrt_records(path: Path, count: int = 6, skip: int = 0) -> bytes:
    """The first records of an MRT file (after ``skip``), whole, by their length field."""
    with _decompressed(path) as fh:
        data = fh.read(400_000)
    pos, records = 0, []
    while pos + 12 <= len(data) and len(records) < skip + count:
        length = struct.unpack_from(">I", data, pos + 8)[0]
        records.append(data[pos : pos + 12 + length])
        pos += 12 + length
    keep = records[:1] + records[1 + skip :] if skip else records  # keep a peer table
    return b"".join(keep)


def _shared(*parts: str) -> Path:
    return SHARED.joinpath(*parts)


def _mrt_seeds() -> list[bytes]:
    folder = _shared("mrt")
    return [
        _mrt_records(p, 6, skip)
        for p in sorted(folder.glob("*"))
        if p.is_file()
        for skip in (0, 40)
    ]


def _bgpdump_seeds() -> list[bytes]:
    return [e for p in sorted(_shared("bgpdump-text").glob("*")) for e in _excerpts(p, 2)]


def _jsonl_seeds() -> list[bytes]:
    example = (PACKAGE_DATA / "example" / "routes.jsonl").read_bytes()
    lines = example.splitlines(keepends=True)
    return [b"".join(lines[i : i + 8]) for i in range(0, len(lines), 8)]


def _json_excerpt(path: Path, key: str, count: int = 12) -> bytes:
    """The document with only the first ``count`` entries of its ``key`` list."""
    doc = json.loads(_open(path))
    if isinstance(doc, dict) and isinstance(doc.get(key), list):
        doc[key] = doc[key][:count]
    return json.dumps(doc, indent=1).encode()


def _rpki_json_seeds() -> list[bytes]:
    names = ("stayrtr_test.rpki.json", "arouteserver_rpki_roas_rpki-client_expired.json")
    seeds = [_json_excerpt(_shared("rpki", n), "roas") for n in names]
    seeds.append(_json_excerpt(PACKAGE_DATA / "example" / "vrps.json", "roas"))
    return seeds


def _rpki_csv_seeds() -> list[bytes]:
    return [_head(_shared("rpki", "rpki-irr-bgp-stats_roas_ripe-validator-csv_2016.csv"), 2000)]


def _rpsl_seeds() -> list[bytes]:
    files = sorted(_shared("irr").glob("*.gz")) + sorted(_shared("irr").glob("*.txt"))
    seeds = [e for p in files for e in _excerpts(p, 1, 3000)]
    seeds.append((PACKAGE_DATA / "example" / "irr.db").read_bytes()[:4000])
    return seeds


def _rir_seeds() -> list[bytes]:
    seeds = [_head(p, 3000) for p in sorted(_shared("rir").glob("*"))]
    seeds.append(_head(PACKAGE_DATA / "example" / "delegated-ripencc-extended-excerpt", 3000))
    return seeds


def _iana_seeds() -> list[bytes]:
    return [_head(PACKAGE_DATA / "iana-as-numbers.csv", 3000)]


def _bogon_seeds() -> list[bytes]:
    return [_head(p, 2000) for p in sorted(_shared("bogons").glob("teamcymru*"))]


def _peeringdb_seeds() -> list[bytes]:
    names = ("pdb_beta_anon_ixpfx.json.xz", "pdb_beta_anon_ixlan.json.xz")
    seeds = [_json_excerpt(_shared("peeringdb", n), "data", 8) for n in names]
    seeds.append(_json_excerpt(PACKAGE_DATA / "example" / "ixpfx.json", "data", 8))
    return seeds


def _toml_seeds() -> list[bytes]:
    return [(PACKAGE_DATA / "example" / "routesieve.toml").read_bytes()]


def _bmp_seeds() -> list[bytes]:
    import bmp_builders as b  # tests/collect_bmp: the message builders of the BMP tests

    peer4, peer6 = b.peer_header(), b.peer_header("2001:db8::2", 65002)
    upd4 = b.update(["198.51.100.0/24"], ["203.0.113.0/24"])
    upd6 = b.update(["2001:db8:1::/48"], ["2001:db8:2::/48"], path_ids=True)
    return [
        b.initiation() + b.peer_up(peer4) + b.route_monitoring(peer4, upd4),
        b.peer_up(peer6) + b.route_monitoring(peer6, upd6) + b.statistics(peer6),
        b.route_monitoring(peer4, upd4) + b.peer_down(peer4) + b.termination(),
    ]


def _rtr_seeds() -> list[bytes]:
    def pdu(version: int, ptype: int, field: int, body: bytes) -> bytes:
        return struct.pack(">BBHI", version, ptype, field, 8 + len(body)) + body

    v4 = struct.pack(">BBBB4sI", 1, 24, 24, 0, socket.inet_aton("192.0.2.0"), 65001)
    v6 = struct.pack(">BBBB16sI", 1, 48, 64, 0, socket.inet_pton(socket.AF_INET6, "2001:db8::"), 1)
    seeds = []
    for version in (0, 1):
        end = struct.pack(">I", 7) + (struct.pack(">III", 3600, 600, 7200) if version else b"")
        error = struct.pack(">I", 8) + pdu(version, 2, 0, b"") + struct.pack(">I", 4) + b"oops"
        seeds.append(
            pdu(version, 3, 42, b"")
            + pdu(version, 4, 0, v4)
            + pdu(version, 6, 0, v6)
            + pdu(version, 7, 42, end)
            + pdu(version, 0, 42, struct.pack(">I", 7))
            + pdu(version, 8, 0, b"")
            + pdu(version, 10, 2, error)
        )
    return seeds


def _whois_seeds() -> list[bytes]:
    rpsl = (PACKAGE_DATA / "example" / "irr.db").read_bytes()[:600]
    return [
        b"A%d\n%s\nC\nD\nC\n" % (len(rpsl) + 1, rpsl),
        b"A12\nAS1 AS2 AS3\nC\nD\nC\n",
        b"F Invalid query\nA5\nAS-X\nC\nD\n",
    ]


def _stored_seeds() -> list[bytes]:
    """A small snapshot of every data set, stored in the Arrow form and the older .npz."""
    snapshot = stored_world.small_world()
    arrow = _file("seed.snapshot.arrow", b"")
    npz = _file("seed.snapshot.npz", b"")
    save_snapshot(snapshot, arrow)
    write_npz(npz, to_arrays(snapshot))
    return [arrow.read_bytes(), npz.read_bytes()]


def _sealed_seeds() -> list[bytes]:
    return _stored_seeds()[:1]


# ---------------------------------------------------------------- runs


@cache
def _scratch() -> Path:
    """A folder for the input files (in memory when /dev/shm exists)."""
    shm = Path("/dev/shm")
    base = shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix="routesieve-fuzz-", dir=base))


def _file(name: str, data: bytes) -> Path:
    path = _scratch() / name
    path.write_bytes(data)
    return path


def _check_routes(result: ReadResult[object]) -> int:
    acc = result.accounting
    if acc is None or not acc.adds_up or acc.routes != len(result.items):
        raise InvariantBroken(f"route accounting does not add up: {acc}")
    return acc.read


def _mrt(data: bytes) -> int:
    return _check_routes(read_routes_mrt(_file("in.mrt", data), final=True))


def _bgpdump(data: bytes) -> int:
    return _check_routes(read_routes_bgpdump(_file("in.txt", data), final=True))


def _jsonl(data: bytes) -> int:
    return _check_routes(read_routes_jsonl(_file("in.jsonl", data)))


def _rpki(data: bytes) -> int:
    return len(read_vrps(_file("vrps", data)).items)


def _rpsl(data: bytes) -> int:
    return len(read_rpsl(_file("irr.db", data)).route_objects)


def _rir(data: bytes) -> int:
    return len(read_delegations(_file("delegated", data)).items)


def _iana(data: bytes) -> int:
    return len(read_asn_registry(_file("as-numbers.csv", data)).items)


def _bogons(data: bytes) -> int:
    return len(read_bogons(_file("bogons.txt", data)).items)


def _peeringdb(data: bytes) -> int:
    path = _file("pdb.json", data)
    try:
        mapping = read_ixlan_map(path)
    except InputError:
        mapping = {}
    return len(read_ixpfx(path, mapping).items)


def _toml(data: bytes) -> int:
    config = load_config(_file("routesieve.toml", data))
    config.to_policy()
    return len(config.peers)


def _bmp(data: bytes) -> int:
    messages = iter_messages(data)
    decoded = 0
    for message in messages:
        if isinstance(message, RouteMonitoring):
            for addpath in (frozenset(), frozenset({1, 2})):
                try:
                    route_update(message, addpath)
                    decoded += 1
                except BmpError:
                    pass
    return decoded


def _rtr(data: bytes) -> int:
    offset = count = 0
    while offset < len(data):
        _, offset = decode(data, offset)
        count += 1
    return count


def _whois(data: bytes) -> int:
    """The whois client's framing, over a real socket pair: the input is the server's reply."""
    ours, theirs = socket.socketpair()
    try:
        theirs.sendall(data)  # at most MAX_INPUT: fits the socket buffer
        theirs.shutdown(socket.SHUT_WR)  # the server has said all it will say
        conn = WhoisConnection.__new__(WhoisConnection)
        conn.host, conn.port, conn.server = "fuzz", 43, "whois://fuzz"
        conn.timeout, conn.max_answer = 5.0, 1 << 20
        conn._buf = bytearray()
        conn._sock = ours
        answers = conn.query_many(["!gAS1", "!iAS-X", "!6AS2"])
        return sum(len(a or "") for a in answers)
    finally:
        ours.close()
        theirs.close()


def _snapshot(data: bytes) -> int:
    loaded = load_stored_snapshot(_file("in.snapshot", data))
    return sum(len(getattr(loaded, f)) for f in ("vrps", "route_objects", "as_sets", "bogons"))


def _sealed_snapshot(data: bytes) -> int:
    """As ``_snapshot``, with the checksums made to match the mutated bytes first: the
    damage gets past the CRC-32 checks to Arrow's own checks and the tables' checks."""
    return _snapshot(stored_world.reseal(data))


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], int]
    seeds: Callable[[], list[bytes]]
    compressible: bool = True  # a file reader (which decompresses); not a wire decoder
    routes: bool = False  # a route reader: accounting is checked


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("mrt", _mrt, _mrt_seeds, routes=True),
        Target("bgpdump", _bgpdump, _bgpdump_seeds, routes=True),
        Target("jsonl", _jsonl, _jsonl_seeds, routes=True),
        Target("rpki_json", _rpki, _rpki_json_seeds),
        Target("rpki_csv", _rpki, _rpki_csv_seeds),
        Target("rpsl", _rpsl, _rpsl_seeds),
        Target("rir", _rir, _rir_seeds),
        Target("iana", _iana, _iana_seeds),
        Target("bogons", _bogons, _bogon_seeds),
        Target("peeringdb", _peeringdb, _peeringdb_seeds),
        Target("toml", _toml, _toml_seeds, compressible=False),
        Target("bmp", _bmp, _bmp_seeds, compressible=False),
        Target("rtr", _rtr, _rtr_seeds, compressible=False),
        Target("whois", _whois, _whois_seeds, compressible=False),
        Target("snapshot", _snapshot, _stored_seeds, compressible=False),
        Target("snapshot_sealed", _sealed_snapshot, _sealed_seeds, compressible=False),
    )
}


@cache
def seeds_of(name: str) -> list[bytes]:
    return [s[:MAX_INPUT] for s in TARGETS[name].seeds() if s]


def check(name: str, data: bytes) -> None:
    """Run one input; raise :class:`InvariantBroken` when the reader broke the invariant."""
    try:
        TARGETS[name].run(data)
    except ALLOWED:
        return
    except InvariantBroken:
        raise
    except RecursionError as exc:
        raise InvariantBroken(f"{name}: RecursionError: {exc}") from exc
    except Exception as exc:
        raise InvariantBroken(f"{name}: {type(exc).__name__}: {exc}"[:500]) from exc
