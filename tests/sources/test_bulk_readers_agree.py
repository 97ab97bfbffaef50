"""The bulk paths of the VRP, RPSL and RIR readers give what the per-item code gives.

Random files mix entries the bulk path reads with ones it must hand to the per-item
code (bad prefixes, AS numbers over 32 bits, host bits, other layouts, comments,
continuation lines, capitalised attribute names, junk): the items, their order, the
problems (file, line, message) and the provenance must be the same, and so must a
refusal of the whole file.
"""

from __future__ import annotations

import ipaddress
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routesieve.model import AsnDelegation, IpDelegation
from routesieve.problems import InputError
from routesieve.sources.rir import read_delegations
from routesieve.sources.rir_bulk import read_delegation_tables
from routesieve.sources.rpki import read_vrps, read_vrps_per_item
from routesieve.sources.rpsl import read_rpsl, read_rpsl_per_object

PREFIXES = [
    "1.0.0.0/24",
    "1.0.0.0/8",
    "1.0.0.1/24",  # host bits
    "0.0.0.0/0",
    "255.255.255.255/32",
    "10.0.0.0/33",
    "1.2.3/24",
    "01.2.3.0/24",
    "1.2.3.256/32",
    "1.2.3.0/024",
    "2001:db8::/32",
    "2001:DB8::/32",
    "2001:db8::1/32",
    "2001:db8::/129",
    "::/0",
    "::ffff:1.2.3.0/120",
    "2001:db8:0:0:0:0:0:0/48",
    "2001:db8::::/32",
    "2001:db8:12345::/48",
    "fe80::/10",
    "::1/128",
    "2001:db8::/",
    "/24",
]
ASNS = ["0", "1", "13335", "4294967295", "4294967296", "9999999999"]


def _prefix(version: int | None = None) -> st.SearchStrategy[str]:
    v4 = st.tuples(st.ip_addresses(v=4), st.integers(0, 33)).map(lambda t: f"{t[0]}/{t[1]}")
    v6 = st.tuples(st.ip_addresses(v=6), st.integers(0, 129)).map(lambda t: f"{t[0]}/{t[1]}")
    networks = st.one_of(
        *(
            st.tuples(st.ip_addresses(v=v), st.integers(0, bits))
            for v, bits in ((4, 32), (6, 128))
            if version in (None, v)
        )
    ).map(lambda t: str(ipaddress.ip_network(f"{t[0]}/{t[1]}", strict=False)))
    odd = st.one_of(st.sampled_from(PREFIXES), v4, v6)
    return st.integers(0, 2).flatmap(lambda k: networks if k else odd)


@st.composite
def roa_line(draw: st.DrawFn) -> str:
    asn = draw(st.sampled_from(ASNS))
    if draw(st.booleans()):
        asn = f'"AS{asn[:9]}"'
    prefix = draw(_prefix())
    max_length = draw(st.sampled_from(["0", "8", "24", "32", "48", "64", "128", "128", "129"]))
    ta = draw(st.sampled_from(["apnic", "ripe", "", "arin "]))
    fields = [f'"asn": {asn}', f'"prefix": "{prefix}"', f'"maxLength": {max_length}']
    fields.append(f'"ta": "{ta}"')
    expires = draw(st.sampled_from([None, "0", "1927456601", "253402300799", "253402300800"]))
    if expires is not None:
        fields.append(f'"expires": {expires}')
    odd = draw(st.integers(0, 9))
    if odd == 0:  # another layout: keys in another order, or another key name
        fields.reverse()
    elif odd == 1:
        fields[2] = fields[2].replace("maxLength", "max_length")
    elif odd == 2:
        return draw(st.sampled_from(["5", "null", '"x"', "[]", '{"prefix": 5}']))
    space = draw(st.sampled_from([" ", "", "  ", "\t"]))
    return "{" + space + ("," + space).join(fields) + space + "}"


@st.composite
def vrp_file(draw: st.DrawFn) -> str:
    entries = draw(st.lists(roa_line(), min_size=0, max_size=25))
    meta = {"buildtime": "2026-11-25T06:00:00Z", "roas": len(entries)}
    body = ",\n\t\t".join(entries)
    tail = draw(st.sampled_from(['"bgpsec_keys": [],\n\t"aspas": []', '"bgpsec_keys": [1]']))
    return f'{{\n\t"metadata": {json.dumps(meta)},\n\t"roas": [\n\t\t{body}\n\t],\n\t{tail}\n}}\n'


def _outcome(read: Any, path: Path) -> Any:
    try:
        result = read(path)
    except InputError as exc:
        return ("refused", str(exc))
    items = [tuple(getattr(result, name)) for name in _FIELDS.get(read, ("items",))]
    orgs = list(result.organisations.items()) if hasattr(result, "organisations") else []
    return items, orgs, result.problems, result.provenance


_FIELDS: dict[Any, tuple[str, ...]] = {
    read_rpsl: ("route_objects", "as_sets", "org_handles"),
    read_rpsl_per_object: ("route_objects", "as_sets", "org_handles"),
}


def _agree(fast: Any, slow: Any, text: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(text.encode())
        assert _outcome(fast, path) == _outcome(slow, path)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vrp_file())
def test_bulk_vrp_reader_agrees_with_per_item_reader(text: str) -> None:
    _agree(read_vrps, read_vrps_per_item, text, "vrps.json")


def test_bulk_vrp_reader_takes_plain_rpki_client_lines() -> None:
    line = '{ "asn": 13335, "prefix": "1.0.0.0/24", "maxLength": 24, "ta": "apnic", "expires": 5 }'
    text = f'{{"metadata": {{}}, "roas": [\n{line},\n{line}\n]}}\n'
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vrps.json"
        path.write_text(text)
        fast = read_vrps(path)
        assert type(fast.items).__name__ == "VrpTable"
        assert list(fast.items) == list(read_vrps_per_item(path).items)
        assert fast.items[1].expires == 5


