"""Reading verdicts back for ``report --verdicts`` and ``serve --verdicts``.

The input is a partitioned verdict dataset (the folder ``evaluate --cluster ... --output
DIR`` writes: ``part-00000.parquet`` ... and the marker ``_routesieve.json`` with the
counts) or one verdict table file (``evaluate --format parquet|arrow``). A dataset is
used only when it is complete: the marker is there, every partition it counts is there,
no other partition file is, and the files hold as many rows as the marker says. Every
file's columns must be those of ``VERDICT_SCHEMA``, types included. Rows become
``model.Verdict`` through ``Verdict.from_json`` (the converter of the stored runs' lines),
in the order of the files. Anything else is an ``InputError`` naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from routesieve.model import Verdict
from routesieve.outputs.verdict_arrow import (
    BATCH_ROWS,
    FORMAT,
    RULE_CODES,
    VERDICT_SCHEMA,
    read_verdict_table,
)
from routesieve.problems import InputError

MARKER = "_routesieve.json"  # the summary a finished cluster run writes last
PARTITION = "part-{:05d}.parquet"
_SHOWN = 5  # missing or extra files named in a message
_RULES = frozenset(RULE_CODES)


@dataclass(frozen=True)
class ReadVerdicts:
    """The verdicts of one run read back, with where they came from."""

    path: Path
    files: tuple[Path, ...]
    verdicts: tuple[Verdict, ...]
    warnings: tuple[str, ...]
    as_of: int | None  # the snapshot time the verdicts were decided at, when recorded
    routes: int | None  # the routes received before merging, when recorded (a dataset)


def read_verdicts(path: Path) -> ReadVerdicts:
    """Every verdict of a dataset folder or a verdict table file, in file order."""
    if path.is_dir():
        marker = _marker(path)
        files = _partitions(path, int(marker["partitions"]))
        rows = sum(_footer_rows(f) for f in files)
        if rows != marker["verdicts"]:
            raise InputError.at(
                str(path),
                f"incomplete verdict dataset: its files hold {rows} verdicts, "
                f"{MARKER} counts {marker['verdicts']}",
            )
        warnings = tuple(str(w) for w in marker["warnings"])
        as_of = marker.get("as_of")
        routes = marker.get("routes")
        verdicts: list[Verdict] = []
        for f in files:  # one table at a time: the verdicts take several times its memory
            verdicts += _verdicts(_table(f), f)
            pa.default_memory_pool().release_unused()
    elif path.is_file():
        files = [path]
        table = _table(path)
        meta = _metadata(table)
        warnings = tuple(_json_list(meta.get("routesieve.warnings"), path))
        as_of = meta.get("routesieve.as_of") or None
        routes = None
        verdicts = _verdicts(table, path)
    else:
        raise InputError.at(str(path), "no such file or folder")
    return ReadVerdicts(
        path,
        tuple(files),
        tuple(verdicts),
        warnings,
        None if as_of in (None, "") else int(as_of),
        routes if isinstance(routes, int) else None,
    )


def _marker(folder: Path) -> dict[str, Any]:
    where = folder / MARKER
    if not where.is_file():
        raise InputError.at(
            str(folder),
            f"not a complete verdict dataset: no {MARKER} (the run that writes it did not "
            "finish, or this folder is not one 'evaluate --cluster ... --output' wrote)",
        )
    try:
        doc = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.at(str(where), f"cannot read the dataset's summary: {exc}") from None
    if not isinstance(doc, dict):
        raise InputError.at(str(where), "the dataset's summary is not a JSON object")
    if doc.get("format") != FORMAT:
        raise InputError.at(
            str(where), f"format {doc.get('format')!r}, this routesieve reads {FORMAT!r}"
        )
    for key, kind in (("partitions", int), ("verdicts", int), ("warnings", list)):
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool):
            raise InputError.at(str(where), f"the dataset's summary has no valid {key!r}")
    return doc


def _partitions(folder: Path, count: int) -> list[Path]:
    """The files the marker counts, all present, and no partition file besides them."""
    wanted = [folder / PARTITION.format(k) for k in range(count)]
    missing = [p.name for p in wanted if not p.is_file()]
    if missing:
        raise InputError.at(
            str(folder),
            f"incomplete verdict dataset: {len(missing)} of the {count} partitions {MARKER} "
            f"counts are missing: {_names(missing)}",
        )
    extra = sorted(
        p.name for p in folder.glob("part-*.parquet") if p.name not in {w.name for w in wanted}
    )
    if extra:
        raise InputError.at(
            str(folder),
            f"verdict dataset with partitions {MARKER} does not count ({count} counted): "
            f"{_names(extra)}",
        )
    return wanted


def _footer_rows(path: Path) -> int:
    """The rows of a Parquet file, from its footer."""
    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except (OSError, pa.ArrowException) as exc:
        raise InputError.at(str(path), f"not a Parquet or Arrow verdict table: {exc}") from None


def _names(names: list[str]) -> str:
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


def _table(path: Path) -> pa.Table:
    """One verdict table file, its columns and the kind of their values checked (a table
    rewritten by another tool may hold plain strings for the dictionary columns, or name
    a list's items otherwise: the values are the same)."""
    table = read_verdict_table(path)
    wrong = [
        f"{f.name} is {f.type}, not {VERDICT_SCHEMA.field(f.name).type}"
        for f in table.schema
        if _kind(f.type) != _kind(VERDICT_SCHEMA.field(f.name).type)
    ]
    if wrong:
        raise InputError.at(str(path), f"not a verdict table: {'; '.join(wrong)}")
    return table


def _kind(t: pa.DataType) -> str:
    """What a column's values are in Python: int, str, list of str, or the type itself."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "str"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"list of {_kind(t.value_type)}"
    return str(t)


def _metadata(table: pa.Table) -> Mapping[str, str]:
    raw = table.schema.metadata or {}
    return {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items()}


def _json_list(text: str | None, path: Path) -> list[str]:
    if not text:
        return []
    try:
        found = orjson.loads(text)
    except orjson.JSONDecodeError:
        found = None
    if not isinstance(found, list):
        raise InputError.at(str(path), "its metadata routesieve.warnings is not a JSON list")
    return [str(w) for w in found]


def _verdicts(table: pa.Table, path: Path) -> list[Verdict]:
    """The rows of one file as verdicts (evidence parsed from its JSON text), a record
    batch at a time. Equal texts (reasons, evidence) are kept once: many routes share
    them, and evidence parsed per row would take several times the memory of the table."""
    out: list[Verdict] = []
    evidence: dict[str, Any] = {}
    texts: dict[str, str] = {}
    row = 0
    for batch in table.to_batches(max_chunksize=BATCH_ROWS):
        columns = {name: batch.column(name).to_pylist() for name in VERDICT_SCHEMA.names}
        for values in zip(*columns.values(), strict=True):
            row += 1
            item = dict(zip(columns, values, strict=True))
            try:
                found = evidence.get(item["evidence"])
                if found is None:
                    found = evidence[item["evidence"]] = orjson.loads(item["evidence"])
                item["evidence"] = found
                item["reason"] = texts.setdefault(item["reason"], item["reason"])
                verdict = Verdict.from_json(item)
                if verdict.rule not in _RULES:
                    raise ValueError(f"rule {verdict.rule!r}")
            except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise InputError.at(
                    str(path), f"row {row} is not a routesieve verdict (bad {exc})"
                ) from None
            out.append(verdict)
    return out
