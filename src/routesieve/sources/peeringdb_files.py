"""PeeringDB API answers saved as files: ``ixpfx`` (exchange LAN prefixes) and ``ixlan``.

Both are ``{"meta": {...}, "data": [...]}`` as the API returns them. In PeeringDB each
exchange (``ix``) has one LAN (``ixlan``), normally with the same id; ``read_ixlan_map``
gives the exact mapping when the ``ixlan`` answer is at hand. Objects whose ``status`` is
``deleted`` are left out (the provenance note counts them).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeGuard

from routesieve.model import ExchangePrefix, ParseError
from routesieve.problems import InputError, Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.sources._common import load_json, refuse_if_empty, short, strict_prefix, unix_to_iso

KIND = "peeringdb_ixpfx"


def read_ixpfx(
    path: str | Path, ixlan_to_ix: Mapping[int, int] | None = None
) -> ReadResult[ExchangePrefix]:
    """Exchange LAN prefixes from a PeeringDB ``ixpfx`` answer (compressed or not)."""
    file = str(path)
    problems: list[Problem] = []
    doc = load_json(path, None, problems)
    data = _data(file, doc, "ixpfx")
    mapping = ixlan_to_ix or {}
    items: list[ExchangePrefix] = []
    deleted = 0
    for i, obj in enumerate(data):
        place = f"data[{i}]"
        if not isinstance(obj, dict):
            problems.append(Problem(file, None, "ixpfx entry is not an object", place))
            continue
        if obj.get("status") == "deleted":
            deleted += 1
            continue
        ixlan = obj.get("ixlan_id")
        text = obj.get("prefix")
        if not _is_id(ixlan):
            problems.append(Problem(file, None, f"bad ixlan_id {short(str(ixlan))}", place))
            continue
        if not isinstance(text, str):
            problems.append(Problem(file, None, f"bad prefix {short(str(text))}", place))
            continue
        try:
            prefix = strict_prefix(text)
        except ParseError as exc:
            problems.append(Problem(file, None, str(exc), place))
            continue
        ix = mapping.get(ixlan, ixlan)
        items.append(ExchangePrefix(prefix, f"PeeringDB ix {ix}", ix))
    refuse_if_empty(path, len(items), problems, "PeeringDB ixpfx")
    note = "PeeringDB ixpfx" + (f"; {deleted} deleted left out" if deleted else "")
    prov = Provenance(KIND, file, _generated(doc), len(items), note)
    return ReadResult(tuple(items), tuple(problems), prov)


def read_ixlan_map(path: str | Path) -> dict[int, int]:
    """``ixlan id -> ix id`` from a PeeringDB ``ixlan`` answer; unusable entries are skipped."""
    file = str(path)
    data = _data(file, load_json(path), "ixlan")
    mapping: dict[int, int] = {}
    for obj in data:
        if isinstance(obj, dict) and _is_id(obj.get("id")) and _is_id(obj.get("ix_id")):
            mapping[obj["id"]] = obj["ix_id"]
    if data and not mapping:
        raise InputError.at(file, "not a PeeringDB ixlan answer: no entry has id and ix_id")
    return mapping


def _data(file: str, doc: Any, what: str) -> list[Any]:
    data = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(data, list):
        raise InputError.at(file, f'not a PeeringDB {what} answer: no "data" list at the top')
    return data


def _is_id(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _generated(doc: Any) -> str | None:
    meta = doc.get("meta") if isinstance(doc, dict) else None
    stamp = meta.get("generated") if isinstance(meta, dict) else None
    if isinstance(stamp, int | float) and not isinstance(stamp, bool) and stamp > 0:
        return unix_to_iso(stamp)
    return None
