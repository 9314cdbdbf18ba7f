-- The coordinator that launched an attempt's process (AttemptProcessStarted.coordinator, host:pid@startMillis/n as
-- the run's lease names it): whose machine the recorded pid is of, which `swarm resume` and `swarm status` go by to
-- look for the process it left. NULL without a process on record, and for attempts recorded before this column (their
-- events do not record it either: those go by the run's last lease holder, as before).
ALTER TABLE attempts ADD COLUMN coordinator TEXT;
