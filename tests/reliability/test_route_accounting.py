"""Every route reader accounts for each line or record of its file: read == routes + skipped,
on the real files of ../shared/data and on the package's example."""

from __future__ import annotations

import gzip
import lzma
import struct
from importlib import resources
from pathlib import Path

import pytest

from routesieve.collect.bgpdump import read_routes_bgpdump
from routesieve.collect.files import read_routes
from routesieve.collect.jsonl import read_routes_jsonl
from routesieve.collect.mrt import read_routes_mrt
from routesieve.problems import Accounting

EXAMPLE = Path(str(resources.files("routesieve") / "data" / "example"))


def _text_lines(path: Path) -> int:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    elif raw[:6] == b"\xfd7zXZ\x00":
        raw = lzma.decompress(raw)
    text = raw.decode("utf-8", "replace")
    return sum(1 for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _mrt_records(path: Path) -> int:
    raw = gzip.decompress(path.read_bytes())
    pos = count = 0
    while pos + 12 <= len(raw):
        pos += 12 + struct.unpack_from(">I", raw, pos + 8)[0]
        count += 1
    return count


def _checked(acc: Accounting | None, items: int) -> Accounting:
    assert acc is not None
    assert acc.routes == items
    assert acc.read == acc.routes + acc.skipped_total, str(acc)
    assert all(n > 0 for _, n in acc.skipped)
    return acc


def test_json_lines_accounting_adds_up_with_junk_lines(tmp_path: Path) -> None:
    good = (EXAMPLE / "routes.jsonl").read_text()
    path = tmp_path / "r.jsonl"
    path.write_text(good + "not json\n[1]\n{}\n" + '{"peer_asn": "x"}\n')
    result = read_routes_jsonl(path)
    acc = _checked(result.accounting, len(result.items))
    assert acc.read == _text_lines(path)
    assert acc.skipped_total == 4 and acc.malformed == 1


BGPDUMP, MRT = "bgpdump-text", "mrt"


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        (BGPDUMP, "ripe-bgpdump_expect_updates.20020722.2238.bgpdump-vm.txt.gz"),
        (BGPDUMP, "ripe-bgpdump_expect_bview.ipv6_unicast_add_path.bgpdump-vm.txt.gz"),
        (BGPDUMP, "bgp-rs_updates.20190101.0000.bgpdump-m.txt.xz"),
        (MRT, "ripe-bgpdump_updates.20020722.2238.gz"),
        (MRT, "ripe-bgpdump_bview.ipv6_unicast_add_path.gz"),
        (MRT, "bgp-rs_updates.20190101.0000.gz"),
        (MRT, "ripe-bgpdump_updates.et-header.2015.gz"),
    ],
)
def test_stream_reader_accounting_adds_up_on_real_files(
    shared_data: Path, folder: str, name: str
) -> None:
    path = shared_data / folder / name
    for final in (False, True):
        if folder == BGPDUMP:
            result = read_routes_bgpdump(path, final=final)
            assert _checked(result.accounting, len(result.items)).read == _text_lines(path)
        else:
            result = read_routes_mrt(path, final=final)
            # entries: each announced or withdrawn prefix, and each record that carried none
            assert _checked(result.accounting, len(result.items)).read >= _mrt_records(path)


def test_accounting_counts_a_damaged_tail(tmp_path: Path, shared_data: Path) -> None:
    packed = (shared_data / "mrt" / "bgp-rs_updates.20190101.0000.gz").read_bytes()
    path = tmp_path / "cut.gz"
    path.write_bytes(packed[: len(packed) // 3])
    result = read_routes(path)
    acc = _checked(result.accounting, len(result.items))
    assert acc.routes > 0
    assert any("damaged gzip file" in p.message for p in result.problems)
