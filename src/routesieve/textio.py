"""Opening input files whatever their compression (gzip, bzip2, xz, or none).

A compressed file that is damaged or cut short raises :class:`DamagedFile` (an
:class:`InputError`) from whichever read meets the damage, naming the file, the
compression, the byte offset in the file and how much was decompressed before: never a
``zlib.error``, ``LZMAError``, ``EOFError`` or ``OSError`` from the decompressor.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from routesieve.problems import InputError, Problem

#: What a decompressor raises on damaged or truncated input.
DECOMPRESS_ERRORS = (OSError, EOFError, lzma.LZMAError, zlib.error)


class DamagedFile(InputError):
    """A compressed file that cannot be decompressed past some point."""

    def __init__(self, file: str, message: str, offset: int, produced: int) -> None:
        place = f"byte {offset} of the file, after {produced} bytes decompressed"
        super().__init__([Problem(file, None, message, place)])
        self.offset, self.produced = offset, produced


class _Checked(io.BufferedIOBase):
    """A decompressing reader whose damage errors become :class:`DamagedFile`."""

    def __init__(self, name: str, kind: str, raw: IO[bytes], inner: Any) -> None:
        super().__init__()
        self._name, self._kind, self._raw, self._inner = name, kind, raw, inner
        self._produced = 0

    def _fail(self, exc: BaseException) -> DamagedFile:
        try:
            offset = self._raw.tell()
        except (OSError, ValueError):
            offset = -1
        detail = str(exc) or type(exc).__name__
        message = f"damaged {self._kind} file (corrupt or truncated): {detail}"
        return DamagedFile(self._name, message, offset, self._produced)

    def readable(self) -> bool:
        return True

    def _call(self, method: Any, size: int) -> bytes:
        try:
            data: bytes = method(size)
        except DECOMPRESS_ERRORS as exc:
            raise self._fail(exc) from None
        self._produced += len(data)
        return data

    def read(self, size: int | None = -1) -> bytes:
        return self._call(self._inner.read, -1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._call(self._inner.read1, size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._call(self._inner.readline, -1 if size is None else size)

    def __iter__(self) -> Iterator[bytes]:
        """The lines, at the speed of the decompressor's own iteration."""
        try:
            for line in self._inner:
                self._produced += len(line)
                yield line
        except DECOMPRESS_ERRORS as exc:
            raise self._fail(exc) from None

    def peek(self, size: int = 0) -> bytes:
        try:
            data: bytes = self._inner.peek(size)
        except DECOMPRESS_ERRORS as exc:
            raise self._fail(exc) from None
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._inner.close()
            self._raw.close()
        finally:
            super().close()


def open_binary(path: str | Path) -> IO[bytes]:
    """Open a file for reading bytes, decompressing by its magic number, not its name."""
    p = Path(path)
    try:
        raw = p.open("rb")
    except OSError as exc:
        raise InputError.at(str(path), f"cannot open: {exc.strerror or exc}") from None
    try:
        head = raw.read(6)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise InputError.at(str(path), f"cannot read: {exc.strerror or exc}") from None
    inner: Any
    if head.startswith(b"\x1f\x8b"):
        kind, inner = "gzip", gzip.GzipFile(fileobj=raw, mode="rb")
    elif head.startswith(b"BZh"):
        kind, inner = "bzip2", bz2.BZ2File(raw, "rb")
    elif head.startswith(b"\xfd7zXZ\x00"):
        kind, inner = "xz", lzma.LZMAFile(raw, "rb")  # noqa: SIM115 (closed by _Checked)
    else:
        return raw
    return cast(IO[bytes], _Checked(str(path), kind, raw, inner))


def open_text(path: str | Path) -> IO[str]:
    """Open a (possibly compressed) text file as UTF-8; undecodable bytes become U+FFFD."""
    return io.TextIOWrapper(open_binary(path), encoding="utf-8", errors="replace", newline="")


def read_lines(path: str | Path) -> list[str]:
    """All lines of a text file without line ends; a decompression failure names the file."""
    try:
        with open_text(path) as fh:
            return fh.read().splitlines()
    except OSError as exc:
        raise InputError.at(str(path), f"cannot read: {exc}") from None
