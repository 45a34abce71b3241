"""Files: metadata rows in SQLite, content on disk in the emulator's own directory.

Content is written to a partial file first (`Upload`), checked, then renamed to the file's id in the
same step that inserts its row, so a row always has complete content and an abandoned upload leaves
nothing behind. The directory lives next to a file database (and so survives a restart) or in a
temporary directory for an in-memory one (removed when the emulator stops).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import anyio.to_thread

from emulator.clock import Clock
from emulator.db.database import Database
from emulator.db.paging import PageRequest
from emulator.ids import IdFactory
from emulator.resource.filecheck import FileCheck, check_file

FINE_TUNE = "fine-tune"


@dataclass(frozen=True)
class StoredFile:
    id: str
    filename: str
    purpose: str
    bytes: int
    created_at: int
    status: str  # 'processed' | 'error'
    status_details: str | None
    expires_at: int | None
    statistics: dict[str, int] | None  # {"tokens", "examples"} for validated fine-tune files
    examples: int | None  # JSONL examples of a fine-tune file, else None
    closed: bool = False  # content that may not be downloaded (distillation data)


@dataclass(frozen=True)
class FilePage:
    items: list[StoredFile]
    has_more: bool


class UnknownCursor(Exception):
    pass


_COLUMNS = (
    "id, filename, purpose, bytes, created_at, status, status_details, expires_at, tokens, examples, closed"
)


def _row(row: sqlite3.Row) -> StoredFile:
    tokens, examples = row[8], row[9]
    statistics = None if tokens is None else {"tokens": int(tokens), "examples": int(examples)}
    return StoredFile(
        row[0],
        row[1],
        row[2],
        int(row[3]),
        int(row[4]),
        row[5],
        row[6],
        row[7],
        statistics,
        examples,
        bool(row[10]),
    )


def files_dir_for(db_path: str | None) -> str | None:
    """Where a file database keeps its files' content; None: a temporary directory."""
    return None if db_path is None else db_path + ".files"


