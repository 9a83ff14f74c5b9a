-- Evaluations (issue 9): the one rating engine behind review cycles, readiness checks,
-- 360s and, later, interview scorecards. docs/internals/evaluations.md explains the shape;
-- src/core/evaluation.c holds the rules the svc layer checks inside its transactions.
--
-- Conventions as elsewhere: public identifiers are lowercase UUIDs (TEXT); instants are
-- UTC ISO-8601 text; dates of record are YYYY-MM-DD text; no floats are stored.

-- One evaluation (a review cycle). subject_kind/subject_id keep the subject general: a
-- person today, a job candidate when hiring comes. org_id is the district whose
-- administrators run it; reach is resolved through it. framework_doc and rubric_id pin
-- the framework version and rubric rated against; levels is the rubric's scale K.
-- blind = 1: raters do not see each other's answers before the cycle closes.
CREATE TABLE evaluations (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs (id),
    subject_kind   TEXT NOT NULL CHECK (subject_kind IN ('person', 'candidate')),
    subject_id     TEXT NOT NULL,
    purpose        TEXT NOT NULL CHECK (purpose IN ('annual', 'readiness', '360', 'interview')),
    title          TEXT NOT NULL,
    framework_doc  TEXT NOT NULL,
    rubric_id      TEXT,
    levels         INTEGER NOT NULL CHECK (levels BETWEEN 2 AND 10),
    status         TEXT NOT NULL CHECK (status IN ('draft', 'open', 'closed', 'cancelled')),
    blind          INTEGER NOT NULL DEFAULT 1 CHECK (blind IN (0, 1)),
    due_on         TEXT,
    opened_at      TEXT,
    closed_at      TEXT,
    created_by     TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX evaluations_org ON evaluations (org_id, status, created_at);
CREATE INDEX evaluations_subject ON evaluations (subject_kind, subject_id, created_at);

-- The framework items that count in an evaluation (skill areas; indicators are answered
-- optionally under their skill), each with a relative weight (a positive integer) and a
-- place in the form.
CREATE TABLE evaluation_skills (
    evaluation_id  TEXT NOT NULL REFERENCES evaluations (id),
    item_id        TEXT NOT NULL,
    weight         INTEGER NOT NULL CHECK (weight > 0),
    position       INTEGER NOT NULL,
    PRIMARY KEY (evaluation_id, item_id)
);

-- A rater invited to an evaluation. person_id when the rater has an account; otherwise
-- token_hash is the hash of the secret in the e-mailed one-time link, and name and email
-- are what the administrator typed. status: invited -> started (first answer) ->
-- submitted (locked); a reopen by an administrator puts it back to started (an event).
CREATE TABLE evaluation_raters (
    id             TEXT PRIMARY KEY,
    evaluation_id  TEXT NOT NULL REFERENCES evaluations (id),
    kind           TEXT NOT NULL CHECK (kind IN ('self', 'supervisor', 'peer', 'panel')),
    person_id      TEXT REFERENCES people (id),
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    token_hash     TEXT UNIQUE,
    status         TEXT NOT NULL CHECK (status IN ('invited', 'started', 'submitted')),
    due_on         TEXT,
    invited_at     TEXT NOT NULL,
    started_at     TEXT,
    submitted_at   TEXT,
    reminded_at    TEXT,
    CHECK (person_id IS NOT NULL OR token_hash IS NOT NULL)
);
CREATE INDEX evaluation_raters_eval ON evaluation_raters (evaluation_id, kind);
CREATE INDEX evaluation_raters_person ON evaluation_raters (person_id, status);
CREATE UNIQUE INDEX evaluation_raters_self ON evaluation_raters (evaluation_id)
    WHERE kind = 'self';
CREATE UNIQUE INDEX evaluation_raters_once ON evaluation_raters (evaluation_id, person_id)
    WHERE person_id IS NOT NULL;

-- One answer of one rater on one item, saved the moment it is given (autosave). level is
-- 1..K; NULL with no_basis = 1 is "no basis to rate"; NULL with no_basis = 0 is not yet
-- answered (a note or link written before the level). links is a JSON array of
-- addresses. seq grows with every save: a save carrying an older seq is refused, so a
-- stale second tab cannot overwrite a newer answer.
CREATE TABLE evaluation_answers (
    rater_id    TEXT NOT NULL REFERENCES evaluation_raters (id),
    item_id     TEXT NOT NULL,
    level       INTEGER CHECK (level BETWEEN 1 AND 10),
    no_basis    INTEGER NOT NULL DEFAULT 0 CHECK (no_basis IN (0, 1)),
    note        TEXT NOT NULL DEFAULT '',
    links       TEXT NOT NULL DEFAULT '[]',
    seq         INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (rater_id, item_id),
    CHECK (level IS NULL OR no_basis = 0)
);

-- What happened to an evaluation, in order (kind: created, opened, invited, reminded,
-- submitted, reopened, closed, cancelled, ...): the cycle's timeline. rater_id names the
-- rater an event is about, when there is one.
CREATE TABLE evaluation_events (
    id             @PK@,
    evaluation_id  TEXT NOT NULL REFERENCES evaluations (id),
    rater_id       TEXT REFERENCES evaluation_raters (id),
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    kind           TEXT NOT NULL,
    note           TEXT
);
CREATE INDEX evaluation_events_eval ON evaluation_events (evaluation_id, id);
