"""What one RTR sync leaves: the cache's timers, a summary of the change, and the set of
announcements and withdrawals checked as they arrive and applied at End of Data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

#: The intervals a version 0 cache does not send (RFC 8210 §6 defaults), in seconds.
DEFAULT_TIMERS = (3600, 600, 7200)
TA = "rtr"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Timers:
    """The cache's refresh, retry and expire intervals in seconds (RFC 8210 §6)."""

    refresh: int
    retry: int
    expire: int


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one :meth:`RtrSession.reset` or :meth:`RtrSession.refresh` changed."""

    reset: bool  # a full set (Reset Query, or Cache Reset after a Serial Query)
    announced: int
    withdrawn: int
    session_id: int
    serial: int
    version: int


class Delta(Generic[T]):
    """Announcements and withdrawals against ``base``, checked as they arrive and applied
    all at once (RFC 8210 §5.6: no duplicate announcement, no unknown withdrawal)."""

    def __init__(self, base: set[T]) -> None:
        self.base = base
        self.added: set[T] = set()
        self.removed: set[T] = set()
        self.announced = 0
        self.withdrawn = 0

    def announce(self, item: T) -> bool:
        self.announced += 1
        if item in self.removed:
            self.removed.discard(item)
            return True
        if item in self.added or item in self.base:
            return False
        self.added.add(item)
        return True

    def withdraw(self, item: T) -> bool:
        self.withdrawn += 1
        if item in self.added:
            self.added.discard(item)
            return True
        if item in self.base and item not in self.removed:
            self.removed.add(item)
            return True
        return False

    @property
    def size(self) -> int:
        return len(self.base) + len(self.added) - len(self.removed)

    def apply(self) -> None:
        self.base -= self.removed
        self.base |= self.added
