-- Events are stored in batches: one row per run per write transaction, holding the JSON array of
-- the events first_seq..last_seq (gap-free per run, as before). One row instead of one per event
-- makes durable appends several times cheaper; readers unpack the arrays (SqlRunStore.events).
CREATE TABLE event_batches (
    run_id    TEXT    NOT NULL,
    first_seq INTEGER NOT NULL,                 -- seq of the first event in payload (1-based, per run)
    last_seq  INTEGER NOT NULL,                 -- seq of the last event in payload
    at        INTEGER NOT NULL,                 -- epoch ms, store clock: the time of every event in the row
    payload   TEXT    NOT NULL,                 -- JSON array of RunEvents, each with its "type"
    PRIMARY KEY (run_id, first_seq)
);

INSERT INTO event_batches (run_id, first_seq, last_seq, at, payload)
    SELECT run_id, seq, seq, at, '[' || payload || ']' FROM events;

DROP TABLE events;
