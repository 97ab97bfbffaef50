"""The one exception of the RTR client (its own module: the transports raise it too)."""

from __future__ import annotations


class RtrError(Exception):
    """An RTR exchange that failed: unreachable, closed, timed out, refused or malformed.

    ``code`` is the RTR error code when the cache sent an Error Report or the router would
    send one (a malformed PDU), else None.
    """

    def __init__(self, server: str, message: str, code: int | None = None) -> None:
        self.server = server
        self.message = message
        self.code = code
        super().__init__(f"RTR server {server}: {message}")
