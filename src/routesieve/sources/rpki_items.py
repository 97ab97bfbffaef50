"""One VRP at a time: the fields of an entry checked and made a ``Vrp``, or a problem
naming the file and the entry (``make_vrp``, ``roa_entry``), and the result of an
rpki-client document (``json_result``). The per-item reader (``rpki.py``) and the bulk
reader (``rpki_bulk.py``) both use them, so an entry gives the same VRP or problem
either way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from routesieve.columnar import VrpTable
from routesieve.model import ParseError, Vrp, parse_asn
from routesieve.numbers import uint_value, unix_time
from routesieve.problems import InputError, Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.sources._common import (
    refuse_if_empty,
    short,
    strict_prefix,
    unix_to_iso,
)

KIND = "rpki"
_IGNORED_KEYS = ("bgpsec_keys",)


def make_vrp(prefix_text: Any, max_length: Any, asn: Any, ta: str, expires: Any) -> Vrp:
    """One VRP from its fields as found in the file; a bad field raises :class:`ParseError`."""
    if not isinstance(prefix_text, str):
        raise ParseError(f"prefix must be text, not {short(str(prefix_text))}")
    prefix = strict_prefix(prefix_text)
    if max_length is None or max_length == "":
        ml = prefix.length
    else:
        ml = uint_value(max_length, "maxLength")
    if ml < prefix.length:
        raise ParseError(f"maxLength {ml} is shorter than the prefix length of {prefix}")
    if ml > prefix.bits:
        raise ParseError(f"maxLength {ml} is over {prefix.bits} for {prefix}")
    number = parse_asn(asn.strip() if isinstance(asn, str) else asn)
    when = None if expires is None or expires == "" else unix_time(expires, "expires")
    return Vrp(prefix, ml, number, ta, when)


def roa_list(path: str | Path, doc: Any) -> list[Any]:
    """The ``roas`` list of an rpki-client document; anything else refuses the file."""
    roas = doc.get("roas") if isinstance(doc, dict) else None
    if not isinstance(roas, list):
        raise InputError.at(str(path), 'not an rpki-client VRP file: no "roas" list at the top')
    return roas


def roa_entry(file: str, i: int, roa: Any, items: list[Vrp], problems: list[Problem]) -> None:
    """Read entry ``i`` of ``roas``: a VRP added to ``items``, or a problem."""
    place = f"roas[{i}]"
    if not isinstance(roa, dict):
        problems.append(Problem(file, None, "ROA entry is not an object", place))
        return
    ta = roa.get("ta", "")
    try:
        items.append(
            make_vrp(
                roa.get("prefix"),
                roa.get("maxLength", roa.get("max_length")),
                roa.get("asn"),
                ta if isinstance(ta, str) else str(ta),
                roa.get("expires"),
            )
        )
    except ParseError as exc:
        problems.append(Problem(file, None, str(exc), place))


def json_result(
    path: str | Path, doc: dict[str, Any], vrps: VrpTable, problems: list[Problem]
) -> ReadResult[Vrp]:
    """The result of an rpki-client document whose ``roas`` gave ``vrps`` and ``problems``."""
    file = str(path)
    refuse_if_empty(path, len(vrps), problems, "VRP")
    meta = doc.get("metadata")
    generated: str | None = None
    if isinstance(meta, dict):
        built = meta.get("buildtime")
        stamp = meta.get("generated")
        if isinstance(built, str) and built:
            generated = built
        elif isinstance(stamp, int | float) and not isinstance(stamp, bool) and stamp > 0:
            generated = unix_to_iso(stamp)
    ignored = [k for k in _IGNORED_KEYS if doc.get(k)]
    note = "rpki-client JSON" + (f"; ignored: {', '.join(ignored)}" if ignored else "")
    prov = Provenance(KIND, file, generated, len(vrps), note)
    return ReadResult(vrps, tuple(problems), prov)
