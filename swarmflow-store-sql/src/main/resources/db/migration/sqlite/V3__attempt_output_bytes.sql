-- Bytes an attempt's process wrote to stdout and stderr together (AttemptFinished.outputBytes); NULL while it runs
-- and when unknown (no process, or recorded before this column). `swarm logs` tells an attempt that printed nothing
-- from one whose log folder was deleted by it.
ALTER TABLE attempts ADD COLUMN output_bytes INTEGER;
