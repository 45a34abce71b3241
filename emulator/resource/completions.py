"""Stored chat completions: one statement per write; triggers keep quota and metadata index in step."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator import jsontext
from emulator.db.database import Database, transaction
from emulator.db.group_commit import GroupCommit
from emulator.db.paging import PageRequest

QUOTA = "stored_completions"


class QuotaExceededError(Exception):
    def __init__(self, used: int, limit: int, needed: int) -> None:
        super().__init__("quota exceeded")
        self.used, self.limit, self.needed = used, limit, needed


class UnknownCursor(Exception):
    pass


class DuplicateCompletionId(Exception):
    def __init__(self, completion_id: str) -> None:
        super().__init__(completion_id)
        self.completion_id = completion_id


@dataclass(frozen=True)
class StoredCompletion:
    id: str
    created: int
    model: str
    metadata: str  # JSON object text
    record: str  # JSON object text of the response and echoed request fields, without metadata
    messages: str  # JSON array text of the input messages

    @classmethod
    def encode(
        cls,
        completion_id: str,
        created: int,
        model: str,
        metadata: Mapping[str, str],
        record: Mapping[str, Any],
        messages: list[Any],
    ) -> StoredCompletion:
        return cls(
            completion_id,
            created,
            model,
            jsontext.compact(dict(metadata)),
            jsontext.compact(record),
            jsontext.compact(messages),
        )

    def sizes(self) -> tuple[int, int]:
        """(bytes of the record and messages, bytes counted against the quota)."""
        content_bytes = _utf8_len(self.record) + _utf8_len(self.messages)
        return content_bytes, content_bytes + _utf8_len(self.metadata)

    def body(self) -> str:
        """The record with its metadata spliced in, without re-encoding the record."""
        return self.record[:-1] + ',"metadata":' + self.metadata + "}"


@dataclass(frozen=True)
class CompletionFilter:
    metadata: Mapping[str, str]
    model: str | None = None
    created_after: int | None = None  # inclusive
    created_before: int | None = None  # exclusive


@dataclass(frozen=True)
class CompletionPage:
    items: list[StoredCompletion]
    has_more: bool
    total: int | None


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


_COLUMNS = "c.id, c.created, c.model, c.metadata, c.record, c.messages"


def _row(row: sqlite3.Row) -> StoredCompletion:
    return StoredCompletion(row[0], row[1], row[2], row[3], row[4], row[5])


def _usage(conn: sqlite3.Connection) -> tuple[int, int]:
    row = conn.execute(
        "SELECT used_bytes, limit_bytes FROM storage_usage WHERE name = ?", (QUOTA,)
    ).fetchone()
    return int(row[0]), int(row[1])


def _insert(conn: sqlite3.Connection, stored: StoredCompletion) -> None:
    content_bytes, size = stored.sizes()
    try:
        conn.execute(
            "INSERT INTO stored_completions (id, created, model, metadata, record, messages, "
            "content_bytes, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stored.id,
                stored.created,
                stored.model,
                stored.metadata,
                stored.record,
                stored.messages,
                content_bytes,
                size,
            ),
        )
    except sqlite3.IntegrityError as exc:
        if "quota_exceeded" in str(exc):
            used, limit = _usage(conn)
            raise QuotaExceededError(used, limit, size) from None
        if "stored_completions.id" in str(exc):
            raise DuplicateCompletionId(stored.id) from None
        raise


def _kept_total(conn: sqlite3.Connection, where: CompletionFilter) -> int | None:
    """`total` from the running counts when the filter is one metadata pair or nothing, else None."""
    if where.model is not None or where.created_after is not None or where.created_before is not None:
        return None
    if not where.metadata:
        row = conn.execute("SELECT items FROM storage_usage WHERE name = ?", (QUOTA,)).fetchone()
        return int(row[0])
    if len(where.metadata) == 1:
        ((key, value),) = where.metadata.items()
        row = conn.execute(
            "SELECT n FROM stored_completion_metadata_counts WHERE key = ? AND value = ?", (key, value)
        ).fetchone()
        return int(row[0]) if row else 0
    return None


class CompletionStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Stored completions arrive with chat completions, many at once under load: one commit serves
        # all that arrive while the previous one is being written.
        self._inserts = GroupCommit(db, _insert)

    async def set_quota(self, limit_bytes: int) -> None:
        def apply(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE storage_usage SET limit_bytes = ? WHERE name = ?", (limit_bytes, QUOTA))

        await self.db.run(apply)

    async def usage(self) -> tuple[int, int]:
        """(bytes used, byte limit)."""
        return await self.db.run(_usage)

    async def insert(
        self,
        completion_id: str,
        created: int,
        model: str,
        metadata: Mapping[str, str],
        record: Mapping[str, Any],
        messages: list[Any],
    ) -> StoredCompletion:
        stored = StoredCompletion.encode(completion_id, created, model, metadata, record, messages)
        await self._inserts.write(stored)
        return stored

    async def import_completions(self, completions: list[StoredCompletion]) -> None:
        """Store completions made elsewhere, with their own ids and times: all of them or, when one
        would pass the quota or reuse an id, none (QuotaExceededError, DuplicateCompletionId)."""

        def write(conn: sqlite3.Connection) -> None:
            try:
                with transaction(conn):
                    for stored in completions:
                        _insert(conn, stored)
            except QuotaExceededError:
                # Report the whole batch against what is stored once the batch is rolled back.
                used, limit = _usage(conn)
                raise QuotaExceededError(used, limit, sum(c.sizes()[1] for c in completions)) from None

        await self.db.run(write)

    async def projected_size_fits(self, size: int) -> tuple[bool, int, int]:
        used, limit = await self.usage()
        return used + size <= limit, used, limit

    async def get(self, completion_id: str) -> StoredCompletion | None:
        def read(conn: sqlite3.Connection) -> StoredCompletion | None:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM stored_completions c WHERE c.id = ?", (completion_id,)
            ).fetchone()
            return _row(row) if row else None

        return await self.db.run(read)

    async def update_metadata(
        self, completion_id: str, patch: Mapping[str, str] | None, check: Callable[[dict[str, str]], None]
    ) -> StoredCompletion | None:
        """Merge `patch` into the metadata (None clears it), check the result, write it in one step."""

        def write(conn: sqlite3.Connection) -> StoredCompletion | None:
            row = conn.execute(
                "SELECT metadata, content_bytes FROM stored_completions WHERE id = ?", (completion_id,)
            ).fetchone()
            if row is None:
                return None
            merged: dict[str, str] = {} if patch is None else {**json.loads(row[0]), **patch}
            check(merged)
            text = jsontext.compact(merged)
            size = int(row[1]) + _utf8_len(text)
            try:
                conn.execute(
                    "UPDATE stored_completions SET metadata = ?, bytes = ? WHERE id = ?",
                    (text, size, completion_id),
                )
            except sqlite3.IntegrityError as exc:
                if "quota_exceeded" in str(exc):
                    used, limit = _usage(conn)
                    # What the update adds, not the completion's whole size.
                    raise QuotaExceededError(used, limit, size - int(row[1]) - _utf8_len(row[0])) from None
                raise
            found = conn.execute(
                f"SELECT {_COLUMNS} FROM stored_completions c WHERE c.id = ?", (completion_id,)
            ).fetchone()
            return _row(found)

        return await self.db.run(write)

    async def delete(self, completion_id: str) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM stored_completions WHERE id = ?", (completion_id,)).rowcount > 0

        return await self.db.run(write)

    async def list(
        self, where: CompletionFilter, page: PageRequest, *, with_total: bool, strict_cursor: bool
    ) -> CompletionPage:
        """Newest or oldest first by (created, insertion order); `after` continues past an id.

        An unknown `after` raises UnknownCursor when `strict_cursor`, else gives an empty page."""

        def read(conn: sqlite3.Connection) -> CompletionPage:
            pairs = sorted(where.metadata.items())
            params: list[Any] = []
            if pairs:
                key, value = pairs[0]
                source = "stored_completion_metadata m JOIN stored_completions c ON c.seq = m.seq"
                clauses = ["m.key = ?", "m.value = ?"]
                params += [key, value]
                order_cols = ("m.created", "m.seq")
            else:
                source = "stored_completions c"
                clauses = []
                order_cols = ("c.created", "c.seq")
            for key, value in pairs[1:]:
                clauses.append(
                    "EXISTS (SELECT 1 FROM stored_completion_metadata x WHERE x.key = ? AND "
                    f"x.value = ? AND x.created = {order_cols[0]} AND x.seq = {order_cols[1]})"
                )
                params += [key, value]
            if where.model is not None:
                clauses.append("c.model = ?")
                params.append(where.model)
            # On the indexed column of the source, so the metadata-only count below stays valid.
            if where.created_after is not None:
                clauses.append(f"{order_cols[0]} >= ?")
                params.append(where.created_after)
            if where.created_before is not None:
                clauses.append(f"{order_cols[0]} < ?")
                params.append(where.created_before)
            filter_clauses, filter_params = list(clauses), list(params)

            def count() -> int | None:
                """Every match, wherever the page starts."""
                if not with_total:
                    return None
                kept = _kept_total(conn, where)
                if kept is not None:
                    return kept
                # Without a model filter the metadata index alone counts the matches: joining each
                # one to its large completion row would cost a page read per match.
                counted = "stored_completion_metadata m" if pairs and where.model is None else source
                count_sql = f"SELECT count(*) FROM {counted}" + (
                    " WHERE " + " AND ".join(filter_clauses) if filter_clauses else ""
                )
                return int(conn.execute(count_sql, filter_params).fetchone()[0])

            if page.after is not None:
                cursor = conn.execute(
                    "SELECT created, seq FROM stored_completions WHERE id = ?", (page.after,)
                ).fetchone()
                if cursor is None:
                    if strict_cursor:
                        raise UnknownCursor(page.after)
                    return CompletionPage([], False, count())
                op = ">" if page.order == "asc" else "<"
                clauses.append(f"({order_cols[0]}, {order_cols[1]}) {op} (?, ?)")
                params += [cursor[0], cursor[1]]
            direction = "ASC" if page.order == "asc" else "DESC"
            sql = (
                f"SELECT {_COLUMNS} FROM {source}"
                + (" WHERE " + " AND ".join(clauses) if clauses else "")
                + f" ORDER BY {order_cols[0]} {direction}, {order_cols[1]} {direction} LIMIT ?"
            )
            rows = conn.execute(sql, (*params, page.limit + 1)).fetchall()
            items = [_row(r) for r in rows[: page.limit]]
            return CompletionPage(items, len(rows) > page.limit, count())

        return await self.db.run(read)

    async def count(self) -> int:
        def read(conn: sqlite3.Connection) -> int:
            return int(conn.execute("SELECT count(*) FROM stored_completions").fetchone()[0])

        return await self.db.run(read)
