-- The first line of the spec's description (RunView.description), so that `swarm runs` shows it without reading
-- each run's plan; NULL when the spec has none. Written when the run is created. Runs created before this column get
-- it here, once, from the plan in their first event (the same rule as RunView.descriptionLine: the text before the
-- first line feed, without spaces, tabs and carriage returns at its ends); a first event that is not valid JSON
-- leaves it NULL rather than stop the migration.
ALTER TABLE runs ADD COLUMN description TEXT;

DO $$
DECLARE
    r RECORD;
    d TEXT;
BEGIN
    FOR r IN SELECT run_id, payload FROM event_batches WHERE first_seq = 1 LOOP
        BEGIN
            d := (r.payload::jsonb) -> 0 -> 'plan' ->> 'description';
        EXCEPTION WHEN others THEN
            d := NULL;
        END;
        IF d IS NOT NULL THEN
            UPDATE runs SET description = NULLIF(btrim(split_part(d, E'\n', 1), E' \t\r'), '') WHERE run_id = r.run_id;
        END IF;
    END LOOP;
END
$$;
