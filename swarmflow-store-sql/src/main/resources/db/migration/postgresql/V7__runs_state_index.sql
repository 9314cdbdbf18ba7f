-- `swarm runs --state S` (SqlRunStore.newestRuns): the runs in the states asked for, newest first (by no), and their
-- count. With this index both read only the index entries of those states, in the order wanted, instead of every row of
-- the runs table. A run's state changes a few times in its life (created, running, its end), so the index costs little;
-- the frequent updates of a runs row (heartbeats: lease_expires_at) touch no indexed column and stay HOT updates.
CREATE INDEX runs_state_no ON runs (state, no);

-- Run-id prefixes (SqlRunStore.runIdsStartingWith): the ids from the prefix up to its successor compared by code point,
-- that is in the "C" collation, whatever the database's default collation is (the primary key's index follows that one,
-- in which such a range is not the ids that start with the prefix).
CREATE INDEX runs_run_id_c ON runs (run_id COLLATE "C");
