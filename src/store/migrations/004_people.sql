-- People, organizations, roles, sessions, one-time links, API tokens, sign-in
-- attempts and the outbox. Identifiers are lowercase UUIDs; instants are UTC
-- ISO-8601 text (so they sort as text on both databases).

-- The tree: the certification body, states, districts, schools.
CREATE TABLE orgs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('body', 'state', 'district', 'school')),
    name        TEXT NOT NULL,
    parent_id   TEXT REFERENCES orgs (id),
    nces_id     TEXT,
    enrollment  INTEGER CHECK (enrollment IS NULL OR enrollment >= 0),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX orgs_parent ON orgs (parent_id);
CREATE UNIQUE INDEX orgs_nces ON orgs (nces_id) WHERE nces_id IS NOT NULL;

-- A person. email is stored lowercased and is unique; an erased person keeps
-- the row (so grants and audit entries still point somewhere) with every
-- personal field replaced.
CREATE TABLE people (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL,
    name           TEXT NOT NULL,
    title          TEXT,
    org_id         TEXT REFERENCES orgs (id),
    password_hash  TEXT,
    status         TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled', 'erased')),
    pseudonym      TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX people_email ON people (email);
CREATE INDEX people_org ON people (org_id);

-- A role held in an organization (and, through the tree, in everything below it).
CREATE TABLE grants (
    person_id   TEXT NOT NULL REFERENCES people (id),
    role        TEXT NOT NULL CHECK (role IN ('leader', 'evaluator', 'district_admin',
                                              'reviewer', 'examiner', 'program_admin')),
    org_id      TEXT NOT NULL REFERENCES orgs (id),
    created_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, role, org_id)
);
CREATE INDEX grants_org ON grants (org_id);

-- Sign-in sessions. Only a hash of the cookie value is stored.
CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people (id),
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    address     TEXT,
    user_agent  TEXT
);
CREATE INDEX sessions_person ON sessions (person_id);

-- Single-use links (first-run setup, invitation, password reset), hashed.
CREATE TABLE one_time_tokens (
    hash        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('setup', 'invite', 'reset')),
    person_id   TEXT REFERENCES people (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX one_time_tokens_person ON one_time_tokens (person_id);

-- Personal API tokens: shown once, stored hashed, limited to some of the
-- owner's roles (a JSON array of role names).
CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people (id),
    name          TEXT NOT NULL,
    hash          TEXT NOT NULL UNIQUE,
    roles         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_person ON api_tokens (person_id);

-- Failed sign-ins, for throttling per account ("acct:<email>") and per
-- address ("addr:<ip>").
CREATE TABLE login_failures (
    id    @PK@,
    key   TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- Every message the system sends is a row here first.
CREATE TABLE outbox (
    id               @PK@,
    kind             TEXT NOT NULL,
    to_addr          TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    person_id        TEXT REFERENCES people (id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Named secrets shared by every app process (the CSRF key).
CREATE TABLE secrets (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
