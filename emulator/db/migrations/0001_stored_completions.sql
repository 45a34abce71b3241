-- Stored chat completions. `bytes` is what counts against the quota: the UTF-8 size of the stored
-- response, the input messages and the metadata. Triggers keep the running total and the metadata
-- index in step with every insert, update and delete, so each write is a single statement.
CREATE TABLE stored_completions (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    model TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    record TEXT NOT NULL,
    messages TEXT NOT NULL,
    content_bytes INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
CREATE INDEX stored_completions_by_created ON stored_completions (created, seq);
CREATE INDEX stored_completions_by_model ON stored_completions (model, created, seq);

CREATE TABLE stored_completion_metadata (
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    created INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (key, value, created, seq)
) WITHOUT ROWID;
CREATE INDEX stored_completion_metadata_by_seq ON stored_completion_metadata (seq);

CREATE TABLE storage_usage (
    name TEXT PRIMARY KEY,
    used_bytes INTEGER NOT NULL DEFAULT 0,
    limit_bytes INTEGER NOT NULL
);
INSERT INTO storage_usage (name, used_bytes, limit_bytes) VALUES ('stored_completions', 0, 10737418240);

CREATE TRIGGER stored_completions_quota_on_insert BEFORE INSERT ON stored_completions
WHEN (SELECT used_bytes + NEW.bytes > limit_bytes FROM storage_usage WHERE name = 'stored_completions')
BEGIN
    SELECT RAISE(ABORT, 'quota_exceeded');
END;

CREATE TRIGGER stored_completions_after_insert AFTER INSERT ON stored_completions
BEGIN
    UPDATE storage_usage SET used_bytes = used_bytes + NEW.bytes WHERE name = 'stored_completions';
    INSERT INTO stored_completion_metadata (key, value, created, seq)
        SELECT key, value, NEW.created, NEW.seq FROM json_each(NEW.metadata);
END;

CREATE TRIGGER stored_completions_quota_on_update BEFORE UPDATE OF bytes ON stored_completions
WHEN NEW.bytes > OLD.bytes AND (SELECT used_bytes + NEW.bytes - OLD.bytes > limit_bytes
                                FROM storage_usage WHERE name = 'stored_completions')
BEGIN
    SELECT RAISE(ABORT, 'quota_exceeded');
END;

CREATE TRIGGER stored_completions_after_update AFTER UPDATE OF metadata, bytes ON stored_completions
BEGIN
    UPDATE storage_usage SET used_bytes = used_bytes + NEW.bytes - OLD.bytes WHERE name = 'stored_completions';
    DELETE FROM stored_completion_metadata WHERE seq = OLD.seq;
    INSERT INTO stored_completion_metadata (key, value, created, seq)
        SELECT key, value, NEW.created, NEW.seq FROM json_each(NEW.metadata);
END;

CREATE TRIGGER stored_completions_after_delete AFTER DELETE ON stored_completions
BEGIN
    UPDATE storage_usage SET used_bytes = used_bytes - OLD.bytes WHERE name = 'stored_completions';
    DELETE FROM stored_completion_metadata WHERE seq = OLD.seq;
END;
