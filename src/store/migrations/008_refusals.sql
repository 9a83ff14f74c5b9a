-- Refused requests of people who are not signed in (a form without its CSRF
-- token, a throttled sign-in) are counted here, per address, reason and
-- interval, instead of each one adding a row to the append-only audit trail:
-- nobody can grow the trail without limit. The first refusal of an interval
-- is audited at once; once the interval is over, its count goes into the
-- trail as one entry and the row here is deleted (svc/audit.c).
CREATE TABLE refusals (
    address       TEXT NOT NULL,
    reason        TEXT NOT NULL,
    window_start  TEXT NOT NULL,
    count         INTEGER NOT NULL,
    first_at      TEXT NOT NULL,
    last_at       TEXT NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    PRIMARY KEY (address, reason, window_start)
);
CREATE INDEX refusals_window ON refusals (window_start);

-- The CSRF key is made with the schema, so that no request has to write it:
-- a GET never writes, and /healthz answers on a database it cannot write.
-- 32 random bytes as hex (PostgreSQL: two random UUIDs, 244 random bits).
@SQLITE@
INSERT INTO secrets (name, value)
SELECT 'csrf', lower(hex(randomblob(32)))
WHERE NOT EXISTS (SELECT 1 FROM secrets WHERE name = 'csrf');
@END@
@PG@
INSERT INTO secrets (name, value)
SELECT 'csrf', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')
WHERE NOT EXISTS (SELECT 1 FROM secrets WHERE name = 'csrf');
@END@

-- API tokens end with the account: those of people already disabled or
-- erased are revoked now (from here on, disabling revokes them).
@SQLITE@
UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
WHERE revoked_at IS NULL
  AND person_id IN (SELECT id FROM people WHERE status IN ('disabled', 'erased'));
@END@
@PG@
UPDATE api_tokens SET revoked_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
WHERE revoked_at IS NULL
  AND person_id IN (SELECT id FROM people WHERE status IN ('disabled', 'erased'));
@END@
