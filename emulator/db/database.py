"""The SQLite database: opened in the app's lifespan, one connection, one thread.

Every store call is one function run on the database thread (`Database.run`), so a request's reads
and writes cost one round trip and a write is atomic without any lock on the event loop side.
Stored completions that arrive together share one round trip and one commit (`group_commit`).
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from queue import SimpleQueue
from typing import Concatenate, ParamSpec, TypeVar

from emulator.db import migrations

T = TypeVar("T")
V = TypeVar("V")
P = ParamSpec("P")


class Database:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._thread: DatabaseThread | None = None
        self.reopenings = 0  # how often the file had been opened before this time

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def open(self) -> None:
        thread = DatabaseThread()
        try:
            conn = await thread.call(sqlite3.connect, self.path or ":memory:", isolation_level=None)
        except BaseException:
            thread.stop()
            raise
        self._thread, self._conn = thread, conn
        await self.run(_prepare, self.path is not None)
        self.reopenings = await self.run(_count_opening) if self.path else 0

    async def close(self) -> None:
        if self._conn is None or self._thread is None:
            return
        conn, self._conn = self._conn, None
        thread, self._thread = self._thread, None
        try:
            # Queued behind every call already made: they finish against the open connection.
            await thread.call(conn.close)
        finally:
            thread.stop()

    async def run(
        self, fn: Callable[Concatenate[sqlite3.Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `fn(connection, *args, **kwargs)` on the database thread, as one round trip."""
        if self._conn is None or self._thread is None:
            raise RuntimeError("the database is not open (was the app's lifespan started?)")
        return await self._thread.call(fn, self._conn, *args, **kwargs)


class DatabaseThread:
    """The connection's own thread: it runs calls one at a time, in the order they were made, so each
    store call runs whole, after every call made before it. A caller that stops waiting does not take
    its call back: once made, a store call runs, as a statement sent to a database server would.

    A queue and a thread rather than a ThreadPoolExecutor: the executor's bookkeeping per call (a
    concurrent Future, its locks and callbacks) measured ~10 µs, as much again as the round trip itself."""

    def __init__(self) -> None:
        self._calls: SimpleQueue[Callable[[], None] | None] = SimpleQueue()
        # A daemon, so that an emulator left open does not keep its process from exiting.
        self._thread = threading.Thread(target=self._work, name="aoai-emulator-db", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (call := self._calls.get()) is not None:
            call()

    async def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """`fn(*args, **kwargs)` on this thread, awaited on the running event loop."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()

        def call() -> None:
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                _report(loop, _fail, done, exc)
            else:
                _report(loop, _succeed, done, result)

        self._calls.put(call)
        return await done

    def stop(self) -> None:
        """End the thread once the calls queued before this one have run."""
        self._calls.put(None)


def _report(
    loop: asyncio.AbstractEventLoop,
    settle: Callable[[asyncio.Future[T], V], None],
    done: asyncio.Future[T],
    outcome: V,
) -> None:
    """Hand a call's outcome to the loop that waits for it."""
    with suppress(RuntimeError):  # that loop closed meanwhile: nobody is left to tell
        loop.call_soon_threadsafe(settle, done, outcome)


def _succeed(done: asyncio.Future[T], result: T) -> None:
    if not done.done():  # its caller was cancelled
        done.set_result(result)


def _fail(done: asyncio.Future[T], exc: BaseException) -> None:
    if not done.done():
        done.set_exception(exc)


def _prepare(conn: sqlite3.Connection, on_disk: bool) -> None:
    """Settings and schema in one round trip: a fresh in-memory database per test pays for each trip."""
    _configure(conn, on_disk)
    if on_disk:
        migrations.migrate(conn)
    else:
        migrations.migrate_fresh(conn)


def _configure(conn: sqlite3.Connection, on_disk: bool) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    if on_disk:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA busy_timeout = 5000")


def _count_opening(conn: sqlite3.Connection) -> int:
    """Openings of this file before this one, counted in SQLite's spare `user_version` header field."""
    before = int(conn.execute("PRAGMA user_version").fetchone()[0])
    conn.execute(f"PRAGMA user_version = {before + 1}")
    return before


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back whole on any error: nothing is ever half-written."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
