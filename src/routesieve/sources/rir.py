"""RIR delegated-extended statistics files (AFRINIC, APNIC, ARIN, LACNIC, RIPE NCC).

``version|registry|serial|records|startdate|enddate|UTCoffset`` header, then
``registry|*|type|*|count|summary`` lines, then records
``registry|cc|type|start|value|date|status[|opaque-id[|extensions...]]``. For IPv4 ``value``
is a host count (not always a power of two: it becomes several prefixes), for IPv6 a prefix
length, for ASNs a count. Every status is kept; the engine uses allocated/assigned only.
The header and summary counts are checked against the records; a mismatch is a problem.
"""

from __future__ import annotations

import socket
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from routesieve.columnar import AsnDelegationTable, IpDelegationTable
from routesieve.model import (
    BITS,
    MAX_ASN,
    AsnDelegation,
    DelegationStatus,
    IpDelegation,
    ParseError,
    Prefix,
)
from routesieve.numbers import is_digits
from routesieve.problems import InputError, Problem, ReadResult
from routesieve.snapshot import Provenance
from routesieve.sources._common import numbered_lines, refuse_if_empty, short, yyyymmdd_to_iso

KIND = "rir"
_TYPES = ("asn", "ipv4", "ipv6")
_STATUS = {s.value: s for s in DelegationStatus}

Delegation = IpDelegation | AsnDelegation


@dataclass(frozen=True)
class RirData:
    """A statistics file's rows as tables: IPv4/IPv6 prefixes and AS number ranges, each
    in the order of the file (a row whose IPv4 count is not a power of two gives
    several prefixes)."""

    ip: IpDelegationTable
    asn: AsnDelegationTable
    problems: tuple[Problem, ...]
    provenance: Provenance


def read_delegations(path: str | Path) -> ReadResult[Delegation]:
    """Read a delegated(-extended) statistics file, compressed or not, streaming it, line
    by line (:func:`routesieve.sources.rir_bulk.read_delegation_tables` reads the same into
    tables, faster)."""
    reader = LineReader(str(path))
    for n, line in numbered_lines(path):
        reader.add(n, line)
    items = reader.items
    provenance = reader.finish(path, len(items), Counter())
    return ReadResult(tuple(items), tuple(reader.problems), provenance)


class LineReader:
    """What :func:`read_delegations` does with each line, one line at a time."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Delegation] = []
        self.problems: list[Problem] = []
        self.header: list[str] | None = None
        self.header_line = 0
        self.summary: dict[str, tuple[int, int]] = {}  # type -> (count, line)
        self.records: Counter[str] = Counter()
        self.bad = 0  # record lines that could not be read (they count in the header total)

    def add(self, n: int, line: str) -> None:
        """Read line ``n`` (without its end)."""
        file, problems = self.file, self.problems
        if not line.strip() or line.lstrip().startswith("#"):
            return
        fields = line.split("|")
        if self.header is None:
            if len(fields) < 6 or not is_digits(fields[0].replace(".", ""), 10):
                raise InputError.at(
                    file, f"not an RIR statistics file: first line is {short(line)}", n
                )
            self.header, self.header_line = fields, n
            return
        if len(fields) >= 6 and fields[1] == "*" and fields[5].strip() == "summary":
            if is_digits(fields[4]):
                self.summary[fields[2]] = (int(fields[4]), n)
            else:
                problems.append(Problem(file, n, f"bad summary line: {short(line)}"))
            return
        try:
            if len(fields) < 7:
                raise ParseError("too few fields")
            found = _record(fields)
        except ParseError as exc:
            problems.append(Problem(file, n, f"{exc}: {short(line)}"))
            self.bad += 1
            return
        self.records[fields[2]] += 1
        self.items.extend(found)

    def finish(self, path: str | Path, count: int, more: Counter[str]) -> Provenance:
        """Check the counts of the header and the summary lines, with ``count`` items in
        all and ``more`` records read elsewhere; the file's provenance."""
        file, problems, header = self.file, self.problems, self.header
        if header is None:
            raise InputError.at(file, "not an RIR statistics file: it is empty")
        refuse_if_empty(path, count, problems, "RIR statistics")
        records = self.records + more
        total = sum(records.values())
        if is_digits(header[3]) and int(header[3]) != total + self.bad:
            problems.append(
                Problem(
                    file, self.header_line, f"header says {header[3]} records, file has {total}"
                )
            )
        for kind, (number, at) in self.summary.items():
            if number != records[kind]:
                problems.append(
                    Problem(
                        file, at, f"summary says {number} {kind} records, file has {records[kind]}"
                    )
                )
        generated = yyyymmdd_to_iso(header[5]) or yyyymmdd_to_iso(header[2])
        note = f"{header[1]}: " + ", ".join(f"{records[t]} {t}" for t in _TYPES) + " records"
        return Provenance(KIND, file, generated, count, note)


def _record(fields: list[str]) -> list[Delegation]:
    registry, cc, kind, start, value = (f.strip() for f in fields[:5])
    status_text = fields[6].strip().lower()
    status = _STATUS.get(status_text)
    if status is None:
        raise ParseError(f"unknown status {status_text!r}")
    opaque = fields[7].strip() if len(fields) > 7 else ""
    if not is_digits(value, 39):  # an IPv4 count up to 2**32, an ASN count, a v6 length
        raise ParseError(f"bad value {short(value)}")
    number = int(value)
    if kind == "asn":
        if not is_digits(start, 10):
            raise ParseError(f"bad AS number {short(start)}")
        first = int(start)
        if number < 1 or first + number - 1 > MAX_ASN:
            raise ParseError(f"bad AS range {first} + {number}")
        return [AsnDelegation(registry, first, number, status, opaque, cc)]
    if kind == "ipv4":
        try:
            if start.count(".") != 3:
                raise OSError
            address = int.from_bytes(socket.inet_aton(start), "big")
        except (OSError, ValueError):  # ValueError: a NUL inside the text
            raise ParseError(f"bad IPv4 address {short(start)}") from None
        return [
            IpDelegation(registry, p, status, opaque, cc)
            for p in Prefix.from_range(4, address, number)
        ]
    if kind == "ipv6":
        try:
            address = int.from_bytes(socket.inet_pton(socket.AF_INET6, start), "big")
        except (OSError, ValueError):
            raise ParseError(f"bad IPv6 address {short(start)}") from None
        if number > BITS[6] or address & ((1 << (BITS[6] - number)) - 1):
            raise ParseError(f"bad IPv6 prefix {start}/{number}")
        return [IpDelegation(registry, Prefix(6, address, number), status, opaque, cc)]
    raise ParseError(f"unknown type {kind!r}")
