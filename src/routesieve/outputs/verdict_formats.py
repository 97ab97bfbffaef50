"""Verdicts as JSON lines and CSV: the formats other programs read.

JSON lines are written with orjson: a full table is a quarter of a million verdicts,
and the standard library's encoder made writing them slower than deciding them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

import orjson

from routesieve.model import Verdict

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


def write_jsonl(verdicts: Iterable[Verdict], out: IO[str]) -> int:
    """One JSON object a line; returns the number written."""
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
