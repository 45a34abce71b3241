-- Running counts behind the Azure list's `total`: per metadata pair, and of all stored completions,
-- so that a list filtered by one pair (or not at all) answers `total` in O(1) instead of counting
-- every match. Kept by triggers, in the same statement as the write that changes them.
CREATE TABLE stored_completion_metadata_counts (
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (key, value)
) WITHOUT ROWID;
INSERT INTO stored_completion_metadata_counts (key, value, n)
    SELECT key, value, count(*) FROM stored_completion_metadata GROUP BY key, value;

ALTER TABLE storage_usage ADD COLUMN items INTEGER NOT NULL DEFAULT 0;
UPDATE storage_usage SET items = (SELECT count(*) FROM stored_completions) WHERE name = 'stored_completions';

CREATE TRIGGER stored_completion_metadata_count_up AFTER INSERT ON stored_completion_metadata
BEGIN
    INSERT INTO stored_completion_metadata_counts (key, value, n) VALUES (NEW.key, NEW.value, 1)
        ON CONFLICT (key, value) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER stored_completion_metadata_count_down AFTER DELETE ON stored_completion_metadata
BEGIN
    UPDATE stored_completion_metadata_counts SET n = n - 1 WHERE key = OLD.key AND value = OLD.value;
    DELETE FROM stored_completion_metadata_counts WHERE key = OLD.key AND value = OLD.value AND n = 0;
END;

CREATE TRIGGER stored_completions_count_up AFTER INSERT ON stored_completions
BEGIN
    UPDATE storage_usage SET items = items + 1 WHERE name = 'stored_completions';
END;

CREATE TRIGGER stored_completions_count_down AFTER DELETE ON stored_completions
BEGIN
    UPDATE storage_usage SET items = items - 1 WHERE name = 'stored_completions';
END;
