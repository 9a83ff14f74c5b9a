-- The certification life cycle (issue 8): application -> authorization to test -> exam
-- result -> credential -> continuing education -> renewal or lapse. One migration holds the
-- tables every part shares, so the parts are built on one shape; a part that needs more
-- adds its own later migration (never edits this one).
--
-- Conventions as elsewhere: public identifiers are lowercase UUIDs (TEXT); instants are
-- UTC ISO-8601 text; dates of record are YYYY-MM-DD text; every decision records the
-- program rules version it used (program_versions.version of programs.id).
-- Points and hours are kept in hundredths (INTEGER), so 1.5 hours is 150: no floats.

-- An application for a program's credential, from draft to decision. data holds the form
-- as JSON: education, employment history with dates, attestation, code of conduct,
-- waiver request. path is the eligibility path (a code from the rules) the candidate
-- applies under. The queue reads submitted applications oldest first.
CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    program_id     BIGINT NOT NULL REFERENCES programs (id),
    person_id      TEXT NOT NULL REFERENCES people (id),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'info_requested',
                                                   'approved', 'rejected', 'withdrawn',
                                                   'appealed', 'appeal_upheld',
                                                   'appeal_denied')),
    path           TEXT,
    data           TEXT NOT NULL DEFAULT '{}',
    rules_version  INTEGER,
    submitted_at   TEXT,
    decided_at     TEXT,
    decided_by     TEXT REFERENCES people (id),
    reason         TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX applications_queue ON applications (status, submitted_at);
CREATE INDEX applications_person ON applications (person_id);

-- What happened to an application, in order: the candidate's timeline and the record of
-- who decided what (kind: created, submitted, info_requested, answered, approved,
-- rejected, withdrawn, appealed, appeal_decided, supervisor_signed, ...).
CREATE TABLE application_events (
    id              @PK@,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    kind            TEXT NOT NULL,
    note            TEXT
);
CREATE INDEX application_events_app ON application_events (application_id, id);

-- An authorization to test, given when an application is approved: the eligibility id
-- the testing vendor reports results against, and the window to sit the exam in.
CREATE TABLE authorizations (
    eligibility_id  TEXT PRIMARY KEY,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    person_id       TEXT NOT NULL REFERENCES people (id),
    program_id      BIGINT NOT NULL REFERENCES programs (id),
    rules_version   INTEGER NOT NULL,
    issued_on       TEXT NOT NULL,
    expires_on      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'used', 'expired', 'cancelled')),
    created_at      TEXT NOT NULL
);
CREATE INDEX authorizations_person ON authorizations (person_id);

-- One exam sitting's result, as the vendor reported it. category_scores is JSON
-- {"I": 612, ...}. A sitting is (eligibility id, form, date): reported twice it is refused.
CREATE TABLE exam_results (
    id               @PK@,
    eligibility_id   TEXT NOT NULL REFERENCES authorizations (eligibility_id),
    form             TEXT NOT NULL,
    taken_on         TEXT NOT NULL,
    scaled_score     INTEGER NOT NULL,
    category_scores  TEXT NOT NULL DEFAULT '{}',
    passed           INTEGER NOT NULL CHECK (passed IN (0, 1)),
    retake_on        TEXT,
    rules_version    INTEGER NOT NULL,
    import_id        TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (eligibility_id, form, taken_on)
);

-- A credential. number is the human-readable one (CETL-2026-000123); term_start is the
-- first day of the current term (the issue date, then the day after the old expiry at each
-- renewal: core/credential.c cred_term_start).
-- listed: shown in the public directory (a holder may leave it; a lookup by number still
-- verifies). demo: made by `ctoframe demo`, removed by `ctoframe demo --remove`.
CREATE TABLE credentials (
    id             TEXT PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    program_id     BIGINT NOT NULL REFERENCES programs (id),
    person_id      TEXT NOT NULL REFERENCES people (id),
    result_id      BIGINT REFERENCES exam_results (id),
    status         TEXT NOT NULL CHECK (status IN ('active', 'expiring', 'expired', 'lapsed',
                                                   'suspended', 'revoked')),
    issued_on      TEXT NOT NULL,
    term_start     TEXT NOT NULL,
    expires_on     TEXT NOT NULL,
    rules_version  INTEGER NOT NULL,
    listed         INTEGER NOT NULL DEFAULT 1 CHECK (listed IN (0, 1)),
    demo           INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    status_reason  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX credentials_person ON credentials (person_id);
CREATE INDEX credentials_due ON credentials (status, expires_on);

-- The next sequence number of a program's credential numbers, per year of issue. Taken
-- inside the issuing transaction (under the people lock), so numbers never repeat.
CREATE TABLE credential_numbers (
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    year        INTEGER NOT NULL,
    next        INTEGER NOT NULL CHECK (next >= 1),
    PRIMARY KEY (program_id, year)
);

-- Every change of a credential's status or term, with who, why and the rules version.
CREATE TABLE credential_events (
    id             @PK@,
    credential_id  TEXT NOT NULL REFERENCES credentials (id),
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    from_status    TEXT,
    to_status      TEXT,
    expires_on     TEXT,
    reason         TEXT,
    rules_version  INTEGER NOT NULL
);
CREATE INDEX credential_events_cred ON credential_events (credential_id, id);

-- A continuing-education activity claimed against a credential's term. skills: the
-- skill-area codes it serves, ';'-separated (at least one). quantity: hours, items or
-- membership-years as the category's rule counts them, in hundredths. source: holder
-- (logged by the holder), provider (bulk import), catalog (picked from the catalog),
-- plan (a completed growth-plan activity).
CREATE TABLE ce_activities (
    id             TEXT PRIMARY KEY,
    credential_id  TEXT NOT NULL REFERENCES credentials (id),
    category       TEXT NOT NULL,
    title          TEXT NOT NULL,
    provider       TEXT NOT NULL DEFAULT '',
    started_on     TEXT,
    completed_on   TEXT NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    skills         TEXT NOT NULL,
    source         TEXT NOT NULL CHECK (source IN ('holder', 'provider', 'catalog', 'plan')),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    evidence_id    TEXT,
    reviewed_by    TEXT REFERENCES people (id),
    reviewed_at    TEXT,
    reason         TEXT,
    rules_version  INTEGER NOT NULL,
    import_id      TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX ce_activities_cred ON ce_activities (credential_id, completed_on);
CREATE INDEX ce_activities_review ON ce_activities (status, created_at);

-- An evidence file for an activity, kept in the database (no file system to back up).
CREATE TABLE ce_evidence (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    size        INTEGER NOT NULL CHECK (size >= 0),
    bytes       @BLOB@ NOT NULL,
    created_by  TEXT REFERENCES people (id),
    created_at  TEXT NOT NULL
);
