"""A connection the emulator hangs up on, as an injected fault: no answer at all, or a body cut short."""

from __future__ import annotations


class ConnectionDropped(Exception):
    """Raised through the app instead of answering. A server closes the connection; an in-process client
    gets its HTTP library's own error for a peer that hung up (emulator/intercept.py).

    `status` and `headers` are set once a response had started, and `sent` holds the body bytes that went
    out before the cut."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.status: int | None = None
        self.headers: list[tuple[bytes, bytes]] = []
        self.sent = b""


class ClientTimedOut(ConnectionDropped):
    """An in-process request whose stall outlasts its client's read timeout: the client gives up first."""
