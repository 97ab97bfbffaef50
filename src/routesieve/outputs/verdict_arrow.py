"""Verdicts as an Arrow table: Parquet files, Arrow IPC files, partitioned Parquet datasets.

One row per verdict, in the order of the JSON lines output, with the columns of
``VERDICT_SCHEMA`` (docs/architecture.md lists them with their values). The values are
those of ``Verdict.to_json()``; ``evidence`` is the JSON text orjson writes for it in the
JSON lines. The schema's metadata holds the format name, the snapshot time and the
run's warnings (a JSON list).

This version builds the columns verdict by verdict: correct, not fast.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.dataset as pa_dataset
import pyarrow.parquet as pq

from routesieve.engine.result import Evaluation

FORMAT = "verdicts/1"
_CODE = pa.dictionary(pa.int8(), pa.string())
VERDICT_SCHEMA = pa.schema(
    [
        pa.field("peer_asn", pa.int64(), nullable=False),
        pa.field("prefix", pa.string(), nullable=False),
        pa.field("as_path", pa.string(), nullable=False),
        pa.field("origin_asn", pa.int64()),
        pa.field("action", _CODE, nullable=False),
        pa.field("rule", _CODE, nullable=False),
        pa.field("rpki", _CODE),
        pa.field("sessions", pa.list_(pa.string()), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("evidence", pa.string(), nullable=False),
    ]
)


def verdict_table(evaluation: Evaluation, as_of: int | None = None) -> pa.Table:
    """Every verdict of ``evaluation`` as one table of ``VERDICT_SCHEMA``.

    ``as_of`` (the snapshot time, Unix seconds) goes into the metadata when given.
    """
    columns: dict[str, list[Any]] = {name: [] for name in VERDICT_SCHEMA.names}
    dumps = orjson.dumps
    for v in evaluation:
        row = v.to_json()
        for name in VERDICT_SCHEMA.names:
            if name != "evidence":
                columns[name].append(row[name])
        columns["evidence"].append(dumps(row["evidence"]).decode())
    arrays = [
        pa.array(columns[field.name], field.type.value_type).dictionary_encode()
        if pa.types.is_dictionary(field.type)
        else pa.array(columns[field.name], field.type)
        for field in VERDICT_SCHEMA
    ]
    arrays = [a.cast(f.type) for a, f in zip(arrays, VERDICT_SCHEMA, strict=True)]
    return pa.Table.from_arrays(arrays, schema=VERDICT_SCHEMA).replace_schema_metadata(
        _metadata(evaluation.warnings, as_of)
    )


def _metadata(warnings: tuple[str, ...], as_of: int | None) -> dict[str, str]:
    meta = {"routesieve.format": FORMAT, "routesieve.warnings": orjson.dumps(warnings).decode()}
    if as_of is not None:
        meta["routesieve.as_of"] = str(as_of)
    return meta


def write_parquet(evaluation: Evaluation, path: Path, as_of: int | None = None) -> int:
    """Write the verdicts to ``path`` as one Parquet file, atomically; returns the rows."""
    table = verdict_table(evaluation, as_of)
    _atomically(path, lambda tmp: pq.write_table(table, tmp))
    return int(table.num_rows)


def write_arrow(evaluation: Evaluation, path: Path, as_of: int | None = None) -> int:
    """Write the verdicts to ``path`` as an Arrow IPC file, atomically; returns the rows."""
    table = verdict_table(evaluation, as_of)

    def write(tmp: str) -> None:
        with pa.OSFile(tmp, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)

    _atomically(path, write)
    return int(table.num_rows)


def read_verdict_table(path: Path) -> pa.Table:
    """The verdicts of a Parquet file, an Arrow IPC file, or a folder holding a
    partitioned Parquet dataset (its ``*.parquet`` files in name order; files whose
    name starts with ``.`` or ``_`` are not part of it).

    Raises ``ValueError`` naming ``path`` when it holds no verdict table.
    """
    try:
        if path.is_dir():
            files = sorted(str(p) for p in path.rglob("*.parquet") if _visible(p, path))
            if not files:
                raise ValueError("no .parquet files in the folder")
            data = pa_dataset.dataset(files, schema=VERDICT_SCHEMA, format="parquet")
            table = data.to_table()
            first = pq.read_schema(files[0]).metadata or {}
            table = table.replace_schema_metadata(first)
        elif path.read_bytes()[:6] == b"ARROW1":
            with pa.memory_map(str(path)) as source:
                table = pa.ipc.open_file(source).read_all()
        else:
            table = pq.read_table(str(path))
    except (OSError, pa.ArrowException) as exc:
        raise ValueError(f"{path}: not a verdict table ({exc})") from None
    meta = table.schema.metadata or {}
    if meta.get(b"routesieve.format") != FORMAT.encode():
        raise ValueError(f"{path}: not a routesieve verdict table (format {FORMAT} expected)")
    return table


def _visible(file: Path, root: Path) -> bool:
    return not any(part.startswith((".", "_")) for part in file.relative_to(root).parts)


def _atomically(path: Path, write: Any) -> None:
    """``write`` a hidden file beside ``path`` (created with the usual permissions), then
    rename it into place."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}")
    try:
        write(str(tmp))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
