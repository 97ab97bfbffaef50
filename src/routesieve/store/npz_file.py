"""Numpy ``.npz`` archives (uncompressed), written atomically and read back fast and safely.

The file is an ordinary ``numpy.savez`` archive, so ``numpy.load`` opens it for a look.
This reader is stricter and faster: each member is read straight into a fresh, aligned
array (one copy from the page cache, no per-chunk decoding), its CRC-32 is checked
against the zip directory, and anything but a plain one-dimensional array of numbers
(object arrays above all: they would need pickle) is refused. Every refusal is a
``ValueError`` saying what is wrong; the caller adds the file name.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path
from tokenize import TokenError
from typing import Any

import numpy as np
import numpy.typing as npt

from routesieve.sources.fetched import write_atomically

Arrays = dict[str, npt.NDArray[Any]]
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"
_SUFFIX = ".npy"


def write_npz(path: Path, arrays: Arrays) -> int:
    """Write ``arrays`` as an uncompressed ``.npz`` at ``path`` atomically; returns its size.

    Nothing is written to ``path`` unless the whole archive was: a failure (a full disk,
    a value that does not fit) leaves the previous file as it was.
    """
    buffer = io.BytesIO()
    np.savez(buffer, allow_pickle=False, **arrays)
    return write_atomically(path, [buffer.getvalue()])


def read_npz(path: Path) -> Arrays:
    """Every member of the archive at ``path``, checked (see the module docstring).

    Raises ``OSError`` when the file cannot be read and ``ValueError`` when it is not a
    sound archive of plain arrays (damaged, truncated, or something else altogether).
    """
    with path.open("rb") as fh:
        try:
            archive = zipfile.ZipFile(fh)
        except NotImplementedError as exc:  # a member said to need a later zip version
            raise ValueError(f"not a numpy archive ({exc})") from None
        except zipfile.BadZipFile as exc:
            fh.seek(0)
            if fh.read(len(_LOCAL_SIGNATURE)) == _LOCAL_SIGNATURE:
                raise ValueError(
                    "cut short or damaged: the zip directory at its end is gone"
                ) from None
            raise ValueError(f"not a numpy archive ({exc})") from None
        out: Arrays = {}
        for info in archive.infolist():
            if not info.filename.endswith(_SUFFIX):
                raise ValueError(f"unexpected member {info.filename!r}")
            name = info.filename.removesuffix(_SUFFIX)
            if name in out:
                raise ValueError(f"member {name!r} twice")
            out[name] = _read_member(fh, info)
    return out


def _read_member(fh: io.BufferedReader, info: zipfile.ZipInfo) -> npt.NDArray[Any]:
    name = info.filename
    if info.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"member {name!r} is compressed; snapshots are written uncompressed")
    if not 0 <= info.header_offset < os.fstat(fh.fileno()).st_size:
        raise ValueError(f"member {name!r} starts at {info.header_offset}, outside the file")
    fh.seek(info.header_offset)
    local = fh.read(_LOCAL_HEADER.size)
    if len(local) < _LOCAL_HEADER.size:
        raise ValueError(f"truncated before member {name!r}")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(local)
    if signature != _LOCAL_SIGNATURE:
        raise ValueError(f"damaged zip header of member {name!r}")
    start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    fh.seek(start)
    try:
        major, _minor = np.lib.format.read_magic(fh)
        if major == 1:
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    except (ValueError, EOFError, SyntaxError, TokenError) as exc:  # a header numpy cannot parse
        raise ValueError(f"member {name!r} is not a numpy array ({exc})") from None
    if dtype.hasobject or dtype.kind not in "biu" or fortran or len(shape) != 1:
        raise ValueError(f"member {name!r} is not a plain column of numbers ({dtype}, {shape})")
    header_size = fh.tell() - start
    size = shape[0] * dtype.itemsize
    if header_size + size != info.file_size:
        raise ValueError(
            f"member {name!r}: {info.file_size} bytes stored, not {header_size + size}"
        )
    array = np.empty(shape, dtype)
    raw = array.data.cast("B")
    got = fh.readinto(raw) if size else 0
    if got != size:
        raise ValueError(f"truncated in member {name!r}")
    fh.seek(start)
    crc = zlib.crc32(raw, zlib.crc32(fh.read(header_size)))
    if crc != info.CRC:
        raise ValueError(f"member {name!r} is damaged (CRC-32 mismatch)")
    return array
