"""Group commit: concurrent writes share round trips and commits, and each still stands or fails alone."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import openai
import pytest

from emulator.db.database import Database
from emulator.db.group_commit import GroupCommit
from emulator.testing import InProcessEmulator
from tests.surfaces import MODEL, async_client

T = TypeVar("T")
TIMEOUT = 30


def make_table(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE t (key TEXT PRIMARY KEY, value INTEGER NOT NULL CHECK (value >= 0))")


def put(conn: sqlite3.Connection, item: tuple[str, int]) -> None:
    conn.execute("INSERT INTO t (key, value) VALUES (?, ?)", item)


def put_then_fail_on_13(conn: sqlite3.Connection, item: tuple[str, int]) -> None:
    """A write that is not atomic on its own: its row is in before it fails."""
    put(conn, item)
    if item[1] == 13:
        raise ValueError("thirteen")


def rows(conn: sqlite3.Connection) -> dict[str, int]:
    return {key: value for key, value in conn.execute("SELECT key, value FROM t")}


async def with_database(test: Callable[[Database], Awaitable[T]], db: Database | None = None) -> T:
    db = db or Database(None)
    await db.open()
    try:
        await db.run(make_table)
        return await test(db)
    finally:
        await db.close()


class CountingDatabase(Database):
    """A database that counts its round trips."""

    trips = 0

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        self.trips += 1
        return await super().run(fn, *args)


def test_concurrent_writes_share_round_trips_and_each_stands_or_fails_alone() -> None:
    async def test(db: Database) -> tuple[list[Any], dict[str, int], int]:
        assert isinstance(db, CountingDatabase)
        commit = GroupCommit(db, put)
        before = db.trips
        items = [(f"k{i}", i) for i in range(40)]
        items[7] = ("k3", 7)  # a key already taken by an earlier write: fails alone
        items[20] = ("k20", -1)  # breaks the CHECK: fails alone
        outcomes = await asyncio.gather(*(commit.write(item) for item in items), return_exceptions=True)
        return outcomes, await db.run(rows), db.trips - before

    outcomes, stored, trips = asyncio.run(with_database(test, CountingDatabase(None)))
    failed = {i for i, outcome in enumerate(outcomes) if outcome is not None}
    assert failed == {7, 20}
    assert all(isinstance(outcomes[i], sqlite3.IntegrityError) for i in failed)
    assert stored == {f"k{i}": i for i in range(40) if i not in (7, 20)}
    # The first write goes alone; the rest, queued meanwhile, go together.
    assert trips < 5, trips


def test_a_write_that_fails_in_a_batch_leaves_nothing_behind() -> None:
    async def test(db: Database) -> tuple[list[Any], dict[str, int]]:
        commit = GroupCommit(db, put_then_fail_on_13)
        outcomes = await asyncio.gather(
            *(commit.write((f"k{i}", i)) for i in range(10, 17)), return_exceptions=True
        )
        return outcomes, await db.run(rows)

    outcomes, stored = asyncio.run(with_database(test))
    assert [type(o).__name__ for o in outcomes] == ["NoneType"] * 3 + ["ValueError"] + ["NoneType"] * 3
    assert stored == {f"k{i}": i for i in range(10, 17) if i != 13}


def test_a_failed_batch_is_reported_to_every_writer() -> None:
    async def main() -> list[Any]:
        db = Database(None)
        commit = GroupCommit(db, put)  # never opened: every round trip fails
        return await asyncio.gather(*(commit.write((f"k{i}", i)) for i in range(5)), return_exceptions=True)

    outcomes = asyncio.run(main())
    assert all(isinstance(o, RuntimeError) and "not open" in str(o) for o in outcomes), outcomes


def test_a_write_whose_caller_stopped_waiting_still_stands() -> None:
    async def test(db: Database) -> dict[str, int]:
        commit = GroupCommit(db, put)
        first = asyncio.ensure_future(commit.write(("first", 1)))
        abandoned = asyncio.ensure_future(commit.write(("abandoned", 2)))
        await asyncio.sleep(0)  # both are queued
        abandoned.cancel()
        await first
        await commit.write(("last", 3))
        return await db.run(rows)

    assert asyncio.run(with_database(test)) == {"first": 1, "abandoned": 2, "last": 3}


def test_writes_from_loops_in_two_threads_are_all_made() -> None:
    async def test(db: Database) -> dict[str, int]:
        commit = GroupCommit(db, put)

        def other_loop() -> None:
            async def writes() -> None:
                await asyncio.gather(*(commit.write((f"other{i}", i)) for i in range(20)))

            asyncio.run(writes())

        thread = threading.Thread(target=other_loop)
        thread.start()
        await asyncio.gather(*(commit.write((f"here{i}", i)) for i in range(20)))
        await asyncio.to_thread(thread.join, TIMEOUT)
        assert not thread.is_alive(), "the other loop's writes never finished"
        return await db.run(rows)

    stored = asyncio.run(with_database(test))
    assert stored == {**{f"here{i}": i for i in range(20)}, **{f"other{i}": i for i in range(20)}}


QUOTA = 12_000


@pytest.mark.parametrize("surface", ["azure", "openai"])
def test_concurrent_stores_near_the_quota_store_whole_completions_only(surface: str) -> None:
    """Stores that arrive together share a commit; those that would pass the quota are refused alone."""
    with InProcessEmulator(store_quota_bytes=QUOTA) as emulator:

        async def main() -> list[Any]:
            client = async_client(emulator, surface)

            async def store(i: int) -> Any:
                return await client.chat.completions.create(
                    model=MODEL,
                    messages=[{"role": "user", "content": f"Tell me fact number {i}."}],
                    store=True,
                    metadata={"i": str(i)},
                )

            return await asyncio.wait_for(
                asyncio.gather(*(store(i) for i in range(30)), return_exceptions=True), TIMEOUT
            )

        outcomes = asyncio.run(main())
        stored = [o for o in outcomes if not isinstance(o, BaseException)]
        refused = [o for o in outcomes if isinstance(o, BaseException)]
        assert stored and refused, "the quota should take some of the stores and refuse the rest"
        assert all(isinstance(o, openai.BadRequestError) for o in refused), refused
        assert {o.code for o in refused} == {"quotaExceeded" if surface == "azure" else "quota_exceeded"}

        def measure(conn: sqlite3.Connection) -> tuple[int, int, int, list[str]]:
            used = conn.execute("SELECT used_bytes FROM storage_usage").fetchone()[0]
            counted = conn.execute(
                "SELECT sum(length(CAST(record AS BLOB)) + length(CAST(messages AS BLOB)) "
                "+ length(CAST(metadata AS BLOB))) FROM stored_completions"
            ).fetchone()[0]
            indexed = conn.execute("SELECT count(*) FROM stored_completion_metadata").fetchone()[0]
            ids = [row[0] for row in conn.execute("SELECT id FROM stored_completions")]
            return used, counted, indexed, ids

        used, counted, indexed, ids = emulator.call(emulator.runtime.db.run, measure)
        assert sorted(ids) == sorted(o.id for o in stored)
        assert used == counted <= QUOTA
        assert indexed == len(stored)  # one metadata pair each, none left by a refused store
        listed = [c.id for c in emulator.openai_client().chat.completions.list(limit=100)]
        assert sorted(listed) == sorted(ids)
