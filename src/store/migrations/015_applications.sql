-- Applications (issue 8, point 2): what migration 014 does not hold.
--
-- review_conflicts: a reviewer's declared conflict of interest (ISO/IEC 17024
-- impartiality) with one candidate (person_id) or an organization (org_id: the people in
-- it and in every organization below it). A reviewer cannot act on an application a
-- conflict covers.
CREATE TABLE review_conflicts (
    id           @PK@,
    reviewer_id  TEXT NOT NULL REFERENCES people (id),
    person_id    TEXT REFERENCES people (id),
    org_id       TEXT REFERENCES orgs (id),
    reason       TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    CHECK ((person_id IS NULL AND org_id IS NOT NULL) OR (person_id IS NOT NULL AND org_id IS NULL))
);
CREATE INDEX review_conflicts_reviewer ON review_conflicts (reviewer_id);

-- The supervisor's recommendation of a waiver application: asked for by a one-time link
-- (token_hash: the hash of the secret in the e-mailed link), signed without an account.
-- One row per application; asking again replaces the link while it is unsigned.
CREATE TABLE supervisor_recommendations (
    application_id    TEXT PRIMARY KEY REFERENCES applications (id),
    token_hash        TEXT NOT NULL UNIQUE,
    supervisor_name   TEXT NOT NULL,
    supervisor_email  TEXT NOT NULL,
    requested_at      TEXT NOT NULL,
    expires_at        TEXT NOT NULL,
    signed_at         TEXT,
    signer_name       TEXT,
    signer_title      TEXT,
    statement         TEXT,
    recommend         INTEGER CHECK (recommend IN (0, 1))
);
