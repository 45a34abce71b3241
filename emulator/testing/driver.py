"""Where an in-process emulator's work runs: on the thread that asks for it.

Handing every request to the emulator's own event-loop thread costs two thread switches per request,
more than the request itself. So a request runs where it is made: an async call on the caller's event
loop, a sync call on an event loop of the calling thread's own, driven until its request is done. The
emulator's shared state is safe to use from several threads at once (ids, clock and scripts take a
lock; the database runs one statement at a time on its own thread; every check-then-write is one
transaction), so callers on different threads need not wait for each other.

One sync caller cannot run its request where it is: code inside a running event loop (a sync client
called from async code), whose thread cannot drive a second loop. Its request goes to the fallback loop,
the portal's, which runs in a thread of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import weakref
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

import anyio.from_thread

T = TypeVar("T")


class _ThreadLoop(threading.local):
    """One event loop per thread, reused by every emulator that thread calls."""

    loop: asyncio.AbstractEventLoop | None = None

    def get(self) -> asyncio.AbstractEventLoop:
        if self.loop is None or self.loop.is_closed():
            self.loop = asyncio.new_event_loop()
            # Closed with its thread, so a worker thread's loop is not left open behind it.
            weakref.finalize(threading.current_thread(), self.loop.close)
        return self.loop


_THREAD_LOOP = _ThreadLoop()
_PORTAL_LOOPS: weakref.WeakKeyDictionary[Any, asyncio.AbstractEventLoop] = weakref.WeakKeyDictionary()


def portal_loop(portal: anyio.from_thread.BlockingPortal) -> asyncio.AbstractEventLoop:
    """The event loop behind an anyio portal (asked once per portal: the plugin shares one per session)."""
    loop = _PORTAL_LOOPS.get(portal)
    if loop is None:
        loop = _PORTAL_LOOPS[portal] = portal.call(asyncio.get_running_loop)
    return loop


def run_here(coroutine: Coroutine[Any, Any, T], fallback: asyncio.AbstractEventLoop) -> T:
    """Run `coroutine` to its end from sync code: on this thread's loop, or on `fallback` when this thread
    is already running a loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _THREAD_LOOP.get().run_until_complete(coroutine)
    return asyncio.run_coroutine_threadsafe(coroutine, fallback).result()


class PortalThread:
    """An event loop on a daemon thread of its own, with a portal into it: for an in-process emulator that
    has no shared portal. anyio's `start_blocking_portal` stops its thread from a generator's `finally`,
    which at interpreter exit waits for a thread that no longer runs: an emulator never closed would hold
    the process forever. Here nothing runs at exit; `stop()` ends the loop and its thread."""

    def __init__(self) -> None:
        started: Future[anyio.from_thread.BlockingPortal] = Future()

        async def serve() -> None:
            async with anyio.from_thread.BlockingPortal() as portal:
                started.set_result(portal)
                await portal.sleep_until_stopped()

        def run() -> None:
            try:
                anyio.run(serve)
            except BaseException as failure:
                if not started.done():
                    started.set_exception(failure)

        self._thread = threading.Thread(target=run, name="aoai-emulator-loop", daemon=True)
        self._thread.start()
        self.portal = started.result()

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):  # already stopped
            self.portal.call(self.portal.stop)
        self._thread.join()
