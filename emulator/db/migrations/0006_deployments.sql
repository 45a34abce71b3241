-- Deployments made through the API (legacy data-plane routes, the emulator's own route). Their status is
-- computed from started_at, ready_seconds and the clock (emulator/deployments.py::deployment_status), so
-- nothing here changes while a deployment "starts".
CREATE TABLE deployments (
    seq INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    model TEXT NOT NULL,
    version TEXT NOT NULL DEFAULT '',
    scale_settings TEXT NOT NULL DEFAULT '{}',
    settings TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at REAL NOT NULL,
    ready_seconds REAL NOT NULL
);
