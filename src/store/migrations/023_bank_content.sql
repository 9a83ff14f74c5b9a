-- What an item holds beyond QTI (issue 10 point 1): scenario sets. A stimulus is the shared
-- text (a case, an exhibit) that the items of one scenario set are read with; each item
-- names at most one (bank_items.stimulus_id). A stimulus keeps its versions as items do:
-- version grows with every change of title or text, whose earlier states
-- bank_stimulus_versions keeps. Rationales, references and the author are keys of the
-- item's body (JSON), so the item's own version history covers them; comments are
-- bank_item_events of kind comment. docs/exam.md describes the fields.

CREATE TABLE bank_stimuli (
    id          TEXT PRIMARY KEY,
    identifier  TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL,
    text        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_by  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Every version of a stimulus, the current one included: who made it, when, from what.
CREATE TABLE bank_stimulus_versions (
    stimulus_id  TEXT NOT NULL REFERENCES bank_stimuli (id),
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,
    actor        TEXT NOT NULL,
    note         TEXT,
    at           TEXT NOT NULL,
    PRIMARY KEY (stimulus_id, version)
);

ALTER TABLE bank_items ADD COLUMN stimulus_id TEXT REFERENCES bank_stimuli (id);
CREATE INDEX bank_items_stimulus ON bank_items (stimulus_id);
