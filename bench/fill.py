"""Fill a database file with stored completions fast: one real completion, cloned in one transaction.

The first completion is created through the emulator over HTTP, so every clone carries a real stored
record. Clones go into the emulator's own schema with one executemany; the schema's triggers keep the
metadata index and the byte total in step exactly as they do for the emulator's own inserts.
"""

from __future__ import annotations

import json
import sqlite3
import urllib.request
from collections.abc import Iterator

from bench import servers, workload

_INSERT = (
    "INSERT INTO stored_completions (id, created, model, metadata, record, messages, content_bytes, bytes) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _seed_one(db_path: str) -> None:
    with servers.emulator(db_path) as server:
        request = urllib.request.Request(
            server.url + workload.CREATE_PATH,
            data=workload.create_body(0),
            headers=workload.HEADERS,
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()


def _clones(template: sqlite3.Row, start: int, stop: int) -> Iterator[tuple[object, ...]]:
    for index in range(start, stop):
        new_id = f"chatcmpl-bench{index:024d}"
        metadata = json.dumps(workload.metadata_for(index), separators=(",", ":"))
        yield (
            new_id,
            template["created"] + index,
            template["model"],
            metadata,
            template["record"].replace(template["id"], new_id),
            template["messages"],
            template["content_bytes"],
            template["content_bytes"] + len(metadata.encode()),
        )


def grow(db_path: str, total: int) -> None:
    """Bring the stored completions in `db_path` up to `total`, newest last."""
    conn = sqlite3.connect(db_path)
    try:
        conn.row_factory = sqlite3.Row
        if (
            conn.execute("SELECT name FROM sqlite_master WHERE name = 'stored_completions'").fetchone()
            is None
        ):
            conn.close()
            _seed_one(db_path)
            conn = sqlite3.connect(db_path)
            conn.row_factory = sqlite3.Row
        # The file is the bench's own and thrown away after the run: no journal while filling (the
        # emulator turns WAL back on when it opens the file).
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        template = conn.execute("SELECT * FROM stored_completions ORDER BY seq LIMIT 1").fetchone()
        have = int(conn.execute("SELECT count(*) FROM stored_completions").fetchone()[0])
        with conn:
            conn.executemany(_INSERT, _clones(template, have, total))
    finally:
        conn.close()
