-- Uploaded, imported and generated files. The content lives on disk, one file per id in the
-- emulator's content directory; a row is written only once its content is complete, so a row
-- always has content and an interrupted upload leaves no row.
CREATE TABLE files (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL,            -- processed | error
    status_details TEXT,
    expires_at INTEGER,
    tokens INTEGER,                  -- fine-tune files that passed validation
    examples INTEGER
);
CREATE INDEX files_by_created ON files (created_at, seq);
CREATE INDEX files_by_purpose ON files (purpose, created_at, seq);
