-- Continuing education, renewal and lapse (issue 8, points 5 and 6): what migration 014 does
-- not hold yet.

-- The reminders sent for a credential's expiry, one row per (credential, expiry, days
-- before it): the tick sends a reminder only when its row is not there yet, so a reminder is
-- never sent twice, and a renewal (a new expiry) starts the schedule again.
CREATE TABLE credential_reminders (
    credential_id  TEXT NOT NULL REFERENCES credentials (id),
    expires_on     TEXT NOT NULL,
    days           INTEGER NOT NULL CHECK (days > 0),
    sent_at        TEXT NOT NULL,
    rules_version  INTEGER NOT NULL,
    PRIMARY KEY (credential_id, expires_on, days)
);

-- The audit of a renewal the sample picked (audit_percent of the rules, decided per
-- credential and term): the renewal waits until a reviewer passes or fails it. One audit per
-- term, named by the expiry of the term being renewed.
CREATE TABLE renewal_audits (
    id             TEXT PRIMARY KEY,
    credential_id  TEXT NOT NULL REFERENCES credentials (id),
    expires_on     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'failed')),
    requested_by   TEXT NOT NULL,
    rules_version  INTEGER NOT NULL,
    decided_by     TEXT,
    decided_at     TEXT,
    reason         TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (credential_id, expires_on)
);
CREATE INDEX renewal_audits_queue ON renewal_audits (status, created_at);
