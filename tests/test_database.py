"""The database thread: each store call runs whole, in the order made, even when its caller stops waiting."""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from emulator.db.database import Database


def make_table(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE t (n INTEGER NOT NULL)")


def put(conn: sqlite3.Connection, n: int) -> None:
    conn.execute("INSERT INTO t (n) VALUES (?)", (n,))


def numbers(conn: sqlite3.Connection) -> list[int]:
    return [n for (n,) in conn.execute("SELECT n FROM t ORDER BY rowid")]


def database_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "aoai-emulator-db"]


def test_calls_run_in_the_order_made_and_a_cancelled_one_still_runs() -> None:
    async def main() -> list[int]:
        db = Database(None)
        await db.open()
        try:
            await db.run(make_table)
            calls = [asyncio.ensure_future(db.run(put, n)) for n in range(20)]
            await asyncio.sleep(0)  # every call is queued
            calls[5].cancel()
            await asyncio.gather(*calls[6:])
            return await db.run(numbers)
        finally:
            await db.close()

    assert asyncio.run(main()) == list(range(20))


def test_an_error_reaches_its_caller_and_the_thread_serves_on() -> None:
    def fail(conn: sqlite3.Connection) -> None:
        conn.execute("SELECT * FROM missing")

    async def main() -> list[int]:
        db = Database(None)
        await db.open()
        try:
            await db.run(make_table)
            with pytest.raises(sqlite3.OperationalError, match="no such table: missing"):
                await db.run(fail)
            await db.run(put, 1)
            return await db.run(numbers)
        finally:
            await db.close()

    assert asyncio.run(main()) == [1]


def test_close_lets_queued_calls_finish_then_ends_the_thread() -> None:
    before = set(database_threads())

    async def main() -> tuple[Database, list[int]]:
        db = Database(None)
        await db.open()
        await db.run(make_table)
        writes = [asyncio.ensure_future(db.run(put, n)) for n in range(3)]
        read = asyncio.ensure_future(db.run(numbers))
        await asyncio.sleep(0)
        await db.close()
        await asyncio.gather(*writes)
        return db, await read

    db, seen = asyncio.run(main())
    assert seen == [0, 1, 2]
    assert not db.is_open
    for thread in set(database_threads()) - before:
        thread.join(timeout=10)
        assert not thread.is_alive()
    with pytest.raises(RuntimeError, match="not open"):
        asyncio.run(db.run(numbers))


def test_a_database_that_cannot_open_leaves_no_thread_behind() -> None:
    before = set(database_threads())
    db = Database("/nonexistent-folder/aoai-emulator.sqlite3")
    with pytest.raises(sqlite3.OperationalError):
        asyncio.run(db.open())
    assert not db.is_open
    for thread in set(database_threads()) - before:
        thread.join(timeout=10)
        assert not thread.is_alive()
