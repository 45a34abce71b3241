-- Evals, their runs and the runs' output items. A run is graded whole when it is created; its status
-- and which output items are visible follow from created_at, canceled_at and the clock (see
-- emulator/evalruns.py), so nothing here changes while a run "progresses".
CREATE TABLE evals (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    name TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    data_source_config TEXT NOT NULL,
    testing_criteria TEXT NOT NULL
);
CREATE INDEX evals_by_created ON evals (created_at, seq);
CREATE INDEX evals_by_updated ON evals (updated_at, seq);

CREATE TABLE eval_runs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    eval_id TEXT NOT NULL REFERENCES evals (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    canceled_at REAL,
    item_count INTEGER NOT NULL,
    body TEXT NOT NULL  -- name, model, metadata and the echoed data_source
);
CREATE INDEX eval_runs_by_eval ON eval_runs (eval_id, created_at, seq);

CREATE TABLE eval_run_output_items (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    run_id TEXT NOT NULL REFERENCES eval_runs (id) ON DELETE CASCADE,
    item_index INTEGER NOT NULL,
    status TEXT NOT NULL,  -- pass | fail
    errored INTEGER NOT NULL,
    grades TEXT NOT NULL,  -- JSON array: per testing criterion, whether it passed
    usage TEXT NOT NULL,  -- JSON object: model → [invocations, prompt tokens, completion tokens]
    body TEXT NOT NULL  -- the output item, without the fields that depend on the clock
);
CREATE UNIQUE INDEX eval_run_output_items_by_run ON eval_run_output_items (run_id, item_index);
CREATE INDEX eval_run_output_items_by_status ON eval_run_output_items (run_id, status, item_index);
