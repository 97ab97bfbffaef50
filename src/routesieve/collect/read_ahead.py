"""Items of an iterator taken by a thread of its own, a bounded number ahead of the
reader: a socket goes on being read while what came before is worked on."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from queue import Full, Queue
from typing import TypeVar

AHEAD = 16  # items the reading thread may hold before they are taken
T = TypeVar("T", str, bytes)


def read_ahead(texts: Iterable[T], depth: int = AHEAD) -> Iterator[T]:
    """The items of ``texts``, taken by a thread of their own up to ``depth`` ahead (for
    BIRD's reply: BIRD goes on writing, and the socket is read, while the pieces before
    are read into columns; numpy and Arrow let other threads run). What ``texts`` raises is
    raised here; when the caller stops early, ``texts`` is closed (a reply of
    :meth:`BirdClient.texts` then closes its connection) before this returns."""
    queue: Queue[tuple[T | None, BaseException | None] | None] = Queue(depth)
    stop = threading.Event()

    def put(item: tuple[T | None, BaseException | None] | None) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def run() -> None:
        items = iter(texts)
        try:
            for text in items:
                if not put((text, None)):
                    break
            else:
                put(None)
        except BaseException as exc:  # handed to the caller's thread, raised there
            put((None, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=run, name="bird-reply", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not None:
            text, error = item
            if error is not None:
                raise error
            assert text is not None
            yield text
    finally:
        stop.set()
        thread.join()
