"""Evals, eval runs and their output items in SQLite; deleting an eval or a run cascades."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from emulator import jsontext
from emulator.db.database import Database, transaction
from emulator.db.paging import PageRequest
from emulator.resource.completions import UnknownCursor


@dataclass(frozen=True)
class EvalRecord:
    id: str
    created_at: int
    updated_at: int
    name: str
    metadata: dict[str, str]
    data_source_config: dict[str, Any]
    testing_criteria: list[dict[str, Any]]


@dataclass(frozen=True)
class RunRecord:
    id: str
    eval_id: str
    created_at: int
    canceled_at: float | None
    item_count: int
    body: dict[str, Any]  # name, model, metadata, data_source


@dataclass(frozen=True)
class ItemSummary:
    """What a run's counts need from one output item."""

    index: int
    passed: bool
    errored: bool
    grades: list[bool]
    usage: dict[str, list[int]]


@dataclass(frozen=True)
class ItemRecord:
    id: str
    index: int
    summary: ItemSummary
    body: dict[str, Any]


@dataclass(frozen=True)
class Page:
    items: list[Any]
    has_more: bool


_EVAL_COLUMNS = "id, created_at, updated_at, name, metadata, data_source_config, testing_criteria"
_RUN_COLUMNS = "id, eval_id, created_at, canceled_at, item_count, body"
_ITEM_COLUMNS = "id, item_index, status, errored, grades, usage, body"


def _eval(row: sqlite3.Row) -> EvalRecord:
    return EvalRecord(
        row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]), json.loads(row[6])
    )


def _run(row: sqlite3.Row) -> RunRecord:
    return RunRecord(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))


def _item(row: sqlite3.Row) -> ItemRecord:
    summary = ItemSummary(row[1], row[2] == "pass", bool(row[3]), json.loads(row[4]), json.loads(row[5]))
    return ItemRecord(row[0], row[1], summary, json.loads(row[6]))


def _keyset_page(
    conn: sqlite3.Connection,
    table: str,
    columns: str,
    where: Sequence[str],
    params: Sequence[Any],
    order_column: str,
    page: PageRequest,
    strict_cursor: bool,
    scope: tuple[str, Any] | None = None,
) -> list[sqlite3.Row] | None:
    """`page.limit + 1` rows in (order_column, seq) order after the `after` id, which must lie in
    `scope` (a clause and its parameter). An unknown cursor raises UnknownCursor when strict, else
    gives None (the caller answers an empty page)."""
    clauses, values = list(where), list(params)
    if page.after is not None:
        scope_sql, scope_params = (f" AND {scope[0]}", (scope[1],)) if scope else ("", ())
        cursor = conn.execute(
            f"SELECT {order_column}, seq FROM {table} WHERE id = ?{scope_sql}", (page.after, *scope_params)
        ).fetchone()
        if cursor is None:
            if strict_cursor:
                raise UnknownCursor(page.after)
            return None
        clauses.append(f"({order_column}, seq) {'>' if page.order == 'asc' else '<'} (?, ?)")
        values += [cursor[0], cursor[1]]
    direction = "ASC" if page.order == "asc" else "DESC"
    sql = (
        f"SELECT {columns} FROM {table}"
        + (" WHERE " + " AND ".join(clauses) if clauses else "")
        + f" ORDER BY {order_column} {direction}, seq {direction} LIMIT ?"
    )
    return conn.execute(sql, (*values, page.limit + 1)).fetchall()


def _paged(rows: list[sqlite3.Row] | None, limit: int, convert: Any) -> Page:
    if rows is None:
        return Page([], False)
    return Page([convert(r) for r in rows[:limit]], len(rows) > limit)


class EvalStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def insert_eval(self, record: EvalRecord) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO evals ({_EVAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.created_at,
                    record.updated_at,
                    record.name,
                    jsontext.compact(record.metadata),
                    jsontext.compact(record.data_source_config),
                    jsontext.compact(record.testing_criteria),
                ),
            )

        await self.db.run(write)

    async def get_eval(self, eval_id: str) -> EvalRecord | None:
        def read(conn: sqlite3.Connection) -> EvalRecord | None:
            row = conn.execute(f"SELECT {_EVAL_COLUMNS} FROM evals WHERE id = ?", (eval_id,)).fetchone()
            return _eval(row) if row else None

        return await self.db.run(read)

    async def list_evals(self, page: PageRequest, order_by: str, *, strict_cursor: bool) -> Page:
        column = {"created_at": "created_at", "updated_at": "updated_at"}[order_by]

        def read(conn: sqlite3.Connection) -> Page:
            rows = _keyset_page(conn, "evals", _EVAL_COLUMNS, (), (), column, page, strict_cursor)
            return _paged(rows, page.limit, _eval)

        return await self.db.run(read)

    async def update_eval(
        self, eval_id: str, name: str | None, metadata: Mapping[str, str] | None, updated_at: int
    ) -> EvalRecord | None:
        def write(conn: sqlite3.Connection) -> EvalRecord | None:
            conn.execute(
                "UPDATE evals SET name = coalesce(?, name), metadata = coalesce(?, metadata), "
                "updated_at = ? WHERE id = ?",
                (name, None if metadata is None else jsontext.compact(dict(metadata)), updated_at, eval_id),
            )
            row = conn.execute(f"SELECT {_EVAL_COLUMNS} FROM evals WHERE id = ?", (eval_id,)).fetchone()
            return _eval(row) if row else None

        return await self.db.run(write)

    async def delete_eval(self, eval_id: str) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM evals WHERE id = ?", (eval_id,)).rowcount > 0

        return await self.db.run(write)

    async def insert_run(self, run: RunRecord, items: Sequence[ItemRecord]) -> None:
        def write(conn: sqlite3.Connection) -> None:
            with transaction(conn):
                conn.execute(
                    f"INSERT INTO eval_runs ({_RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        run.id,
                        run.eval_id,
                        run.created_at,
                        run.canceled_at,
                        run.item_count,
                        jsontext.compact(run.body),
                    ),
                )
                conn.executemany(
                    f"INSERT INTO eval_run_output_items (run_id, {_ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            run.id,
                            item.id,
                            item.index,
                            "pass" if item.summary.passed else "fail",
                            int(item.summary.errored),
                            jsontext.compact(item.summary.grades),
                            jsontext.compact(item.summary.usage),
                            jsontext.compact(item.body),
                        )
                        for item in items
                    ],
                )

        await self.db.run(write)

    async def get_run(self, eval_id: str, run_id: str) -> RunRecord | None:
        def read(conn: sqlite3.Connection) -> RunRecord | None:
            row = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM eval_runs WHERE id = ? AND eval_id = ?", (run_id, eval_id)
            ).fetchone()
            return _run(row) if row else None

        return await self.db.run(read)

    async def list_runs(self, eval_id: str) -> list[RunRecord]:
        """Every run of the eval, oldest first: the status filter depends on the clock, so the caller
        filters and pages."""

        def read(conn: sqlite3.Connection) -> list[RunRecord]:
            rows = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM eval_runs WHERE eval_id = ? ORDER BY created_at, seq", (eval_id,)
            ).fetchall()
            return [_run(r) for r in rows]

        return await self.db.run(read)

    async def cancel_run(self, eval_id: str, run_id: str, at: float) -> RunRecord | None:
        """Record the cancel time once; a second cancel keeps the first."""

        def write(conn: sqlite3.Connection) -> RunRecord | None:
            conn.execute(
                "UPDATE eval_runs SET canceled_at = coalesce(canceled_at, ?) WHERE id = ? AND eval_id = ?",
                (at, run_id, eval_id),
            )
            row = conn.execute(
                f"SELECT {_RUN_COLUMNS} FROM eval_runs WHERE id = ? AND eval_id = ?", (run_id, eval_id)
            ).fetchone()
            return _run(row) if row else None

        return await self.db.run(write)

    async def delete_run(self, eval_id: str, run_id: str) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            return (
                conn.execute("DELETE FROM eval_runs WHERE id = ? AND eval_id = ?", (run_id, eval_id)).rowcount
                > 0
            )

        return await self.db.run(write)

    async def summaries(self, run_id: str, visible: int) -> list[ItemSummary]:
        """The first `visible` items of a run, for its counts."""

        def read(conn: sqlite3.Connection) -> list[ItemSummary]:
            rows = conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM eval_run_output_items WHERE run_id = ? AND item_index < ? "
                "ORDER BY item_index",
                (run_id, visible),
            ).fetchall()
            return [_item(r).summary for r in rows]

        return await self.db.run(read)

    async def list_items(
        self, run_id: str, visible: int, status: str | None, page: PageRequest, *, strict_cursor: bool
    ) -> Page:
        where = ["run_id = ?", "item_index < ?"] + (["status = ?"] if status else [])
        params: list[Any] = [run_id, visible] + ([status] if status else [])

        def read(conn: sqlite3.Connection) -> Page:
            rows = _keyset_page(
                conn,
                "eval_run_output_items",
                _ITEM_COLUMNS,
                where,
                params,
                "item_index",
                page,
                strict_cursor,
                scope=("run_id = ?", run_id),
            )
            return _paged(rows, page.limit, _item)

        return await self.db.run(read)

    async def get_item(self, run_id: str, item_id: str) -> ItemRecord | None:
        def read(conn: sqlite3.Connection) -> ItemRecord | None:
            row = conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM eval_run_output_items WHERE id = ? AND run_id = ?",
                (item_id, run_id),
            ).fetchone()
            return _item(row) if row else None

        return await self.db.run(read)
