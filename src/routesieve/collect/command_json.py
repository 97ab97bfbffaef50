"""Running a router's CLI (``vtysh``, ``bgpctl``) and reading its JSON as it streams.

A full table printed as JSON is hundreds of megabytes; reading it whole and then parsing
it would hold the text and the parsed tree at once. :func:`stream_json` instead hands the
command's standard output, as a pipe, to a consumer that parses it incrementally (ijson
with its C backend, yajl), one route object at a time.

The command runs with a bounded total time: a timer kills it when ``timeout`` passes,
and the caller gets :class:`CommandError` saying so. A missing program, a command that
exits non-zero and output that stops being JSON are :class:`CommandError` too; the
first bytes of the output are kept (``head``) so that a short answer that is not the
expected table (FRR's ``{"warning": ...}``) can be read after the stream ends.
"""

from __future__ import annotations

import gc
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, TypeVar

import ijson

from routesieve.model import MAX_ASN, AsPath, ParseError, Segment, SegmentType

T = TypeVar("T")
HEAD = 64 * 1024
STDERR_SHOWN = 2000


class CommandError(Exception):
    """The command could not be run, timed out, failed, or did not print JSON."""


@dataclass(frozen=True, slots=True)
class Output:
    """What is left of the output once it is consumed: its first bytes (``head``),
    whether they are all of it (``whole``), and how many bytes there were."""

    head: bytes
    whole: bool
    size: int


class _HeadReader:
    """A read-only binary stream over a pipe that keeps its first ``HEAD`` bytes."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self._pipe = pipe
        self.head = bytearray()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._pipe.read(size)
        self.size += len(data)
        if len(self.head) < HEAD:
            self.head += data[: HEAD - len(self.head)]
        return data

    def drain(self) -> None:
        while self.read(1 << 16):
            pass


def stream_json(
    args: Sequence[str], consume: Callable[[_HeadReader], T], timeout: float
) -> tuple[T, Output]:
    """Run ``args``, give its standard output to ``consume`` (a binary stream, for ijson)
    and return what ``consume`` returned with the rest of the output read and counted."""
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(
                list(args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors
            )
        except FileNotFoundError:
            raise CommandError(f"{args[0]}: program not found") from None
        except OSError as exc:
            raise CommandError(f"{args[0]}: cannot run: {exc.strerror or exc}") from None
        expired = threading.Event()

        def kill() -> None:
            expired.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        assert proc.stdout is not None
        reader = _HeadReader(proc.stdout)
        command = " ".join(args)
        # the consumer makes hundreds of thousands of long-lived objects and no cycles:
        # the cyclic collector would only walk them again and again (as sync does)
        collecting = gc.isenabled()
        gc.disable()
        try:
            try:
                result = consume(reader)
                reader.drain()
            except ijson.JSONError as exc:
                if expired.is_set():
                    raise CommandError(f"{command}: timed out after {timeout:g} s") from None
                reader.drain()
                proc.wait()
                if proc.returncode:
                    raise CommandError(_failed(command, proc.returncode, errors)) from None
                raise CommandError(
                    f"{command}: output is not JSON near byte {reader.size}: {exc}"
                ) from None
            code = proc.wait()
        finally:
            if collecting:
                gc.enable()
            timer.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
        if expired.is_set():
            raise CommandError(f"{command}: timed out after {timeout:g} s")
        if code:
            raise CommandError(_failed(command, code, errors))
        whole = reader.size <= HEAD
        return result, Output(bytes(reader.head), whole, reader.size)


def _failed(command: str, code: int, errors: IO[bytes]) -> str:
    errors.seek(0)
    text = errors.read().decode("utf-8", "replace").strip()
    return f"{command}: exited {code}" + (f": {text[-STDERR_SHOWN:]}" if text else "")


def cached_path(paths: dict[str, AsPath], text: str) -> AsPath | str:
    """The AS path of a router's path text, parsed once per distinct text (a table
    repeats the same paths); the reason as text when it cannot be read."""
    path = paths.get(text)
    if path is None:
        words = text.split()
        if (
            text.isascii() and "".join(words).isdigit() and all(len(w) <= 10 for w in words)
        ):  # plain AS numbers: the fast way
            asns = tuple(map(int, words))
            if max(asns) <= MAX_ASN:
                path = paths[text] = AsPath((Segment(SegmentType.AS_SEQUENCE, asns),))
                return path
        try:
            path = paths[text] = AsPath.parse(text)
        except (ParseError, ValueError) as exc:
            return f"unreadable AS path {text!r}: {exc}"
    return path
