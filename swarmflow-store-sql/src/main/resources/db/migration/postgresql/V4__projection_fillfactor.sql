-- Room on each page of the projection tables for the next versions of their rows: a ticket row is rewritten as it
-- becomes ready, running and done, an attempt row when it ends, each in another transaction. With the pages packed full
-- (fill factor 100, the default) nearly every such update moved the row to another page and added an entry to the
-- primary key; with room left on the page it can be a heap-only tuple (HOT) update, which adds no index entry and
-- less WAL (https://www.postgresql.org/docs/current/storage-hot.html). Applies to pages filled from now on.
ALTER TABLE tickets SET (fillfactor = 50);
ALTER TABLE attempts SET (fillfactor = 70);
