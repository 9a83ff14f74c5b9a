-- Growth plans (issue 9 point 5): goals from a closed evaluation's gaps, and the
-- professional development activities chosen to close them. docs/growth-plans.md says how
-- a plan is proposed; docs/internals/evaluations.md how it is kept.
--
-- Conventions as elsewhere: identifiers are lowercase UUIDs (TEXT), instants UTC ISO-8601
-- text, dates YYYY-MM-DD text, no floats: levels are kept in hundredths of a level,
-- hours in half-hours, money in whole US dollars.

-- One plan per evaluation. person_id is the leader it is for (the evaluation's subject),
-- org_id the district whose administrators ran the evaluation (reach goes through it).
-- version grows with every edit: an agreement names the version it agrees to, and an edit
-- clears both agreements (the rule is checked with the plan's row held: svc/growth.c).
-- status: draft until the leader and the supervisor side have both agreed the same
-- version, then agreed; closed when the plan's period is over (no more edits).
-- proven: 1 when the recommendation it holds was proven optimal, 0 when the search stopped
-- at its node limit (the page says so), NULL when no recommendation was made.
CREATE TABLE growth_plans (
    id                   TEXT PRIMARY KEY,
    evaluation_id        TEXT NOT NULL UNIQUE REFERENCES evaluations (id),
    org_id               TEXT NOT NULL REFERENCES orgs (id),
    person_id            TEXT NOT NULL REFERENCES people (id),
    status               TEXT NOT NULL CHECK (status IN ('draft', 'agreed', 'closed')),
    starts_on            TEXT NOT NULL,
    months               INTEGER NOT NULL CHECK (months BETWEEN 1 AND 120),
    half_hours           INTEGER NOT NULL CHECK (half_hours BETWEEN 0 AND 20000),
    budget               INTEGER NOT NULL CHECK (budget BETWEEN 0 AND 1000000),
    version              INTEGER NOT NULL DEFAULT 1,
    proven               INTEGER,
    leader_agreed_at     TEXT,
    supervisor_agreed_at TEXT,
    supervisor_agreed_by TEXT,
    created_by           TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX growth_plans_person ON growth_plans (person_id, created_at);
CREATE INDEX growth_plans_org ON growth_plans (org_id, created_at);

-- A goal: reach target (a rubric level) on skill (its code, "II.B") by due_on. current is
-- where the evaluation put it, in hundredths of a level (the others' mean, or the self
-- rating when nobody else rated it).
CREATE TABLE growth_goals (
    plan_id   TEXT NOT NULL REFERENCES growth_plans (id),
    skill     TEXT NOT NULL,
    name      TEXT NOT NULL,
    current   INTEGER NOT NULL CHECK (current BETWEEN 0 AND 1000),
    target    INTEGER NOT NULL CHECK (target BETWEEN 1 AND 10),
    weight    INTEGER NOT NULL CHECK (weight >= 0),
    due_on    TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (plan_id, skill)
);

-- An activity of the plan: from the PD catalog (catalog_id) or the plan's own (catalog_id
-- NULL). skills: codes separated by ';'. reason: why the recommender picked it (NULL for
-- one a person added). status planned -> done (completed_on); ce_activity_id once it was
-- claimed as continuing education on the leader's credential.
CREATE TABLE growth_activities (
    id              TEXT PRIMARY KEY,
    plan_id         TEXT NOT NULL REFERENCES growth_plans (id),
    catalog_id      TEXT,
    title           TEXT NOT NULL,
    provider        TEXT NOT NULL DEFAULT '',
    format          TEXT NOT NULL DEFAULT '',
    half_hours      INTEGER NOT NULL CHECK (half_hours BETWEEN 0 AND 2000),
    cost            INTEGER NOT NULL CHECK (cost BETWEEN 0 AND 100000),
    skills          TEXT NOT NULL,
    ce_category     TEXT,
    reason          TEXT,
    source          TEXT NOT NULL CHECK (source IN ('recommended', 'added')),
    status          TEXT NOT NULL CHECK (status IN ('planned', 'done')),
    completed_on    TEXT,
    ce_activity_id  TEXT,
    position        INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX growth_activities_plan ON growth_activities (plan_id, position);

-- What happened to a plan, in order (proposed, edited, agreed, done, claimed, ...).
CREATE TABLE growth_events (
    id       @PK@,
    plan_id  TEXT NOT NULL REFERENCES growth_plans (id),
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    kind     TEXT NOT NULL,
    note     TEXT
);
CREATE INDEX growth_events_plan ON growth_events (plan_id, id);
