-- The exam's item bank (issue 10 point 1): items as QTI describes them, each with its
-- version history. docs/exam.md says what an item holds; docs/qti.md how QTI maps to it.
--
-- Conventions as elsewhere: identifiers are lowercase UUIDs (TEXT), instants UTC ISO-8601
-- text. body is the item as JSON ({prompt, choices: [{id, text}], correct: [ids],
-- max_choices, min_choices, shuffle, scoring}); it holds the key, which never leaves the
-- server except to the examiner role (svc checks it).

-- One item. identifier is the QTI identifier (kept on import and export); interaction is
-- single (one best answer) or multiple (multiple response); status follows the workflow
-- draft -> review -> pretest -> operational -> retired; version grows with every change of
-- the content, whose earlier states bank_item_versions keeps.
CREATE TABLE bank_items (
    id           TEXT PRIMARY KEY,
    identifier   TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL,
    interaction  TEXT NOT NULL CHECK (interaction IN ('single', 'multiple')),
    status       TEXT NOT NULL CHECK (status IN ('draft', 'review', 'pretest', 'operational',
                                                 'retired')),
    version      INTEGER NOT NULL,
    skills       TEXT NOT NULL DEFAULT '',
    cognitive    TEXT CHECK (cognitive IN ('recall', 'application', 'analysis')),
    body         TEXT NOT NULL,
    source       TEXT,
    created_by   TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX bank_items_status ON bank_items (status, identifier);

-- Every version of an item's content, the current one included: who made it, when, from
-- what (an import's file name, or an edit).
CREATE TABLE bank_item_versions (
    item_id   TEXT NOT NULL REFERENCES bank_items (id),
    version   INTEGER NOT NULL,
    title     TEXT NOT NULL,
    body      TEXT NOT NULL,
    actor     TEXT NOT NULL,
    note      TEXT,
    at        TEXT NOT NULL,
    PRIMARY KEY (item_id, version)
);

-- What happened to an item, in order: imported (a new version), moved from one status to
-- another (with the reviewer's comment), tagged, an enemy named or removed.
CREATE TABLE bank_item_events (
    id           @PK@,
    item_id      TEXT NOT NULL REFERENCES bank_items (id),
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    from_status  TEXT,
    to_status    TEXT,
    note         TEXT
);
CREATE INDEX bank_item_events_item ON bank_item_events (item_id, id);

-- Enemy items: never on one form (each pair once, item_a < item_b by id).
CREATE TABLE bank_enemies (
    item_a      TEXT NOT NULL REFERENCES bank_items (id),
    item_b      TEXT NOT NULL REFERENCES bank_items (id),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (item_a, item_b),
    CHECK (item_a < item_b)
);
