"""Deployments made through the API: one row each, read whole into the registry when the emulator starts."""

from __future__ import annotations

import json
import sqlite3

from emulator.db.database import Database
from emulator.resource.deployments import StoredDeployment

_COLUMNS = "name, model, version, scale_settings, settings, created_at, updated_at, started_at, ready_seconds"


def _row(row: sqlite3.Row | tuple[object, ...]) -> StoredDeployment:
    name, model, version, scale, settings, created, updated, started, ready = tuple(row)
    return StoredDeployment(
        str(name),
        str(model),
        str(version),
        json.loads(str(scale)),
        json.loads(str(settings)),
        int(str(created)),
        int(str(updated)),
        float(str(started)),
        float(str(ready)),
    )


class DeploymentStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def all(self) -> list[StoredDeployment]:
        def read(conn: sqlite3.Connection) -> list[StoredDeployment]:
            return [_row(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM deployments ORDER BY seq")]

        return await self.db.run(read)

    async def save(self, d: StoredDeployment) -> None:
        """Insert, or replace the row of the same name (an update)."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                f"INSERT INTO deployments ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET model = excluded.model, version = excluded.version, "
                "scale_settings = excluded.scale_settings, settings = excluded.settings, "
                "updated_at = excluded.updated_at, started_at = excluded.started_at, "
                "ready_seconds = excluded.ready_seconds",
                (
                    d.name,
                    d.model,
                    d.version,
                    json.dumps(d.scale_settings),
                    json.dumps(dict(d.settings)),
                    d.created_at,
                    d.updated_at,
                    d.started_at,
                    d.ready_seconds,
                ),
            )

        await self.db.run(write)

    async def delete(self, name: str) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM deployments WHERE name = ?", (name,))

        await self.db.run(write)
