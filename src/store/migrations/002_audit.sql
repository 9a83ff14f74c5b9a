-- The audit trail: append-only, one row per change. Who (actor), when,
-- in which organization, what action on which object, and the values
-- before and after (JSON, NULL when there is no such side).

CREATE TABLE audit_log (
    id          @PK@,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    org         TEXT,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT,
    before      TEXT,
    after       TEXT,
    request_id  TEXT
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
