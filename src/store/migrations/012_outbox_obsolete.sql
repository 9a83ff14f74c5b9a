-- A message whose link was used or replaced before it went out is not a failure: it is
-- "obsolete" (shown as "no longer needed"), a status of its own, never sent and never
-- sent again. Such messages were marked failed with cancelled_at set (007); nothing else
-- sets cancelled_at, so they are told apart and moved. A message to an erased person
-- stays failed (no cancelled_at).
--
-- created_by: the person whose action wrote the message (an invitation's sender), NULL
-- for the command line and the system. With no mail server, the person who invited
-- someone may read that invitation's link (svc_person_invitation).
--
-- SQLite cannot change a CHECK constraint: the table is made again with the same rows
-- (ids kept, and the AUTOINCREMENT counter with them).
@SQLITE@
CREATE TABLE outbox_new (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    to_addr          TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    person_id        TEXT REFERENCES people (id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'obsolete')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT,
    cancelled_at     TEXT,
    created_by       TEXT REFERENCES people (id)
);
INSERT INTO outbox_new (id, kind, to_addr, subject, body, person_id, status, attempts,
                        next_attempt_at, last_error, created_at, sent_at, cancelled_at)
SELECT id, kind, to_addr, subject, body, person_id, status, attempts, next_attempt_at,
       last_error, created_at, sent_at, cancelled_at FROM outbox;
DELETE FROM sqlite_sequence WHERE name = 'outbox_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'outbox_new', seq FROM sqlite_sequence WHERE name = 'outbox';
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
@END@
@PG@
ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('pending', 'sent', 'failed', 'obsolete'));
ALTER TABLE outbox ADD COLUMN created_by TEXT REFERENCES people (id);
@END@
UPDATE outbox SET status = 'obsolete' WHERE status = 'failed' AND cancelled_at IS NOT NULL;
CREATE INDEX outbox_created_by ON outbox (created_by, person_id, kind);
