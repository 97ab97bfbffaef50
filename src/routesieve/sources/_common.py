"""Helpers shared by the outside-data readers: decoding errors, JSON, strict prefixes."""

from __future__ import annotations

import json
import lzma
import socket
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from routesieve.model import BITS, ParseError, Prefix
from routesieve.problems import InputError, Problem
from routesieve.textio import open_text

#: What a damaged or truncated compressed file raises while it is being read.
DECODE_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)

#: At most this many problems are shown when a whole file is refused.
SHOWN = 10


def unreadable(path: str | Path, exc: BaseException) -> InputError:
    return InputError.at(str(path), f"cannot read (corrupt or truncated?): {exc}")


def numbered_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """``(line number, line without its end)`` of a possibly compressed text file, streamed.

    A file that breaks off or cannot be decompressed raises :class:`InputError`.
    """
    with open_text(path) as fh:
        n = 0
        try:
            for n, raw in enumerate(fh, 1):
                yield n, raw.rstrip("\r\n")
        except DECODE_ERRORS as exc:
            raise InputError.at(str(path), f"cannot read after line {n} ({exc})") from None


def raw_lines(path: str | Path) -> Iterator[str]:
    """The lines of a possibly compressed text file, line ends kept, streamed (fastest)."""
    with open_text(path) as fh:
        try:
            while chunk := fh.readlines(1 << 20):
                yield from chunk
        except DECODE_ERRORS as exc:
            raise unreadable(path, exc) from None


def read_text(path: str | Path) -> str:
    try:
        with open_text(path) as fh:
            return fh.read()
    except DECODE_ERRORS as exc:
        raise unreadable(path, exc) from None


def load_json(path: str | Path, text: str | None = None) -> Any:
    """The parsed JSON of a file; text that is not JSON raises :class:`InputError`."""
    if text is None:
        text = read_text(path)
    try:
        return json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise InputError(
            [Problem(str(path), exc.lineno, f"not JSON: {exc.msg}", f"column {exc.colno}")]
        ) from None
    except RecursionError:
        raise InputError.at(str(path), "not usable JSON: nested too deeply") from None


def strict_prefix(text: str) -> Prefix:
    """A prefix written ``address/length`` with no host bits set, else :class:`ParseError`."""
    text = text.strip()
    addr, sep, plen = text.partition("/")
    if not sep:
        raise ParseError(f"not an IP prefix: {text!r} (no /length)")
    try:
        if ":" in addr:
            version, raw = 6, socket.inet_pton(socket.AF_INET6, addr)
        else:
            version, raw = 4, socket.inet_pton(socket.AF_INET, addr)
    except (OSError, ValueError):
        raise ParseError(f"not an IP prefix: {text!r}") from None
    bits = BITS[version]
    if not plen.isdecimal() or not plen.isascii() or int(plen) > bits:
        raise ParseError(f"not an IP prefix: {text!r} (bad length)")
    length = int(plen)
    value = int.from_bytes(raw, "big")
    if value & ((1 << (bits - length)) - 1):
        raise ParseError(f"host bits set in prefix {text!r}")
    return Prefix(version, value, length)


def refuse_if_empty(path: str | Path, found: int, problems: list[Problem], what: str) -> None:
    """Raise :class:`InputError` when nothing was read but problems were found."""
    if found == 0 and problems:
        head = [Problem(str(path), None, f"not a {what} file: no usable line")]
        raise InputError(head + problems[:SHOWN])


def unix_to_iso(value: float) -> str:
    return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def yyyymmdd_to_iso(text: str) -> str | None:
    """``"20230323"`` -> ``"2023-03-23"``; None for anything else (``"00000000"`` included)."""
    try:
        return datetime.strptime(text, "%Y%m%d").date().isoformat()
    except ValueError:
        return None


def short(text: str, limit: int = 80) -> str:
    """``repr`` of outside text, cut to ``limit`` characters, for a problem message."""
    if len(text) > limit:
        return repr(text[:limit]) + "…"
    return repr(text)
