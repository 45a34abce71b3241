"""The SQLite database: opened in the app's lifespan, one connection, one thread.

Every store call is one function run on the database thread (`Database.run`), so a request's reads
and writes cost one round trip and a write is atomic without any lock on the event loop side.
Stored completions that arrive together share one round trip and one commit (`group_commit`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import aiosqlite

from emulator.store import migrations

T = TypeVar("T")


class Database:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self.reopenings = 0  # how often the file had been opened before this time

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def open(self) -> None:
        conn = await aiosqlite.connect(self.path or ":memory:", isolation_level=None)
        self._conn = conn
        await self.run(_prepare, self.path is not None)
        self.reopenings = await self.run(_count_opening) if self.path else 0

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(connection, *args)` on the database thread, as one round trip."""
        if self._conn is None:
            raise RuntimeError("the database is not open (was the app's lifespan started?)")
        conn = self._conn
        # aiosqlite's own scheduling primitive: it queues `fn` on the connection's thread, behind any
        # statement already queued, which is what makes each store call atomic and ordered.
        return await conn._execute(fn, conn._conn, *args)


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
