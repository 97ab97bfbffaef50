"""Verdicts as JSON lines and CSV: the formats other programs read.

An evaluation with the engine's decisions behind it is written from columns
(``verdict_arrow``: texts per distinct value, reasons from per-rule templates, Arrow's
string kernels), byte for byte what the per-verdict writers below write. Ready verdicts
are written one at a time: JSON lines with orjson (the standard library's encoder made
writing slower than deciding), CSV with the ``csv`` module.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from routesieve.engine.result import Evaluation
from routesieve.model import Verdict
from routesieve.outputs.verdict_arrow import jsonl_batches, utf8_bytes, verdict_batches
from routesieve.outputs.verdict_context import join, text

CSV_COLUMNS = (
    "peer_asn",
    "prefix",
    "as_path",
    "origin_asn",
    "action",
    "rule",
    "rpki",
    "sessions",
    "reason",
)


def _columnar(verdicts: Iterable[Verdict]) -> Evaluation | None:
    if isinstance(verdicts, Evaluation) and verdicts.decisions is not None:
        return verdicts
    return None


def _write_utf8(out: IO[str], data: pa.Buffer) -> None:
    """UTF-8 bytes to a text stream: to its binary buffer when it has one that takes them."""
    binary: Any = getattr(out, "buffer", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("_", "-")
    if binary is not None and encoding in ("utf-8", "utf8"):
        out.flush()
        _write_all(binary, memoryview(data))
    else:
        out.write(memoryview(data).tobytes().decode())


def _write_all(binary: Any, view: memoryview) -> None:
    """All of ``view`` to a binary stream. A buffered stream can take less than it was
    given and say so only in its return value (a pipe whose reader left after part of a
    write, a write cut short by a signal): write the rest again, so that the loss is an
    error (``BrokenPipeError`` on the next write) and never a silently shorter output."""
    while len(view):
        written = binary.write(view)
        if not written:
            raise OSError(f"a write to {getattr(binary, 'name', 'the output')} took nothing")
        view = view[written:]


def _write_batches(out: IO[str], batches: Iterable[pa.Array]) -> int:
    """Each batch's lines to ``out``, in order; the number of lines. A second thread writes
    a batch while the next one is made (the write leaves the GIL, as Arrow's kernels do),
    so at most two batches are held at once."""
    n = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="write-verdicts") as pool:
        pending: Future[None] | None = None
        for lines in batches:
            data = utf8_bytes(lines)
            n += len(lines)
            if pending is not None:
                pending.result()
            pending = pool.submit(_write_utf8, out, data)
        if pending is not None:
            pending.result()
    return n


def write_jsonl(verdicts: Iterable[Verdict], out: IO[str]) -> int:
    """One JSON object a line; returns the number written."""
    evaluation = _columnar(verdicts)
    if evaluation is not None:
        return _write_batches(out, jsonl_batches(evaluation))
    n = 0
    dumps = orjson.dumps
    batch: list[bytes] = []
    for v in verdicts:
        batch.append(dumps(v.to_json()))
        n += 1
        if len(batch) == 4096:
            out.write(b"\n".join(batch).decode() + "\n")
            batch.clear()
    if batch:
        out.write(b"\n".join(batch).decode() + "\n")
    return n


def write_csv(verdicts: Iterable[Verdict], out: IO[str]) -> int:
    """A header row, then one row a verdict; sessions are separated by spaces."""
    evaluation = _columnar(verdicts)
    if evaluation is not None:
        out.write(",".join(CSV_COLUMNS) + "\n")
        return _write_batches(out, map(_csv_lines, verdict_batches(evaluation)))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for v in verdicts:
        writer.writerow(
            (
                v.peer_asn,
                v.prefix,
                v.as_path,
                "" if v.origin_asn is None else v.origin_asn,
                v.action.value,
                v.rule,
                "" if v.rpki is None else v.rpki.value,
                " ".join(v.sessions),
                v.reason,
            )
        )
        n += 1
    return n


def _csv_field(texts: pa.Array) -> pa.Array:
    """A field as ``csv.writer`` writes it (the minimal quoting of the excel dialect)."""
    texts = texts.fill_null("")
    quote = pc.match_substring_regex(texts, '[,"\\r\\n]')
    if not pc.any(quote).as_py():
        return texts
    quoted = join(['"', pc.replace_substring(texts, '"', '""'), '"'])
    return pc.if_else(quote, quoted, texts)


def _csv_lines(batch: pa.RecordBatch) -> pa.Array:
    """One CSV line (with its newline) per verdict of a verdict table batch."""
    col = batch.column
    sessions = pc.binary_join(col("sessions"), text(" "))
    fields = [
        pc.cast(col("peer_asn"), pa.string()),
        _csv_field(col("prefix")),
        _csv_field(col("as_path")),
        pc.cast(col("origin_asn"), pa.string()).fill_null(""),
        col("action").cast(pa.string()),
        col("rule").cast(pa.string()),
        col("rpki").cast(pa.string()).fill_null(""),
        _csv_field(sessions),
        _csv_field(col("reason")),
    ]
    parts: list[Any] = []
    for f in fields:
        parts += [f, ","]
    parts[-1] = "\n"
    return join(parts)
