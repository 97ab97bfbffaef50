"""Opening input files whatever their compression (gzip, bzip2, xz, or none)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
from pathlib import Path
from typing import IO, cast

from routesieve.problems import InputError


def open_binary(path: str | Path) -> IO[bytes]:
    """Open a file for reading bytes, decompressing by its magic number, not its name."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(6)
        if head.startswith(b"\x1f\x8b"):
            return cast(IO[bytes], gzip.open(p, "rb"))
        if head.startswith(b"BZh"):
            return bz2.open(p, "rb")
        if head.startswith(b"\xfd7zXZ\x00"):
            return lzma.open(p, "rb")
        return p.open("rb")
    except OSError as exc:
        raise InputError.at(str(path), f"cannot open: {exc.strerror or exc}") from None


def open_text(path: str | Path) -> IO[str]:
    """Open a (possibly compressed) text file as UTF-8; undecodable bytes become U+FFFD."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8", errors="replace", newline="")


def read_lines(path: str | Path) -> list[str]:
    """All lines of a text file without line ends; a decompression failure names the file."""
    try:
        with open_text(path) as fh:
            return fh.read().splitlines()
    except (OSError, EOFError, lzma.LZMAError) as exc:
        raise InputError.at(str(path), f"cannot read (corrupt or truncated?): {exc}") from None
