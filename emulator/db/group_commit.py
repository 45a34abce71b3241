"""Group commit: writes that arrive while the database thread is busy are done together.

On its own each write is one round trip to the database thread and one transaction, whose commit
copies every page it touched into the WAL. Under concurrent load those pages are mostly the same ones
(the newest leaf of each index, the running totals), so the writes queued while one batch commits
make up the next batch: one round trip and one commit for all of them.

Each write still stands alone. It runs inside its own savepoint, so one that fails is undone without
touching the others, and its caller hears its own outcome only once the commit holding it is done.
A failure of the batch as a whole (the database closed, a disk error) rolls back all of it and is
reported to every caller in it: nothing is ever half-written.

Writes are gathered per event loop. The in-process driver serves requests from several loops and
threads at once, and a loop may block on a call served by another: a batch that waited on one loop
while holding another loop's write could wait forever.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import weakref
from collections.abc import Callable
from typing import Generic, TypeVar

from emulator.db.database import Database, transaction

T = TypeVar("T")
Write = Callable[[sqlite3.Connection, T], None]


class GroupCommit(Generic[T]):
    """Writes of one kind, each made by `write_one(connection, item)`, which must be atomic on its own
    (as a single statement is): a batch of one runs exactly as the write would alone."""

    def __init__(self, db: Database, write_one: Write[T]) -> None:
        self._db = db
        self._write_one = write_one
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue[T]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    async def write(self, item: T) -> None:
        """Write `item` with `write_one`; raises what `write_one` raised for it."""
        loop = asyncio.get_running_loop()
        queue = self._queues.get(loop)
        if queue is None:
            with self._lock:
                queue = self._queues.setdefault(loop, _Queue(self._db, self._write_one))
        await queue.write(item, loop)


class _Queue(Generic[T]):
    """One event loop's writes: touched only from that loop's thread."""

    def __init__(self, db: Database, write_one: Write[T]) -> None:
        self._db = db
        self._write_one = write_one
        self._pending: list[tuple[T, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(self, item: T, loop: asyncio.AbstractEventLoop) -> None:
        future: asyncio.Future[None] = loop.create_future()
        self._pending.append((item, future))
        if self._flusher is None:
            self._flusher = loop.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    outcomes = await self._db.run(_write_all, self._write_one, [item for item, _ in batch])
                except asyncio.CancelledError:
                    for _, future in batch:
                        future.cancel()
                    raise
                except Exception as exc:
                    outcomes = [exc] * len(batch)
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():  # its caller stopped waiting; the write stands all the same
                        continue
                    if outcome is None:
                        future.set_result(None)
                    else:
                        future.set_exception(outcome)
        finally:
            self._flusher = None
            for _, future in self._pending:  # left only when cancelled: nobody will write them
                future.cancel()
            self._pending = []


def _write_all(conn: sqlite3.Connection, write_one: Write[T], items: list[T]) -> list[Exception | None]:
    if len(items) == 1:
        try:
            write_one(conn, items[0])
        except Exception as exc:
            return [exc]
        return [None]
    with transaction(conn):
        return [_write_in_savepoint(conn, write_one, item) for item in items]


def _write_in_savepoint(conn: sqlite3.Connection, write_one: Write[T], item: T) -> Exception | None:
    conn.execute("SAVEPOINT one_write")
    try:
        write_one(conn, item)
    except Exception as exc:
        conn.execute("ROLLBACK TO one_write")
        conn.execute("RELEASE one_write")
        return exc
    conn.execute("RELEASE one_write")
    return None
