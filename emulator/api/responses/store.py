"""Stored responses: one row each, read only until they expire; the quota is kept by triggers."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from emulator.db.database import Database
from emulator.db.group_commit import GroupCommit
from emulator.resource.completions import QUOTA, QuotaExceededError

RETENTION_SECONDS = 30 * 24 * 3600  # the service keeps a stored response for 30 days


@dataclass(frozen=True)
class StoredResponse:
    id: str
    created: int
    background: bool
    started_at: float  # a background response leaves the queue then
    finished_at: float  # and its answer is whole then
    cancelled_at: float | None
    record: str  # JSON text of the finished response
    input_items: str  # JSON array text of the input item resources
    context: str  # JSON array text of the conversation through this response, as model messages

    def size(self) -> int:
        return sum(len(text.encode("utf-8")) for text in (self.record, self.input_items, self.context))

    def status_at(self, now: float, finished_status: str) -> str:
        if self.cancelled_at is not None:
            return "cancelled"
        if now < self.started_at:
            return "queued"
        if now < self.finished_at:
            return "in_progress"
        return finished_status


_COLUMNS = "id, created, background, started_at, finished_at, cancelled_at, record, input_items, context"


def _row(row: sqlite3.Row) -> StoredResponse:
    return StoredResponse(row[0], row[1], bool(row[2]), row[3], row[4], row[5], row[6], row[7], row[8])


def _forget_expired(conn: sqlite3.Connection, now: float) -> None:
    conn.execute("DELETE FROM stored_responses WHERE expires_at <= ?", (now,))


def _get(conn: sqlite3.Connection, response_id: str, now: float) -> StoredResponse | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM stored_responses WHERE id = ? AND expires_at > ?", (response_id, now)
    ).fetchone()
    return _row(row) if row else None


def _insert(conn: sqlite3.Connection, stored: StoredResponse) -> None:
    """Expired responses are forgotten first, so that they free their bytes of the quota."""
    _forget_expired(conn, stored.created)
    size = stored.size()
    try:
        conn.execute(
            f"INSERT INTO stored_responses ({_COLUMNS}, expires_at, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stored.id,
                stored.created,
                int(stored.background),
                stored.started_at,
                stored.finished_at,
                stored.cancelled_at,
                stored.record,
                stored.input_items,
                stored.context,
                stored.created + RETENTION_SECONDS,
                size,
            ),
        )
    except sqlite3.IntegrityError as exc:
        if "quota_exceeded" not in str(exc):
            raise
        row = conn.execute(
            "SELECT used_bytes, limit_bytes FROM storage_usage WHERE name = ?", (QUOTA,)
        ).fetchone()
        raise QuotaExceededError(int(row[0]), int(row[1]), size) from None


class ResponseStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Responses arrive many at once under load, as stored completions do: one commit serves all that
        # arrive while the previous one is being written.
        self._inserts = GroupCommit(db, _insert)

    async def insert(self, stored: StoredResponse) -> None:
        """Raises QuotaExceededError when the store quota cannot hold it."""
        await self._inserts.write(stored)

    async def get(self, response_id: str, now: float) -> StoredResponse | None:
        return await self.db.run(_get, response_id, now)

    async def delete(self, response_id: str, now: float) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "DELETE FROM stored_responses WHERE id = ? AND expires_at > ?", (response_id, now)
            )
            return cursor.rowcount > 0

        return await self.db.run(write)

    async def cancel(self, response_id: str, now: float) -> StoredResponse | None:
        """Stop a background response that has not finished; the response as it then stands."""

        def write(conn: sqlite3.Connection) -> StoredResponse | None:
            conn.execute(
                "UPDATE stored_responses SET cancelled_at = ? WHERE id = ? AND background = 1 AND "
                "cancelled_at IS NULL AND finished_at > ? AND expires_at > ?",
                (now, response_id, now, now),
            )
            return _get(conn, response_id, now)

        return await self.db.run(write)
