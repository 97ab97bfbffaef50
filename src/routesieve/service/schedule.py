"""Jittered timers on the monotonic clock."""

from __future__ import annotations

import random
import time


class Every:
    """Due every ``seconds``, each wait lengthened by up to ``jitter`` of it at random."""

    def __init__(self, seconds: float, jitter: float = 0.0, due_now: bool = False) -> None:
        self.seconds, self.jitter = seconds, jitter
        self.next = time.monotonic() if due_now else self._after(time.monotonic())

    def _after(self, now: float) -> float:
        return now + self.seconds * (1 + random.uniform(0, self.jitter))

    def due(self, now: float) -> bool:
        if now < self.next:
            return False
        self.next = self._after(now)
        return True

    def wait(self, now: float) -> float:
        return max(0.0, self.next - now)
