-- Background work: one row per job. A worker claims a due job with a lease
-- (lease_owner, lease_until), runs it, and marks it done; a failure puts it
-- back in the queue at a later run_after (backoff) until max_attempts, after
-- which it is dead. Rows stay, so the state of every job can be shown.
-- key makes enqueueing idempotent: at most one job per key ("outbox:42").
CREATE TABLE jobs (
    id            @PK@,
    kind          TEXT NOT NULL,
    key           TEXT UNIQUE,
    payload       TEXT NOT NULL DEFAULT '{}',
    state         TEXT NOT NULL
                  CHECK (state IN ('queued', 'running', 'done', 'dead', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts  INTEGER NOT NULL CHECK (max_attempts >= 1),
    run_after     TEXT NOT NULL,
    lease_owner   TEXT,
    lease_until   TEXT,
    last_error    TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK ((state = 'running') = (lease_owner IS NOT NULL AND lease_until IS NOT NULL))
);
-- Claiming (the oldest due queued job) and expiring leases (running, lease_until).
CREATE INDEX jobs_due ON jobs (state, run_after);
CREATE INDEX jobs_kind ON jobs (kind, state);
