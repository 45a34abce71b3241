-- Fine-tuning jobs (modern and legacy). A job's status is not stored: it is computed from the row, the
-- actions recorded against it and the clock (emulator/lifecycle.py), so a restart resumes every job's
-- schedule where the clock is. Deleted jobs keep their row (hidden from the API): the time they held a
-- training slot still shapes the queue of the jobs after them.
CREATE TABLE fine_tuning_jobs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    style TEXT NOT NULL,                -- openai | azure | legacy: the surface that created it
    created_at REAL NOT NULL,
    model TEXT NOT NULL,                -- the base model snapshot
    fine_tuned_model TEXT NOT NULL,     -- the name the model gets once the job succeeds
    training_file TEXT NOT NULL,
    validation_file TEXT,
    spec TEXT NOT NULL,                 -- JSON: hyperparameters, datasets, suffix, seed, method, metadata, ...
    validate_seconds REAL NOT NULL,
    train_seconds REAL NOT NULL,
    failure TEXT,                       -- why the data is refused when validation ends, if it is
    result_file TEXT,                   -- results.csv, written the first time the job is read succeeded
    deleted_at REAL,
    model_deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE fine_tuning_actions (
    seq INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES fine_tuning_jobs (id),
    kind TEXT NOT NULL,                 -- cancel | pause | resume
    at REAL NOT NULL
);
CREATE INDEX fine_tuning_actions_by_job ON fine_tuning_actions (job_id, seq);
