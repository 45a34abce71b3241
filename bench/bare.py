"""The stack's own limit: bare Starlette + aiosqlite endpoints doing the least work each figure needs.

Served by uvicorn exactly as the emulator is (one worker, no access log, the same loop and HTTP
implementation), on the SQLite file named by BENCH_BARE_DB, configured as the emulator configures
its own file (WAL, synchronous=NORMAL, autocommit).

- POST /insert parses the JSON body and inserts it as one row: what storing a completion costs
  before any emulation.
- GET /list?key=K&value=V runs the indexed query for the 20 newest stored completions whose
  metadata has K=V, over the emulator's own schema and data, and returns their records: the query
  the filtered list cannot do without. It does not count the matches; the emulator's Azure list
  answers `total` as well, and what that costs shows in its figures.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAGE_SQL = (
    "SELECT c.record FROM stored_completion_metadata m JOIN stored_completions c ON c.seq = m.seq "
    "WHERE m.key = ? AND m.value = ? ORDER BY m.created DESC, m.seq DESC LIMIT 20"
)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    db = await aiosqlite.connect(os.environ["BENCH_BARE_DB"], isolation_level=None)
    await db.execute("PRAGMA journal_mode = WAL")
    await db.execute("PRAGMA synchronous = NORMAL")
    await db.execute("CREATE TABLE IF NOT EXISTS bare_rows (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    app.state.db = db
    try:
        yield
    finally:
        await db.close()


async def health(request: Request) -> Response:
    return Response('{"status":"ok"}', media_type="application/json")


async def insert(request: Request) -> Response:
    body = await request.body()
    json.loads(body)
    cursor = await request.app.state.db.execute("INSERT INTO bare_rows (body) VALUES (?)", (body,))
    return Response(f'{{"seq":{cursor.lastrowid}}}', media_type="application/json")


async def listing(request: Request) -> Response:
    key, value = request.query_params["key"], request.query_params["value"]
    db: aiosqlite.Connection = request.app.state.db
    rows = await db.execute_fetchall(PAGE_SQL, (key, value))
    text = '{"data":[' + ",".join(row[0] for row in rows) + "]}"
    return Response(text, media_type="application/json")


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/insert", insert, methods=["POST"]),
        Route("/list", listing),
    ],
    lifespan=lifespan,
)
