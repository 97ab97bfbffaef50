"""Received routes from a file, whatever its format: JSON lines, ``bgpdump -m`` or MRT."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from routesieve.problems import InputError, ReadResult
from routesieve.textio import open_binary

if TYPE_CHECKING:
    from routesieve.model import Route

_BGPDUMP_STARTS = (b"TABLE_DUMP", b"BGP4MP")


def sniff_format(path: str | Path) -> str:
    """``"jsonl"``, ``"bgpdump"`` or ``"mrt"``, from the first bytes of the (decompressed) file."""
    try:
        with open_binary(path) as fh:
            head = fh.read(64)
    except (OSError, EOFError) as exc:
        raise InputError.at(str(path), f"cannot read: {exc}") from None
    text = head.lstrip()
    if text.startswith((b"{", b"#")) or not text:
        return "jsonl"
    if text.startswith(_BGPDUMP_STARTS):
        return "bgpdump"
    return "mrt"


def read_routes(path: str | Path) -> ReadResult[Route]:
    """The routes received in one file. Update streams (MRT or bgpdump) give their end
    state: the Adj-RIB-In that the announcements and withdrawals leave behind.

    Each format's reader is imported when a file of that format is read."""
    kind = sniff_format(path)
    if kind == "jsonl":
        from routesieve.collect.jsonl import read_routes_jsonl

        return read_routes_jsonl(path)
    if kind == "bgpdump":
        from routesieve.collect.bgpdump import read_routes_bgpdump

        return read_routes_bgpdump(path, final=True)
    from routesieve.collect.mrt import read_routes_mrt

    return read_routes_mrt(path, final=True)