ATTRIBUTE_NAMES = ["mnt-by", "descr", "remarks", "Origin", "SOURCE", "notify"]


@st.composite
def rpsl_object(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(["route", "route", "route6", "route6", "other"]))
    if kind == "other":
        return draw(
            st.sampled_from(
                [
                    ["as-set: AS-FOO", "members: AS1, AS2", "  AS3", "source: RIPE"],
                    ["aut-num: AS65000", "org: ORG-X1", "source: RIPE"],
                    ["aut-num: AS4294967296", "org: ORG-X1"],
                    ["inet6num: 2001:db8::/32", "org: org-y", "source: ripe"],
                    ["inetnum: 10.0.0.0 - 10.0.1.255", "org: ORG-Z"],
                    ["organisation: ORG-X1", "org-name: Example"],
                    ["person: Someone", "nic-hdl: X1"],
                    ["% a comment only"],
                    ["not an attribute"],
                ]
            )
        )
    prefix = draw(_prefix(6 if kind == "route6" else 4))
    lines = [f"{kind}:{draw(st.sampled_from([' ', '    ', chr(9)]))}{prefix}"]
    origin = draw(
        st.sampled_from(
            ["AS1", "as13335", "As4294967295", "AS4294967296", "AS1.5", "ASX", "", "AS01"]
        )
    )
    extra = draw(st.lists(st.sampled_from(ATTRIBUTE_NAMES), max_size=1))
    lines += [f"{name}: something" for name in extra]
    if draw(st.integers(0, 5)):
        lines.append(f"origin: {origin}" + draw(st.sampled_from(["", " ", " # comment", "\r"])))
    source = draw(st.sampled_from([None, "RIPE", "RIPE", "RIPE", "radb", "", "RIPE x", "RIPE#c"]))
    if source is not None:
        lines.append(f"source:  {source}")
    if draw(st.booleans()):
        lines.append(f"last-modified: 2025-0{draw(st.integers(1, 9))}-01T00:00:00Z")
    odd = draw(st.integers(0, 20))
    if odd == 0:
        lines.insert(1, "+ continued")
    elif odd == 1:
        lines.insert(1, "% comment inside")
    elif odd == 2:
        lines.insert(0, "junk before")
    elif odd == 3:
        lines.append("bad line")
    return lines


@st.composite
def rpsl_file(draw: st.DrawFn) -> str:
    objects = draw(st.lists(rpsl_object(), max_size=20))
    out: list[str] = []
    for obj in objects:
        out += obj
        out.append(draw(st.sampled_from(["", "", "   ", "\t", "\x0c"])))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(out) + draw(st.sampled_from(["", end]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rpsl_file())
def test_bulk_rpsl_reader_agrees_with_per_object_reader(text: str) -> None:
    _agree(read_rpsl, read_rpsl_per_object, text, "irr.db")


@st.composite
def rir_line(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["asn", "ipv4", "ipv4", "ipv6", "ipv6", "odd"]))
    status = draw(st.sampled_from(["allocated", "assigned", "available", "reserved", "Allocated"]))
    cc = draw(st.sampled_from(["DE", "", "ZZ", "d e"]))
    tail = draw(st.sampled_from(["", "|", "|A1B2", "|A1B2|e-stats", "| spaced", "|id\r"]))
    if kind == "asn":
        start = draw(st.sampled_from(["0", "1", "64512", "4294967295", "4294967296", "01", "x"]))
        value = draw(st.sampled_from(["1", "0", "1024", "2", "99999999999"]))
    elif kind == "ipv4":
        start = draw(
            st.one_of(
                st.ip_addresses(v=4).map(str),
                st.sampled_from(["10.0.0.0", "010.0.0.0", "1.2.3", "256.0.0.0", "0.0.0.0"]),
            )
        )
        value = draw(st.sampled_from(["256", "1024", "1536", "1", "0", "4294967296", "16777216"]))
    elif kind == "ipv6":
        start = draw(
            st.one_of(
                st.ip_addresses(v=6).map(str),
                st.sampled_from(["2001:db8::", "2001:DB8::", "::ffff:1.2.3.4", "2001:db8::1"]),
            )
        )
        value = draw(st.sampled_from(["32", "48", "128", "129", "0", "1000"]))
    else:
        return draw(st.sampled_from(["", "# comment", "test|*|ipv4|*|3|summary", "a|b", "  "]))
    return f"test|{cc}|{kind}|{start}|{value}|20240101|{status}{tail}"


@st.composite
def rir_file(draw: st.DrawFn) -> str:
    records = draw(st.lists(rir_line(), max_size=25))
    total = draw(st.sampled_from([len(records), 3]))
    head = [f"2|test|20240101|{total}|19700101|20231231|+0000", "test|*|asn|*|1|summary"]
    if draw(st.integers(0, 9)) == 0:
        head.reverse()
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(head + records) + end


def _tables(path: Path) -> Any:
    result = read_delegation_tables(path)
    return [list(result.ip), list(result.asn)], result.problems, result.provenance


def _lines(path: Path) -> Any:
    result = read_delegations(path)
    ip = [d for d in result.items if isinstance(d, IpDelegation)]
    asn = [d for d in result.items if isinstance(d, AsnDelegation)]
    return [ip, asn], result.problems, result.provenance


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rir_file())
def test_bulk_rir_reader_agrees_with_line_reader(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "delegated"
        path.write_bytes(text.encode())
        assert _refused_or(_tables, path) == _refused_or(_lines, path)


def _refused_or(read: Any, path: Path) -> Any:
    try:
        return read(path)
    except InputError as exc:
        return ("refused", str(exc))
