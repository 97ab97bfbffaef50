"""One file of several Arrow IPC files, memory-mapped on load, checked before use.

An Arrow IPC file holds record batches of one schema; a stored snapshot has several
data sets of different columns and lengths. So the file is a small container
(docs/snapshots.md, "The file")::

    0   16 bytes  MAGIC
    16  8 bytes   length of the JSON header (little-endian)
    24  4 bytes   CRC-32 of the JSON header
    28  4 bytes   zero
    32  ...       the JSON header (ASCII), then zero bytes up to a multiple of 64
    ...           one Arrow IPC file per data set, each at a multiple of 64

The header's ``segments`` maps each data set to ``[offset, length, crc32]``, the offset
counted from the end of the header's zero bytes. On load the
file is memory-mapped (``pyarrow.memory_map``): nothing is copied, the pages are the
page cache's and are shared by every process that maps the file. Before Arrow parses a
segment its CRC-32 is checked; then Arrow's own checks (the flatbuffer verifier of
``ipc.open_file``, ``RecordBatch.validate``) run, and the caller checks the columns.
Every refusal is a ``ValueError`` saying what is wrong; the caller adds the file name.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from routesieve.columnar.heap import drop_mapped_pages
from routesieve.sources.fetched import write_atomically
from routesieve.store.layout import ARROW_MAGIC as MAGIC

_PREAMBLE = struct.Struct("<16sQII")  # magic, header length, header CRC-32, zero
ALIGN = 64  # Arrow's own buffer alignment: every segment starts at a multiple of it
Batches = dict[str, pa.RecordBatch]


def serialize(batch: pa.RecordBatch) -> pa.Buffer:
    """``batch`` as one uncompressed Arrow IPC file in memory."""
    sink = pa.BufferOutputStream()
    with ipc.new_file(sink, batch.schema) as writer:
        writer.write_batch(batch)
    buffer: pa.Buffer = sink.getvalue()
    return buffer


def write_container(path: Path, header: dict[str, Any], batches: Batches) -> int:
    """Write ``header`` and one Arrow IPC file per batch at ``path`` atomically; the size.

    The file is written to a temporary file, flushed to the disk (``fsync``) and renamed
    into place: a failure leaves the previous file at ``path`` as it was.
    """
    segments = {name: serialize(batch) for name, batch in batches.items()}
    placed: dict[str, list[int]] = {}
    offset = 0  # from the first multiple of 64 after the header
    for name, buffer in segments.items():
        placed[name] = [offset, len(buffer), zlib.crc32(buffer)]
        offset = _aligned(offset + len(buffer))
    full = {**header, "segments": placed}
    text = json.dumps(full, ensure_ascii=True, separators=(",", ":")).encode("ascii")
    return write_atomically(path, _chunks(text, segments), fsync=True)


def _chunks(text: bytes, segments: Mapping[str, pa.Buffer]) -> Iterator[bytes | pa.Buffer]:
    yield _PREAMBLE.pack(MAGIC, len(text), zlib.crc32(text), 0)
    yield text
    written = _PREAMBLE.size + len(text)
    for buffer in segments.values():
        yield bytes(_aligned(written) - written)
        yield buffer
        written = _aligned(written) + len(buffer)


def read_container(path: Path) -> tuple[dict[str, Any], Batches, pa.Buffer]:
    """The JSON header, the record batch of every segment of the file at ``path``, and
    the mapping (``heap.drop_pages_while`` can drop its pages again later).

    The batches' buffers are views of the memory-mapped file. Raises ``OSError`` when
    the file cannot be read and ``ValueError`` when it is not a sound container
    (damaged, cut short, or something else altogether).
    """
    with pa.memory_map(str(path)) as mapped:
        data = mapped.read_buffer()  # the whole mapping, no copy; outlives ``mapped``
    header, start = _header(data)
    segments = header.get("segments")
    if not isinstance(segments, dict):
        raise ValueError("the header lists no segments")
    batches = {name: _segment(data, start, name, place) for name, place in segments.items()}
    drop_mapped_pages(data.address, data.size)  # every page was read for its CRC-32
    return header, batches, data


def _header(data: pa.Buffer) -> tuple[dict[str, Any], int]:
    """The header, and where the segments start."""
    if len(data) < _PREAMBLE.size:
        raise ValueError(f"cut short: {len(data)} bytes, not even the {_PREAMBLE.size}-byte start")
    magic, length, crc, zero = _PREAMBLE.unpack(data[: _PREAMBLE.size].to_pybytes())
    if magic != MAGIC:
        raise ValueError("not a routesieve Arrow snapshot (wrong magic number)")
    if length > len(data) - _PREAMBLE.size:
        raise ValueError(
            f"cut short or damaged: a header of {length} bytes declared, "
            f"{len(data) - _PREAMBLE.size} bytes follow"
        )
    text = data[_PREAMBLE.size : _PREAMBLE.size + length]
    if zlib.crc32(text) != crc or zero:
        raise ValueError("the header is damaged (CRC-32 mismatch)")
    try:
        header = json.loads(text.to_pybytes().decode("ascii"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # nested too deep
        raise ValueError(f"the header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    return header, _aligned(_PREAMBLE.size + length)


def _segment(data: pa.Buffer, start: int, name: str, place: Any) -> pa.RecordBatch:
    if not (
        isinstance(place, list)
        and len(place) == 3
        and all(type(n) is int and n >= 0 for n in place)
    ):
        raise ValueError(f"segment {name!r}: bad place {place!r}")
    relative, length, crc = place
    if relative % ALIGN:
        raise ValueError(f"segment {name!r}: offset {relative} is not a multiple of {ALIGN}")
    offset = start + relative
    if offset + length > len(data):
        raise ValueError(
            f"cut short or damaged: segment {name!r} ends at byte {offset + length}, "
            f"the file has {len(data)}"
        )
    view = data.slice(offset, length)
    if zlib.crc32(view) != crc:
        raise ValueError(f"segment {name!r} is damaged (CRC-32 mismatch)")
    try:
        reader = ipc.open_file(view)
        if reader.num_record_batches != 1:
            raise ValueError(f"{reader.num_record_batches} record batches, not 1")
        batch = reader.get_batch(0)
        batch.validate()
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise ValueError(f"segment {name!r} is not a sound Arrow IPC file ({exc})") from None
    return batch


def _aligned(n: int) -> int:
    return -(-n // ALIGN) * ALIGN
