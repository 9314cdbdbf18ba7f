-- Whether an attempt failed in a way every attempt would (AttemptFinished.permanent: refused before its process
-- started), so its ticket got no retry whatever its `retries:`: 1, else 0 (as runs.cancel_requested keeps a flag).
-- 0 while it runs, for every other end, and for attempts recorded before this column (their events do not record it
-- either, and read as not permanent).
-- A constant default: no rewrite of the table.
ALTER TABLE attempts ADD COLUMN permanent INTEGER NOT NULL DEFAULT 0;
