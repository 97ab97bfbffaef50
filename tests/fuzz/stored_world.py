"""The stored-snapshot fuzz targets' seed (a small snapshot of every data set) and resealing.

The seed is the bundled example's data (VRPs, IRR objects, RIR statistics, PeeringDB
prefixes, the built-in bogons and IANA blocks), a few items of each data set, with one
ASPA record: stored, it stays well under the fuzzers' 64 KiB input limit.
``reseal`` makes the checksums of a mutated Arrow-form file match its bytes again, so
that the mutation reaches the checks after the CRC-32 ones.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import fields, replace
from importlib import resources
from pathlib import Path

from routesieve.config import load_config
from routesieve.model import Aspa
from routesieve.snapshot import Snapshot
from routesieve.sources.load import load_snapshot

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))
PREAMBLE = struct.Struct("<16sQII")
KEEP = 12  # items of each data set


def small_world() -> Snapshot:
    full = load_snapshot(load_config(EXAMPLE / "routesieve.toml"), 1_790_000_000).snapshot
    cut = {
        f.name: tuple(getattr(full, f.name))[:KEEP]
        for f in fields(Snapshot)
        if f.name not in ("as_of", "provenance")
    }
    cut["aspas"] = (Aspa(64500, (64501, 64502), None), Aspa(64510, (), 1_800_000_000))
    return replace(full, **cut)


def reseal(data: bytes) -> bytes:
    """``data`` with the header's CRC-32 set to match, and every segment's too when the
    header can be read; the rest is left as it is."""
    if len(data) < PREAMBLE.size:
        return data
    magic, length, _, zero = PREAMBLE.unpack_from(data)
    text = data[PREAMBLE.size : PREAMBLE.size + length]
    start = -(-(PREAMBLE.size + length) // 64) * 64
    try:
        header = json.loads(text)
        for place in header["segments"].values():
            offset, size = start + place[0], place[1]
            place[2] = zlib.crc32(data[offset : offset + size])
        text = json.dumps(header, separators=(",", ":")).encode("ascii")
    except (
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        AttributeError,
        OverflowError,
        RecursionError,
    ):
        pass  # a header that cannot be read: only its own checksum is made to match
    out = PREAMBLE.pack(magic, len(text), zlib.crc32(text), zero) + text
    return out + bytes(-len(out) % 64) + data[start:]  # segment offsets count from there
