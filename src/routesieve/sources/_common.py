"""Helpers shared by the outside-data readers: decoding errors, JSON, strict prefixes."""

from __future__ import annotations

import csv
import json
import lzma
import socket
import zlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from routesieve.model import BITS, ParseError, Prefix
from routesieve.numbers import (
    MAX_UNIX_TIME,
    is_digits,
    json_int,
    may_hold_surrogates,
    safe_json,
    shown,
)
from routesieve.numbers import unix_to_iso as _unix_to_iso
from routesieve.problems import InputError, Problem
from routesieve.textio import open_text

#: What a damaged or truncated compressed file raises while it is being read (the
#: damage itself arrives as textio.DamagedFile, an InputError; these are the rest).
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


def load_json(
    path: str | Path, text: str | None = None, problems: list[Problem] | None = None
) -> Any:
    """The parsed JSON of a file; text that is not JSON raises :class:`InputError`.

    An integer of over 40 digits stays text (the field holding it is refused alone).
    Text with lone UTF-16 surrogates gets U+FFFD in their place, noted in ``problems``.
    """
    if text is None:
        text = read_text(path)
    try:
        doc = json.loads(text.lstrip("\ufeff"), parse_int=json_int)
        changed = 0
        if may_hold_surrogates(text):
            doc, changed = safe_json(doc)
    except json.JSONDecodeError as exc:
        raise InputError(
            [Problem(str(path), exc.lineno, f"not JSON: {exc.msg}", f"column {exc.colno}")]
        ) from None
    except RecursionError:
        raise InputError.at(str(path), "not usable JSON: nested too deeply") from None
    except ValueError as exc:
        raise InputError.at(str(path), f"not usable JSON: {exc}") from None
    if changed and problems is not None:
        message = f"{changed} text value(s) with lone surrogates: replaced by U+FFFD"
        problems.append(Problem(str(path), None, message))
    return doc


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
    if not is_digits(plen, 3) or int(plen) > bits:
        raise ParseError(f"not an IP prefix: {text!r} (bad length)")
    length = int(plen)
    value = int.from_bytes(raw, "big")
    if value & ((1 << (bits - length)) - 1):
        raise ParseError(f"host bits set in prefix {text!r}")
    return Prefix(version, value, length)


def csv_rows(rows: Any, file: str, problems: list[Problem]) -> Iterator[list[str]]:
    """The rows of a ``csv.reader``; a line it cannot read (a field over its size limit, a
    NUL) is a problem with its line number, and reading goes on with the next line."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(Problem(file, rows.line_num, f"unreadable CSV line: {exc}"))
            continue
        yield row


def refuse_if_empty(path: str | Path, found: int, problems: list[Problem], what: str) -> None:
    """Raise :class:`InputError` when nothing was read but problems were found."""
    if found == 0 and problems:
        head = [Problem(str(path), None, f"not a {what} file: no usable line")]
        raise InputError(head + problems[:SHOWN])


def unix_to_iso(value: float) -> str | None:
    """The date of a Unix time, or None when it is not one (negative, over the year 9999,
    not finite): a file's own date is a note, never a reason to refuse the file."""
    return _unix_to_iso(value) if 0 <= value <= MAX_UNIX_TIME else None


def yyyymmdd_to_iso(text: str) -> str | None:
    """``"20230323"`` -> ``"2023-03-23"``; None for anything else (``"00000000"`` included)."""
    try:
        return datetime.strptime(text, "%Y%m%d").date().isoformat()
    except ValueError:
        return None


def short(text: str, limit: int = 80) -> str:
    """``repr`` of outside text, cut to ``limit`` characters, for a problem message."""
    return shown(text, limit)
