"""A client for the control socket of BIRD 2 (the socket ``birdc`` talks to).

BIRD answers a command with lines of text. A line starts with a four-digit code and a
``-`` when more lines follow, or a space when it is the last line of the reply; a line
that starts with a space continues the block of the previous code. ``0xxx`` codes end a
reply successfully (``0000 OK``), ``1xxx`` are table entries, ``2xxx`` table headings,
``8xxx`` run-time errors and ``9xxx`` parse errors (both end the reply). Lines starting
with ``+`` are asynchronous notices and are skipped. ``0001`` is the greeting sent on
connect.

Replies are read in large chunks and split into lines as they arrive, so an output of
millions of lines streams through a bounded buffer: a line longer than ``max_line``
bytes is cut (its cut is counted in :attr:`BirdClient.cut_lines`, with the line number)
rather than held whole.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from routesieve.collect.bird_lines import data_lines, longest_over, without_codes

DEFAULT_SOCKET = "/run/bird/bird.ctl"
MAX_LINE = 64 * 1024
_CHUNK = 1 << 20
_GATHER, _GATHER_WAIT = 256 << 10, 0.002  # bytes of a table read in one step, seconds


class BirdError(Exception):
    """The control socket could not be used or BIRD refused a command.

    ``socket`` is the path, ``code`` BIRD's reply code when BIRD answered (8xxx/9xxx).
    """

    def __init__(self, socket_path: str, message: str, code: int | None = None) -> None:
        self.socket = socket_path
        self.code = code
        self.message = message
        where = f"BIRD control socket {socket_path}"
        super().__init__(f"{where}: {message}" + (f" (reply code {code:04d})" if code else ""))


class BirdClient:
    """One connection to BIRD's control socket.

    Use as a context manager or call :meth:`connect` and :meth:`close`. ``timeout`` bounds
    every wait for data from BIRD (seconds), not the length of a whole reply: a table of
    a million routes may take longer to stream, as long as it keeps coming.
    """

    def __init__(
        self,
        path: str | Path = DEFAULT_SOCKET,
        timeout: float = 30.0,
        max_line: int = MAX_LINE,
    ) -> None:
        self.path = str(path)
        self.timeout = timeout
        self.max_line = max_line
        self.version = ""
        self.cut_lines: list[int] = []  # line numbers (in their reply) of lines cut short
        self._sock: socket.socket | None = None
        self._buf = b""

    # ---- connection ----

    def connect(self) -> BirdClient:
        if self._sock is not None:
            return self
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except OSError as exc:
            sock.close()
            raise BirdError(self.path, f"cannot connect: {exc.strerror or exc}") from None
        self._sock = sock
        self._buf = b""
        try:
            hello = [t for _, texts in self._reply("(greeting)") for t in texts]
        except BirdError:
            self.close()
            raise
        self.version = hello[-1].strip() if hello else ""
        return self

    def close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None
                self._buf = b""

    def __enter__(self) -> BirdClient:
        return self.connect()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- commands ----

    def lines(self, command: str) -> Iterator[tuple[int, str]]:
        """Send ``command`` and yield ``(code, text)`` for each line of the reply, as it
        arrives; continuation lines carry the code of their block. Raises
        :class:`BirdError` on an 8xxx/9xxx reply, a timeout or a lost connection.

        The reply must be read to its end before the next command (an abandoned
        iterator closes the connection, so the next command reconnects).
        """
        self._send(command)
        done = False
        try:
            for codes, texts in self._reply(command):
                yield from zip(codes, texts, strict=True)
            done = True
        finally:
            if not done:
                self.close()

    def command(self, command: str) -> list[tuple[int, str]]:
        """The whole reply of ``command`` as a list (for short outputs)."""
        return list(self.lines(command))

    def text(self, command: str) -> str:
        """The reply as ``birdc`` prints it: the text of each line, one per line."""
        return "\n".join(text for _, text in self.lines(command))

    # ---- reading ----

    def texts(self, command: str) -> Iterator[str]:
        """The text of the reply's lines (codes taken off), as pieces of whole lines that
        each end in a newline, as they arrive. Errors as :meth:`lines`."""
        for block in self.blocks(command):
            yield without_codes(block)

    def blocks(self, command: str) -> Iterator[bytes]:
        """The reply's data lines as they arrive, in blocks of whole lines, each line
        still with its code and dash (``1007-``) or its leading space: the text of a line
        is what follows (:func:`without_codes`). The fast way to read a table of millions
        of lines: the lines are checked a block at a time with numpy, and not copied
        again. Notices are left out; the last line of the reply comes as a continuation
        line when it has text. Errors as :meth:`lines`."""
        self._send(command)
        done = False
        try:
            yield from self._reply_blocks(command)
            done = True
        finally:
            if not done:
                self.close()

    def _send(self, command: str) -> None:
        if "\n" in command or "\r" in command:
            raise BirdError(self.path, f"a command is one line: {command!r}")
        self.connect()
        assert self._sock is not None
        self.cut_lines = []
        try:
            self._sock.sendall(command.encode() + b"\n")
        except OSError as exc:
            self.close()
            raise BirdError(self.path, f"cannot send {command!r}: {exc}") from None

    def _reply(self, command: str) -> Iterator[tuple[list[int], list[str]]]:
        """Batches of (codes, texts), one per chunk read."""
        buf = self._buf
        max_line = self.max_line
        code = 0
        lineno = 0
        cut = False  # dropping the tail of a line longer than max_line
        while True:
            end = buf.rfind(b"\n")
            rest = buf[end + 1 :]
            codes: list[int] = []
            texts: list[str] = []
            if end >= 0:
                lines = buf[:end].decode("utf-8", "replace").split("\n")
                for i, raw in enumerate(lines):
                    lineno += 1
                    if len(raw) > max_line:  # arrived whole in one chunk: cut it all the same
                        raw = raw[:max_line]
                        self.cut_lines.append(lineno)
                    first = raw[:1]
                    if first == " ":
                        codes.append(code)
                        texts.append(raw[1:])
                        continue
                    if first == "+":  # an asynchronous notice, not part of the reply
                        continue
                    code, sep = self._code(raw, lineno, command)
                    if sep == "-":
                        codes.append(code)
                        texts.append(raw[5:])
                        continue
                    # the last line of the reply: keep what follows for the next command
                    after = "\n".join(lines[i + 1 :]).encode()
                    self._buf = (after + b"\n" if i + 1 < len(lines) else b"") + rest
                    if code >= 8000:
                        raise BirdError(self.path, f"{command!r} failed: {raw[5:]}", code)
                    if raw[5:] or code >= 1000:
                        codes.append(code)
                        texts.append(raw[5:])
                    yield codes, texts
                    return
                yield codes, texts
            if len(rest) > self.max_line:
                self.cut_lines.append(lineno + 1)
                rest = rest[: self.max_line]
                cut = True
            buf = rest + self._recv(command, cut)
            cut = False

    def _reply_blocks(self, command: str) -> Iterator[bytes]:
        """Blocks of data lines with their codes, one or more per chunk read."""
        buf = self._buf
        max_line = self.max_line
        lineno = 0
        cut = False  # dropping the tail of a line longer than max_line
        while True:
            end = buf.rfind(b"\n")
            rest = buf[end + 1 :]
            if end >= 0:
                data = buf[: end + 1]
                # (a line of more characters has more bytes: most pieces need no decoding)
                if len(data) > max_line and longest_over(data, max_line):
                    text = data.decode("utf-8", "replace")
                    if len(text) > max_line:
                        data = self._cut_long_lines(text, lineno).encode()
                pos = seen = 0  # seen: the lines of ``data`` before ``pos``
                while True:
                    stop, count = data_lines(data, pos)
                    seen += count
                    if stop > pos:
                        yield data[pos:stop]
                    if stop == len(data):
                        break
                    eol = data.index(b"\n", stop)
                    raw = data[stop:eol].decode("utf-8", "replace")
                    pos = eol + 1
                    seen += 1
                    if raw[:1] == "+":  # an asynchronous notice, not part of the reply
                        continue
                    # the last line of the reply: keep what follows for the next command
                    code, _ = self._code(raw, lineno + seen, command)
                    self._buf = data[pos:] + rest
                    if code >= 8000:
                        raise BirdError(self.path, f"{command!r} failed: {raw[5:]}", code)
                    if raw[5:] or code >= 1000:
                        yield b" " + raw[5:].encode() + b"\n"
                    return
                lineno += seen
            if len(rest) > max_line:
                self.cut_lines.append(lineno + 1)
                rest = rest[:max_line]
                cut = True
            buf = rest + self._recv(command, cut, gather=True)
            cut = False

    def _cut_long_lines(self, text: str, lineno: int) -> str:
        """``text`` (whole lines) with every line longer than ``max_line`` cut to it, and
        their numbers (after ``lineno`` lines) in :attr:`cut_lines`. Steps over the text
        ``max_line`` characters at a time, so a text of short lines costs a few finds."""
        max_line = self.max_line
        pieces: list[str] = []
        pos = done = 0
        while len(text) - pos > max_line:
            nl = text.rfind("\n", pos, pos + max_line + 1)
            if nl >= 0:
                pos = nl + 1
                continue
            eol = text.index("\n", pos)
            self.cut_lines.append(lineno + text.count("\n", 0, pos) + 1)
            pieces.append(text[done : pos + max_line])
            pos = done = eol
        return "".join(pieces) + text[done:] if pieces else text

    def _code(self, raw: str, lineno: int, command: str) -> tuple[int, str]:
        """The code of a line that is not a continuation, and the character after it."""
        sep = raw[4:5]
        if not raw[:4].isdigit() or not raw[:4].isascii() or sep not in ("-", " ", ""):
            self.close()
            raise BirdError(
                self.path,
                f"line {lineno} of the reply to {command!r} is not BIRD's protocol: {raw[:80]!r}",
            )
        return int(raw[:4]), sep

    def _recv(self, command: str, cut: bool, gather: bool = False) -> bytes:
        """The next bytes from BIRD; with ``cut``, from the end of the current line; with
        ``gather``, with what BIRD writes right after them (:meth:`_gather`)."""
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(_CHUNK)
            except TimeoutError:
                self.close()
                raise BirdError(
                    self.path, f"no answer to {command!r} within {self.timeout:g} s"
                ) from None
            except OSError as exc:
                self.close()
                raise BirdError(self.path, f"reading the reply to {command!r}: {exc}") from None
            if not data:
                self.close()
                raise BirdError(self.path, f"connection closed during the reply to {command!r}")
            if cut:
                nl = data.find(b"\n")
                if nl < 0:
                    continue
                data = data[nl:]
            return self._gather(data) if gather else data

    def _gather(self, data: bytes) -> bytes:
        """``data`` and what BIRD writes within ``_GATHER_WAIT`` after it, up to
        ``_GATHER`` bytes: BIRD writes a table some kilobytes at a time, and each piece
        read is a step of numpy work. A failure here is left to the next read."""
        assert self._sock is not None
        pieces, size = [data], len(data)
        while size < _GATHER:
            try:
                if not select.select([self._sock], [], [], _GATHER_WAIT)[0]:
                    break
                more = self._sock.recv(_CHUNK - size)
            except OSError:
                break
            if not more:
                break
            pieces.append(more)
            size += len(more)
        return b"".join(pieces) if len(pieces) > 1 else data


def wait_for_socket(path: str | Path, timeout: float = 10.0) -> None:
    """Wait until BIRD answers on ``path`` (after starting it); BirdError when it does not."""
    deadline = time.monotonic() + timeout
    last: BirdError | None = None
    while time.monotonic() < deadline:
        try:
            with BirdClient(path, timeout=min(5.0, timeout)):
                return
        except BirdError as exc:
            last = exc
            time.sleep(0.1)
    raise last or BirdError(str(path), "not answering")
