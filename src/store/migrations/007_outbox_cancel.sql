-- A message whose link stopped meaning anything before it went out (a newer
-- invitation replaced it, or the link was used from the outbox page) is not
-- sent: it is marked failed with the reason and cancelled_at, and cannot be
-- queued again.
ALTER TABLE outbox ADD COLUMN cancelled_at TEXT;
