-- Swarmflow store schema, SQLite dialect.
-- The events table is the truth; runs/tickets/attempts are projections of it (io.swarmflow.store.Projection),
-- written in the same transaction as the events. No foreign keys: the single writer checks existence
-- before writing, and enforcing them would cost a lookup per row on the hot path.

CREATE TABLE runs (
    run_id           TEXT    NOT NULL PRIMARY KEY,
    no               INTEGER NOT NULL,          -- creation order, for "newest first"
    name             TEXT    NOT NULL,
    spec_path        TEXT,
    state            TEXT    NOT NULL,          -- RunState label
    created_at       INTEGER NOT NULL,          -- epoch ms, store clock
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER NOT NULL,
    epoch            INTEGER NOT NULL,          -- projection: epoch of the last run-started event
    owner            TEXT,                      -- projection: owner of the last run-started event
    cancel_requested INTEGER NOT NULL,
    ticket_count     INTEGER NOT NULL,
    last_seq         INTEGER NOT NULL,
    claim_epoch      INTEGER NOT NULL DEFAULT 0, -- fencing epoch handed out by claimRun
    claim_owner      TEXT,                       -- holder of the run lease
    lease_expires_at INTEGER                     -- epoch ms; NULL when no lease is held
);
CREATE UNIQUE INDEX runs_no ON runs (no);

CREATE TABLE tickets (
    run_id         TEXT    NOT NULL,
    ticket_id      TEXT    NOT NULL,
    idx            INTEGER NOT NULL,            -- plan order
    state          TEXT    NOT NULL,            -- TicketState label
    attempt        INTEGER NOT NULL,
    failures       INTEGER NOT NULL,
    lease_expiries INTEGER NOT NULL,
    exit_code      INTEGER,
    reason         TEXT,
    outputs        TEXT,                        -- JSON object; NULL when empty
    approved_by    TEXT,
    started_at     INTEGER NOT NULL,
    finished_at    INTEGER NOT NULL,
    retry_at       INTEGER NOT NULL,
    PRIMARY KEY (run_id, ticket_id)
) WITHOUT ROWID;

CREATE TABLE attempts (
    run_id           TEXT    NOT NULL,
    ticket_id        TEXT    NOT NULL,
    attempt          INTEGER NOT NULL,
    outcome          TEXT,                      -- Outcome label; NULL while running
    exit_code        INTEGER,
    reason           TEXT,
    started_at       INTEGER NOT NULL,
    finished_at      INTEGER NOT NULL,
    pid              INTEGER NOT NULL,
    start_ticks      INTEGER NOT NULL,
    lease_expires_at INTEGER,                   -- epoch ms while running; NULL once finished
    PRIMARY KEY (run_id, ticket_id, attempt)
) WITHOUT ROWID;

CREATE TABLE events (
    run_id    TEXT    NOT NULL,
    seq       INTEGER NOT NULL,                 -- 1-based, gap-free per run
    at        INTEGER NOT NULL,                 -- epoch ms, store clock
    type      TEXT    NOT NULL,                 -- JSON type name, e.g. attempt-started
    ticket_id TEXT,
    payload   TEXT    NOT NULL,                 -- the RunEvent as JSON (includes "type")
    PRIMARY KEY (run_id, seq)
);
-- Not WITHOUT ROWID: there the primary key b-tree holds whole rows, and seeking past a row that spills
-- to overflow pages (run-created carries the plan, megabytes for big plans) reads the whole payload
-- for every comparison; that made appends to big runs about 50 times slower.

CREATE TABLE run_commands (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id     TEXT    NOT NULL,
    kind       TEXT    NOT NULL,                -- APPROVE, REJECT, CANCEL
    ticket_id  TEXT,
    by_user    TEXT,
    reason     TEXT,
    created_at INTEGER NOT NULL,
    applied_at INTEGER                          -- NULL while pending
);
CREATE INDEX run_commands_pending ON run_commands (run_id, id) WHERE applied_at IS NULL;
