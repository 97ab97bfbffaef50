"""How a :class:`~routesieve.snapshot.Snapshot` is laid out as numpy arrays and a JSON header.

The big data sets (VRPs, route objects, bogons, IP and ASN delegations) become the
columns of their table (:mod:`routesieve.columnar`), one array each, named
``<data set>.<column>`` (a prefix column is four: ``.version``, ``.hi``, ``.lo``,
``.length``). The small rest (as-sets, org handles, the IANA ASN blocks, exchange
prefixes, ASPA records, provenance) and the distinct strings of every coded column go into one JSON
document, stored as the ``meta`` array (UTF-8 bytes). docs/snapshots.md describes it all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Any

import numpy as np

from routesieve.columnar import (
    AsnDelegationTable,
    BogonTable,
    ColumnTable,
    IpDelegationTable,
    PrefixArray,
    RouteObjectTable,
    StringColumn,
    VrpTable,
)
from routesieve.model import AsnBlock, Aspa, AsSet, ExchangePrefix, OrgHandle, Prefix
from routesieve.snapshot import Provenance, Snapshot
from routesieve.store.npz_file import Arrays

FORMAT = "routesieve-snapshot"
VERSION = 1
ARROW_MAGIC = b"routesieve-arrow"
"""The first 16 bytes of the Arrow form (:mod:`routesieve.store.arrow_file`); here, where
telling the forms apart needs no pyarrow."""
META = "meta"
TABLES: dict[str, type[ColumnTable[Any]]] = {
    "vrps": VrpTable,
    "route_objects": RouteObjectTable,
    "bogons": BogonTable,
    "ip_delegations": IpDelegationTable,
    "asn_delegations": AsnDelegationTable,
}
PrefixJson = list[int]


def to_arrays(snapshot: Snapshot) -> Arrays:
    """Every array of the stored form of ``snapshot``, ``meta`` included.

    Raises ``ValueError`` (naming the data set) for a value its column cannot hold.
    """
    arrays: Arrays = {}
    strings: dict[str, list[str]] = {}
    for name, table in tables_of(snapshot).items():
        _put(table, name, arrays, strings)
    meta = {"format": FORMAT, "version": VERSION, **small_parts(snapshot), "strings": strings}
    # ASCII JSON: strings that are not valid Unicode (a file name with undecodable
    # bytes, kept as surrogates) survive as \\u escapes
    text = json.dumps(meta, ensure_ascii=True, separators=(",", ":"))
    arrays[META] = np.frombuffer(text.encode("ascii"), np.uint8)
    return arrays


def tables_of(snapshot: Snapshot) -> dict[str, ColumnTable[Any]]:
    """The big data sets of ``snapshot`` as column-backed tables (as they are, if they are).

    Raises ``ValueError`` (naming the data set) for a value its column cannot hold.
    """
    tables: dict[str, ColumnTable[Any]] = {}
    for name, cls in TABLES.items():
        items = getattr(snapshot, name)
        try:
            tables[name] = items if isinstance(items, cls) else cls.of(items)  # type: ignore[attr-defined]
        except (OverflowError, ValueError) as exc:
            raise ValueError(f"cannot store the {name.replace('_', ' ')}: {exc}") from None
    return tables


def small_parts(snapshot: Snapshot, *, objects: bool = True) -> dict[str, Any]:
    """The header keys every stored form shares: the time, the counts, the small data sets
    (without the as-sets and org handles unless ``objects``: the Arrow form stores those
    as record batches)."""
    objects_json = {
        "as_sets": [[s.name, list(s.members), s.source] for s in snapshot.as_sets],
        "org_handles": [
            [h.org, h.source, [_prefix(p) for p in h.prefixes], h.asn] for h in snapshot.org_handles
        ],
    }
    return {
        "as_of": snapshot.as_of,
        "counts": {name: len(getattr(snapshot, name)) for name in _DATA_SETS},
        **(objects_json if objects else {}),
        "asn_blocks": [[b.first, b.last, b.description] for b in snapshot.asn_blocks],
        "exchange_prefixes": [
            [_prefix(x.prefix), x.exchange, x.peeringdb_ix] for x in snapshot.exchange_prefixes
        ],
        "aspas": [[a.customer, list(a.providers), a.expires] for a in snapshot.aspas],
        "provenance": [
            [p.kind, p.location, p.generated, p.count, p.note] for p in snapshot.provenance
        ],
    }


def read_meta(arrays: Arrays) -> dict[str, Any]:
    """The JSON header; ``ValueError`` when it is missing or not routesieve's."""
    raw = arrays.get(META)
    if raw is None or raw.dtype != np.uint8:
        raise ValueError("no routesieve snapshot header (not a stored snapshot)")
    try:
        meta = json.loads(raw.tobytes().decode("ascii"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # nested too deep
        raise ValueError(f"the snapshot header is not JSON ({exc})") from None
    return check_format(meta, VERSION)


def check_format(meta: Any, version: int) -> dict[str, Any]:
    """``meta`` if it is a routesieve snapshot header of ``version``; ``ValueError`` if not."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError("not a stored routesieve snapshot (unknown header)")
    if meta.get("version") != version:
        raise ValueError(
            f"stored snapshot format version {meta.get('version')!r} where the file's form "
            f"has version {version}; this routesieve reads version 2 (Arrow) and version 1 "
            "(.npz): run sync again to store it anew"
        )
    return meta


def from_arrays(arrays: Arrays, meta: dict[str, Any]) -> Snapshot:
    """The snapshot stored in ``arrays``; ``ValueError``/``KeyError``/``TypeError`` if unsound."""
    strings = meta["strings"]
    tables = {name: _get(cls, name, arrays, strings) for name, cls in TABLES.items()}
    return with_small_parts(tables, meta)


def with_small_parts(
    tables: dict[str, ColumnTable[Any]],
    meta: dict[str, Any],
    objects: tuple[Sequence[AsSet], Sequence[OrgHandle]] | None = None,
) -> Snapshot:
    """The snapshot of ``tables`` and the small parts of ``meta``, its counts checked; the
    as-sets and org handles are ``objects`` when given (the Arrow form), else ``meta``'s.

    Raises ``ValueError``/``KeyError``/``TypeError`` when ``meta`` is unsound.
    """
    if objects is None:
        objects = _as_sets(meta["as_sets"]), _org_handles(meta["org_handles"])
    snapshot = Snapshot(
        as_of=_int(meta["as_of"]),
        as_sets=objects[0],
        org_handles=objects[1],
        asn_blocks=tuple(AsnBlock(_int(f), _int(la), _str(d)) for f, la, d in meta["asn_blocks"]),
        exchange_prefixes=tuple(
            ExchangePrefix(_from_prefix(p), _str(x), _opt_int(ix))
            for p, x, ix in meta["exchange_prefixes"]
        ),
        aspas=_aspas(meta.get("aspas", [])),  # absent in files stored before ASPA
        provenance=tuple(
            Provenance(_str(k), _str(loc), None if g is None else _str(g), _int(c), _str(note))
            for k, loc, g, c, note in meta["provenance"]
        ),
        **tables,
    )
    counts = meta["counts"]
    if not isinstance(counts, dict):
        raise TypeError("the counts are not a JSON object")
    for name, count in counts.items():
        if name not in _DATA_SETS:
            raise ValueError(f"a count of {name!r}, which is no data set")
        if len(getattr(snapshot, name)) != count:
            raise ValueError(f"the {name} hold {len(getattr(snapshot, name))} items, not {count}")
    return snapshot


_DATA_SETS = (
    "vrps",
    "route_objects",
    "as_sets",
    "ip_delegations",
    "asn_delegations",
    "org_handles",
    "asn_blocks",
    "bogons",
    "exchange_prefixes",
    "aspas",
)


def _as_sets(rows: list[Any]) -> tuple[AsSet, ...]:
    """As-sets from ``[name, [members...], source]`` rows; types checked in bulk (fast)."""
    names, members, sources = _columns(rows, 3)
    _all(names, str)
    _all(sources, str)
    _all(members, list)
    _all(chain.from_iterable(members), str)
    return tuple(map(AsSet, names, map(tuple, members), sources))


def _aspas(rows: list[Any]) -> tuple[Aspa, ...]:
    customers, providers, expires = _columns(rows, 3)
    _all(customers, int)
    _all(providers, list)
    _all(chain.from_iterable(providers), int)
    _all(expires, int, type(None))
    return tuple(
        Aspa(c, tuple(p), e) for c, p, e in zip(customers, providers, expires, strict=True)
    )


def _org_handles(rows: list[Any]) -> tuple[OrgHandle, ...]:
    orgs, sources, prefixes, asns = _columns(rows, 4)
    _all(orgs, str)
    _all(sources, str)
    _all(prefixes, list)
    _all(asns, int, type(None))
    return tuple(
        OrgHandle(o, s, tuple(map(_from_prefix, ps)), a)
        for o, s, ps, a in zip(orgs, sources, prefixes, asns, strict=True)
    )


def _columns(rows: list[Any], width: int) -> list[tuple[Any, ...]]:
    _all(rows, list)
    columns = list(zip(*rows, strict=True))
    if rows and len(columns) != width:
        raise ValueError(f"rows of {len(columns)} values, not {width}")
    return columns or [()] * width


def _all(values: Iterable[Any], *types: type) -> None:
    found = set(map(type, values))
    if not found <= set(types):
        wrong = sorted(t.__name__ for t in found - set(types))
        raise TypeError(f"{', '.join(wrong)} where {types[0].__name__} belongs")


def _put(table: ColumnTable[Any], key: str, arrays: Arrays, strings: dict[str, list[str]]) -> None:
    for field, kind in table.KINDS.items():
        column = getattr(table, field)
        if kind == "prefix":
            _put(column, f"{key}.{field}", arrays, strings)
        elif kind == "strings":
            arrays[f"{key}.{field}"] = column.codes
            strings[f"{key}.{field}"] = list(column.names)
        else:
            arrays[f"{key}.{field}"] = column


def _get(
    cls: type[ColumnTable[Any]], key: str, arrays: Arrays, strings: dict[str, Any]
) -> ColumnTable[Any]:
    columns: dict[str, Any] = {}
    for field, kind in cls.KINDS.items():
        name = f"{key}.{field}"
        if kind == "prefix":
            columns[field] = _get(PrefixArray, name, arrays, strings)
        elif kind == "strings":
            columns[field] = StringColumn(arrays[name], tuple(strings[name]))
        else:
            columns[field] = arrays[name]
    return cls(**columns)


def _prefix(p: Prefix) -> PrefixJson:
    return [p.version, p.value, p.length]


def _from_prefix(raw: Sequence[Any]) -> Prefix:
    version, value, length = raw
    if version not in (4, 6) or not 0 <= _int(length) <= (32 if version == 4 else 128):
        raise ValueError(f"bad prefix {raw!r}")
    if not 0 <= _int(value) < 1 << (32 if version == 4 else 128):
        raise ValueError(f"bad prefix {raw!r}")
    return Prefix(version, value, length)


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{value!r} is not a whole number")
    return value


def _opt_int(value: Any) -> int | None:
    return None if value is None else _int(value)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value
