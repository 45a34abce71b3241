-- Stored responses (the Responses API), apart from stored chat completions so that they never appear in
-- the chat completions list, but counted against the same store quota (storage_usage's
-- 'stored_completions' row) by triggers, as completions are. `bytes` is the UTF-8 size of the record,
-- the input items and the conversation kept for chaining. A background response's stages follow from
-- the clock (queued until `started_at`, in progress until `finished_at`) unless `cancelled_at` stopped it.
CREATE TABLE stored_responses (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    background INTEGER NOT NULL DEFAULT 0,
    started_at REAL NOT NULL,
    finished_at REAL NOT NULL,
    cancelled_at REAL,
    record TEXT NOT NULL,
    input_items TEXT NOT NULL,
    context TEXT NOT NULL,
    bytes INTEGER NOT NULL
);
CREATE INDEX stored_responses_by_expiry ON stored_responses (expires_at);

CREATE TRIGGER stored_responses_quota_on_insert BEFORE INSERT ON stored_responses
WHEN (SELECT used_bytes + NEW.bytes > limit_bytes FROM storage_usage WHERE name = 'stored_completions')
BEGIN
    SELECT RAISE(ABORT, 'quota_exceeded');
END;

CREATE TRIGGER stored_responses_after_insert AFTER INSERT ON stored_responses
BEGIN
    UPDATE storage_usage SET used_bytes = used_bytes + NEW.bytes WHERE name = 'stored_completions';
END;

CREATE TRIGGER stored_responses_after_delete AFTER DELETE ON stored_responses
BEGIN
    UPDATE storage_usage SET used_bytes = used_bytes - OLD.bytes WHERE name = 'stored_completions';
END;
