"""ASPA records from the same JSON files that hold the VRPs.

Three shapes are read, told apart by their keys:

* rpki-client 8.x/9.x: ``"aspas": [{"customer_asid": 15562, "expires": 1690484162,
  "providers": [2914, 8283]}]``;
* older rpki-client: the same, but each provider an object
  ``{"asid": 2914, "afi_limit": "ipv4"}`` (the AFI limit is not kept: the current ASPA
  profile has none, and a provider listed for either family counts);
* StayRTR's cache: ``"provider_authorizations": {"ipv4": [{"customer_asid": 64496,
  "providers": [...]}], "ipv6": [...]}``; the two families of one customer are merged.

AS numbers may be numbers or ``"AS123"``. A provider list of only AS 0 means "no
providers" (:meth:`Aspa.of`). A file written by ``routesieve sync`` from an RTR cache
records the protocol version in ``metadata.rtr.version``: below 2 the cache cannot send
ASPA at all, and the provenance note says so. A file without any ASPA section gives no
records (not an error: most VRP files have none); a CSV VRP file gives none either.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from routesieve.model import Aspa, ParseError, parse_asn
from routesieve.problems import Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.sources._common import load_json, read_text, short
from routesieve.sources.rpki_bulk import rpki_json_rest

KIND = "aspa"


def read_aspas(path: str | Path) -> ReadResult[Aspa]:
    """The ASPA records of an rpki-client or StayRTR JSON file (compressed or not)."""
    file = str(path)
    doc = rpki_json_rest(path)  # the ROAs set aside unread: the rest is all that is used
    if doc is None:
        text = read_text(path)
        if not text.lstrip("\ufeff \t\r\n").startswith("{"):
            note = "no ASPA in a CSV VRP file"
            return ReadResult((), (), Provenance(KIND, file, None, 0, note))
        doc = load_json(path, text)
    problems: list[Problem] = []
    found: dict[int, tuple[set[int], int | None]] = {}
    shapes: list[str] = []
    aspas = doc.get("aspas") if isinstance(doc, dict) else None
    if isinstance(aspas, list):
        shapes.append("aspas")
        _collect(file, "aspas", aspas, found, problems)
    elif aspas is not None:
        problems.append(Problem(file, None, '"aspas" is not a list', "aspas"))
    pas = doc.get("provider_authorizations") if isinstance(doc, dict) else None
    if isinstance(pas, dict):
        shapes.append("provider_authorizations")
        for family in ("ipv4", "ipv6"):
            entries = pas.get(family, [])
            if isinstance(entries, list):
                _collect(file, f"provider_authorizations.{family}", entries, found, problems)
            else:
                where = f"provider_authorizations.{family}"
                problems.append(Problem(file, None, "not a list", where))
    elif pas is not None:
        problems.append(Problem(file, None, "not an object", "provider_authorizations"))
    items = tuple(Aspa.of(c, sorted(p), e) for c, (p, e) in sorted(found.items()))
    note = _note(doc, shapes, len(items))
    return ReadResult(items, tuple(problems), Provenance(KIND, file, None, len(items), note))


def worth_noting(result: ReadResult[Aspa]) -> bool:
    """Whether the snapshot should list this result's provenance: it has records or
    problems, or it says that an RTR cache could not send any."""
    return bool(result.items or result.problems or _RTR_NOTE in result.provenance.note)


_RTR_NOTE = "the RTR cache spoke version"


def _note(doc: Any, shapes: list[str], count: int) -> str:
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    rtr = meta.get("rtr") if isinstance(meta, dict) else None
    version = rtr.get("version") if isinstance(rtr, dict) else None
    if isinstance(version, int) and version < 2:
        return (
            f"none: {_RTR_NOTE} {version}, and ASPA needs version 2 "
            "(draft-ietf-sidrops-8210bis); X-ASPA sees every path as Unknown"
        )
    if not shapes:
        return "none: the file has no aspas or provider_authorizations section"
    return f"{count} customer ASes from {' and '.join(shapes)}"


def _collect(
    file: str,
    where: str,
    entries: Iterable[Any],
    found: dict[int, tuple[set[int], int | None]],
    problems: list[Problem],
) -> None:
    for i, entry in enumerate(entries):
        place = f"{where}[{i}]"
        try:
            customer, providers, expires = _entry(entry)
        except ParseError as exc:
            problems.append(Problem(file, None, str(exc), place))
            continue
        have, when = found.get(customer, (set(), expires))
        have.update(providers)
        if when is None or (expires is not None and expires < when):
            when = expires  # merged records are good until the first of them expires
        found[customer] = (have, when)


def _entry(entry: Any) -> tuple[int, list[int], int | None]:
    if not isinstance(entry, dict):
        raise ParseError("ASPA entry is not an object")
    raw = entry.get("customer_asid", entry.get("customer"))
    if raw is None:
        raise ParseError("ASPA entry without customer_asid")
    customer = _asn(raw)
    providers_raw = entry.get("providers")
    if not isinstance(providers_raw, list):
        raise ParseError(f"providers of AS{customer} is not a list")
    providers = []
    for p in providers_raw:
        if isinstance(p, dict):
            p = p.get("asid", p.get("provider_asid"))
            if p is None:
                raise ParseError(f"a provider of AS{customer} has no asid")
        providers.append(_asn(p))
    expires = entry.get("expires")
    if expires is not None and (
        not isinstance(expires, int) or isinstance(expires, bool) or expires < 0
    ):
        raise ParseError(f"expires of AS{customer} is not a Unix time: {short(str(expires))}")
    return customer, providers, expires


def _asn(value: Any) -> int:
    if isinstance(value, bool):
        raise ParseError(f"not an AS number: {value}")
    return parse_asn(value.strip() if isinstance(value, str) else value)
