-- `swarm runs --state S` (SqlRunStore.newestRuns): the runs in the states asked for, newest first (by no), and their
-- count. With this index both read only the index entries of those states, in the order wanted, instead of every row of
-- the runs table. A run's state changes a few times in its life (created, running, its end), so the index costs little.
-- (Run-id prefixes are looked up on the primary key's index: SQLite compares text by its BINARY collation, code point
-- order, the order SqlRunStore.runIdsStartingWith's range needs.)
CREATE INDEX runs_state_no ON runs (state, no);
