-- The registry's generation (migration 018) counts changes; the epoch says which database
-- the count belongs to. A process keeps the registry's words in memory stamped with both
-- (svc/registry.c): a database created again, restored from a backup or swapped under a
-- running process may reach the same count with other rows, but never the same epoch.
ALTER TABLE registry_generation ADD COLUMN epoch TEXT NOT NULL DEFAULT '';

@SQLITE@
UPDATE registry_generation SET epoch = lower(hex(randomblob(16)));
@END@

@PG@
UPDATE registry_generation SET epoch = md5(random()::text || clock_timestamp()::text);
@END@
