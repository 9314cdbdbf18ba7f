-- Time marks: the few events of a run that say when it was executed and when its tickets waited at their approval
-- gates (io.swarmflow.store.TimeMarks: every run-started, run-finished and ticket-awaiting-approval, and the event that
-- ends a gate wait), copied here in the same transaction as their event_batches row, so that `swarm runs` and
-- `swarm status` of a resumed or gated run read these rows instead of all of its events. An ordinary append keeps none.
CREATE TABLE time_marks (
    run_id  TEXT    NOT NULL,
    seq     BIGINT  NOT NULL,                   -- the event's seq in the run
    at      BIGINT  NOT NULL,                   -- epoch ms, store clock: the event's time
    prev_at BIGINT  NOT NULL,                   -- for a run-started: the time of the run's event before it; else 0
    payload TEXT    NOT NULL,                   -- the RunEvent, JSON with its "type" (as in event_batches)
    PRIMARY KEY (run_id, seq)
);

-- The seq the run's time marks are complete through: set to 1 at its creation, then to its new last_seq by each
-- append while it equals the old one. Runs created before keep 0 and are not backfilled, and a run an older swarm
-- (which keeps no marks) appended to falls to 0: SqlRunStore.timeMarks is empty unless it equals last_seq, and readers
-- fold such a run's events as before.
-- A constant default: no rewrite of the table.
ALTER TABLE runs ADD COLUMN time_marks BIGINT NOT NULL DEFAULT 0;
