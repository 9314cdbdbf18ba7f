-- The first line of the spec's description (RunView.description), so that `swarm runs` shows it without reading
-- each run's plan; NULL when the spec has none. Written when the run is created. Runs created before this column get
-- it here, once, from the plan in their first event (the same rule as RunView.descriptionLine: the text before the
-- first line feed, without spaces, tabs and carriage returns at its ends); a first event that is not valid JSON
-- leaves it NULL rather than stop the migration.
ALTER TABLE runs ADD COLUMN description TEXT;

UPDATE runs SET description = (
    SELECT CASE WHEN json_valid(e.payload) THEN json_extract(e.payload, '$[0].plan.description') END
    FROM event_batches e WHERE e.run_id = runs.run_id AND e.first_seq = 1);

UPDATE runs SET description = NULLIF(trim(substr(description, 1, instr(description || char(10), char(10)) - 1),
    ' ' || char(9) || char(13)), '')
WHERE description IS NOT NULL;
