"""The gate between requests and the emulator's state, so that a reset or a stop never pulls the state
from under a request.

Every request holds a shared lease while it runs, its response included (a stream reads the store as it
goes). A reset or a stop closes the gate: requests that arrive meanwhile wait for it to reopen, and the
reset waits for the leases already out to come back before it touches anything. Both waits are
bounded. A request that waited too long, or that arrives after the emulator stopped, is answered 503
with `Retry-After`, which the SDKs retry on their own; a reset whose requests did not finish in time is
refused the same way and changes nothing. Nobody meets a half-reset or closed state.

In-process requests run on several event loops and threads at once (emulator/testing/driver.py), so the gate
counts under a thread lock and wakes each waiter on its own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from emulator.errors import ApiError

# How long a reset waits for the requests in flight, and a request for a reset to end.
DRAIN_SECONDS = 5.0
WAIT_SECONDS = 10.0
RETRY_AFTER_SECONDS = 1

# Set while the current task holds a lease, so that a reset made by a request does not wait for itself.
_HOLDING: contextvars.ContextVar[bool] = contextvars.ContextVar("aoai_emulator_lease", default=False)


class Unavailable(ApiError):
    """503 with Retry-After: the emulator is resetting or stopping; the same request will work later."""

    status = 503
    openai_type = "server_error"
    openai_code = "service_unavailable"
    azure_code = "serviceUnavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message, headers={"retry-after": str(RETRY_AFTER_SECONDS)})


class _Signal:
    """Set once, from any thread; awaited from any event loop, with a timeout."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set = False
        self._waiters: list[asyncio.Future[None]] = []

    def set(self) -> None:
        with self._lock:
            self._set = True
            waiters, self._waiters = self._waiters, []
        for future in waiters:
            # A closed loop raises RuntimeError: nobody is waiting there any more.
            with contextlib.suppress(RuntimeError):
                future.get_loop().call_soon_threadsafe(_wake, future)

    async def wait(self, timeout: float) -> bool:
        """True once set; False if `timeout` seconds pass first."""
        future = asyncio.get_running_loop().create_future()
        with self._lock:
            if self._set:
                return True
            self._waiters.append(future)
        try:
            await asyncio.wait_for(future, max(0.0, timeout))
        except asyncio.TimeoutError:
            return False
        finally:
            with self._lock:
                if future in self._waiters:
                    self._waiters.remove(future)
        return True


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Gate:
    def __init__(self, drain_seconds: float = DRAIN_SECONDS, wait_seconds: float = WAIT_SECONDS) -> None:
        self.drain_seconds = drain_seconds
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._active = 0
        self._stopped = False
        self._reopened: _Signal | None = None  # while closed: set when the gate opens again
        self._drained: _Signal | None = None  # while closed: set when the last lease comes back
        # Set by the server: true once it was told to exit (SIGTERM), before it stops taking requests.
        self.exit_requested: Callable[[], bool] = lambda: False

    @property
    def in_flight(self) -> int:
        """Leases held right now."""
        return self._active

    @property
    def winding_down(self) -> bool:
        """The process is about to stop: responses should close their connections."""
        return self.exit_requested()

    @property
    def closing(self) -> bool:
        """A reset or stop is waiting or running, or soon will be: long-lived responses may end early."""
        return self._reopened is not None or self._stopped or self.exit_requested()

    async def enter(self) -> None:
        """Take a lease, waiting out a reset; raises Unavailable after a stop or a long wait."""
        deadline: float | None = None
        while True:
            with self._lock:
                if self._stopped:
                    raise Unavailable("The emulator is shutting down.")
                reopened = self._reopened
                if reopened is None:
                    self._active += 1
                    _HOLDING.set(True)
                    return
            deadline = deadline or time.monotonic() + self.wait_seconds
            if not await reopened.wait(deadline - time.monotonic()):
                raise Unavailable("The emulator is being reset; retry in a moment.")

    def leave(self) -> None:
        _HOLDING.set(False)
        with self._lock:
            self._active -= 1
            drained = self._drained if self._active == 0 else None
        if drained is not None:
            drained.set()

    @asynccontextmanager
    async def closed(self, *, stopping: bool = False) -> AsyncIterator[None]:
        """Run the body with no request in flight and none let in; after a stop the gate stays shut.

        A reset that cannot drain in time raises Unavailable before its body runs. A stop goes ahead
        regardless: the process is going away, and what is still running is cut short."""
        own_lease = _HOLDING.get()
        deadline = time.monotonic() + self.wait_seconds
        while True:
            with self._lock:
                if self._stopped:
                    raise Unavailable("The emulator is shutting down.")
                other = self._reopened
                if other is None:
                    reopened = self._reopened = _Signal()
                    drained = self._drained = _Signal()
                    if own_lease:
                        self._active -= 1
                    idle = self._active == 0
                    break
            if not await other.wait(deadline - time.monotonic()):
                raise Unavailable("Another reset is still running; retry in a moment.")
        try:
            if idle:
                drained.set()
            if not await drained.wait(self.drain_seconds) and not stopping:
                raise Unavailable(
                    f"The emulator could not reset: requests still running after {self.drain_seconds:g} s "
                    "(an open stream or upload?). Nothing was reset; retry once they end."
                )
            yield
        finally:
            with self._lock:
                self._reopened = self._drained = None
                if own_lease:
                    self._active += 1
                if stopping:  # even a stop that failed half-way: what it closed must not be served
                    self._stopped = True
            reopened.set()

    def reopen(self) -> None:
        """Let requests in again after a stop (an app whose lifespan starts a second time)."""
        with self._lock:
            self._stopped = False
