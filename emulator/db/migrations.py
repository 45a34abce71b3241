"""Numbered schema migrations: `migrations/NNNN_name.sql`, applied in order, each recorded once."""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available() -> list[tuple[int, str, str]]:
    folder = resources.files("emulator.db") / "migrations"
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"two migrations share a number: {numbers}")
    return found


def migrate(conn: sqlite3.Connection) -> list[int]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL)"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    applied = []
    for number, name, sql in available():
        if number in done:
            continue
        # executescript commits first, so each migration is wrapped in its own BEGIN/COMMIT.
        conn.executescript(
            f"BEGIN IMMEDIATE;\n{sql}\nINSERT INTO schema_migrations(version, name) "
            f"VALUES ({number}, '{name}');\nCOMMIT;"
        )
        applied.append(number)
    return applied


@functools.cache
def _template() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    migrate(conn)
    return conn


_TEMPLATE_LOCK = threading.Lock()


def migrate_fresh(conn: sqlite3.Connection) -> None:
    """Give a new in-memory database the migrated schema by copying a template migrated once per process:
    a page copy instead of every migration's script, for the fresh database each test gets."""
    with _TEMPLATE_LOCK:
        _template().backup(conn)