class Upload:
    """Content being received: bytes appended to a partial file, counted against a cap."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.size = 0
        self.too_large = False
        self._handle: BinaryIO | None = open(path, "wb")  # noqa: SIM115 - closed in finish/discard

    def write(self, chunk: bytes) -> None:
        """Append `chunk`; past the cap, stop writing (the rest is only counted) and mark too large."""
        self.size += len(chunk)
        if self.too_large or self._handle is None:
            return
        if self.size > self.max_bytes:
            self.too_large = True
            self._close()
            self.path.unlink(missing_ok=True)
            return
        self._handle.write(chunk)

    def _close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def discard(self) -> None:
        self._close()
        self.path.unlink(missing_ok=True)

    def close(self) -> None:
        self._close()


class FileStore:
    def __init__(self, db: Database, directory: str | None, ids: IdFactory, clock: Clock) -> None:
        self.db = db
        self.ids = ids
        self.clock = clock
        self._owned = directory is None
        # Named now, made by open(): an emulator that is never started leaves no directory behind.
        self.directory = Path(
            directory or Path(tempfile.gettempdir()) / f"aoai-emulator-files-{uuid.uuid4().hex}"
        )
        self._removal: weakref.finalize[Any, FileStore] | None = None
        self._closed = False

    def open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._owned and self._removal is None:
            # Removed by close(); else once the store is collected or the interpreter exits, so that an
            # emulator nobody closed leaves no temporary directory behind either.
            self._removal = weakref.finalize(self, shutil.rmtree, str(self.directory), ignore_errors=True)
        # Partial uploads of a previous run that stopped mid-request.
        for leftover in self.directory.glob(".partial-*"):
            leftover.unlink(missing_ok=True)

    def close(self) -> None:
        self._closed = True
        if self._removal is not None:
            self._removal()

    def remove_all(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _path(self, file_id: str) -> Path:
        return self.directory / file_id

    def begin_upload(self, max_bytes: int) -> Upload:
        if not self._closed:  # a closed store's temporary directory stays gone
            self.directory.mkdir(parents=True, exist_ok=True)
        return Upload(self.directory / f".partial-{self.ids.hex(16)}", max_bytes)

    def new_id(self) -> str:
        return self.ids.prefixed_hex("file-")

    async def check(self, upload: Upload, purpose: str) -> FileCheck | None:
        """Validate a completed fine-tune upload off the event loop; other purposes are not checked."""
        upload.close()
        if purpose != FINE_TUNE:
            return None
        return await anyio.to_thread.run_sync(check_file, upload.path)

    async def commit(
        self,
        upload: Upload,
        *,
        filename: str,
        purpose: str,
        check: FileCheck | None,
        expires_after: int | None = None,
        file_id: str | None = None,
        closed: bool = False,
    ) -> StoredFile:
        """Turn a complete upload into a stored file: content renamed to its id, row inserted."""
        upload.close()
        file_id = file_id or self.new_id()
        created_at = int(self.clock.now())
        error = check.error if check is not None else None
        stored = StoredFile(
            id=file_id,
            filename=filename,
            purpose=purpose,
            bytes=upload.size,
            created_at=created_at,
            status="error" if error else "processed",
            status_details=error,
            expires_at=None if expires_after is None else created_at + expires_after,
            statistics=(
                {"tokens": check.tokens, "examples": check.examples}
                if check is not None and check.ok
                else None
            ),
            examples=check.examples if check is not None and check.ok else None,
            closed=closed,
        )
        target = self._path(file_id)

        def write(conn: sqlite3.Connection) -> None:
            os.replace(upload.path, target)
            try:
                conn.execute(
                    f"INSERT INTO files ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        stored.id,
                        stored.filename,
                        stored.purpose,
                        stored.bytes,
                        stored.created_at,
                        stored.status,
                        stored.status_details,
                        stored.expires_at,
                        None if stored.statistics is None else stored.statistics["tokens"],
                        stored.examples,
                        int(stored.closed),
                    ),
                )
            except BaseException:
                target.unlink(missing_ok=True)
                raise

        try:
            await self.db.run(write)
        finally:
            upload.path.unlink(missing_ok=True)
        return stored

    async def create_from_bytes(
        self, filename: str, purpose: str, content: bytes, *, closed: bool = False
    ) -> StoredFile:
        """A file the emulator makes itself (results.csv, distillation data): validated like an upload."""
        upload = self.begin_upload(max_bytes=len(content))
        try:
            upload.write(content)
            check = await self.check(upload, purpose)
            return await self.commit(upload, filename=filename, purpose=purpose, check=check, closed=closed)
        except BaseException:
            upload.discard()
            raise

    def _live(self) -> tuple[str, list[Any]]:
        return "(expires_at IS NULL OR expires_at > ?)", [int(self.clock.now())]

    async def get(self, file_id: str) -> StoredFile | None:
        live, params = self._live()

        def read(conn: sqlite3.Connection) -> StoredFile | None:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM files WHERE id = ? AND {live}", (file_id, *params)
            ).fetchone()
            return _row(row) if row else None

        return await self.db.run(read)

    def content_path(self, stored: StoredFile) -> Path:
        return self._path(stored.id)

    async def read_content(self, file_id: str) -> bytes | None:
        stored = await self.get(file_id)
        if stored is None:
            return None
        return await anyio.to_thread.run_sync(self._path(file_id).read_bytes)

    async def delete(self, file_id: str) -> bool:
        def write(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM files WHERE id = ?", (file_id,)).rowcount > 0

        deleted = await self.db.run(write)
        if deleted:
            self._path(file_id).unlink(missing_ok=True)
        return deleted

    async def list(self, purpose: str | None, page: PageRequest, *, strict_cursor: bool) -> FilePage:
        """By (created_at, insertion order) in the requested order; `after` continues past an id.

        An unknown `after` raises UnknownCursor when `strict_cursor`, else gives an empty page."""
        live, live_params = self._live()

        def read(conn: sqlite3.Connection) -> FilePage:
            clauses = [live]
            params: list[Any] = list(live_params)
            if purpose is not None:
                clauses.append("purpose = ?")
                params.append(purpose)
            if page.after is not None:
                cursor = conn.execute(
                    "SELECT created_at, seq FROM files WHERE id = ?", (page.after,)
                ).fetchone()
                if cursor is None:
                    if strict_cursor:
                        raise UnknownCursor(page.after)
                    return FilePage([], False)
                op = ">" if page.order == "asc" else "<"
                clauses.append(f"(created_at, seq) {op} (?, ?)")
                params += [cursor[0], cursor[1]]
            direction = "ASC" if page.order == "asc" else "DESC"
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM files WHERE {' AND '.join(clauses)} "
                f"ORDER BY created_at {direction}, seq {direction} LIMIT ?",
                (*params, page.limit + 1),
            ).fetchall()
            return FilePage([_row(r) for r in rows[: page.limit]], len(rows) > page.limit)

        return await self.db.run(read)

    async def count(self) -> int:
        def read(conn: sqlite3.Connection) -> int:
            return int(conn.execute("SELECT count(*) FROM files").fetchone()[0])

        return await self.db.run(read)
