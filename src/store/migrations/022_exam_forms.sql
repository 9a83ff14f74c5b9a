-- Exam forms (issue 10 point 3): a form is a list of the bank's items, each scored or
-- pretest, checked against the blueprint (core/blueprint.h) before it is released.
-- docs/exam-forms.md says what a form is and which checks it must pass.
--
-- Conventions as in 021: identifiers are lowercase UUIDs (TEXT), instants UTC ISO-8601
-- text, actors as the audit log writes them ("cli", "user:<id>").

-- One form. code is the examiners' name for it (unique); status follows draft -> released
-- -> retired (a draft may be retired too); a released form is frozen. pretest_slots is how
-- many pretest items it carries beside its scored ones. version grows with every change of
-- its items.
CREATE TABLE exam_forms (
    id             TEXT PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    title          TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'released', 'retired')),
    pretest_slots  INTEGER NOT NULL DEFAULT 0 CHECK (pretest_slots >= 0),
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    released_at    TEXT,
    released_by    TEXT,
    retired_at     TEXT,
    retired_by     TEXT
);
CREATE INDEX exam_forms_status ON exam_forms (status, code);

-- The items of a form: an item once per form, at a position (the order it was added in),
-- in the role scored (counts toward the score and the blueprint) or pretest (tried out,
-- not scored).
CREATE TABLE exam_form_items (
    form_id    TEXT NOT NULL REFERENCES exam_forms (id),
    item_id    TEXT NOT NULL REFERENCES bank_items (id),
    position   INTEGER NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('scored', 'pretest')),
    added_at   TEXT NOT NULL,
    added_by   TEXT NOT NULL,
    PRIMARY KEY (form_id, item_id),
    UNIQUE (form_id, position)
);
CREATE INDEX exam_form_items_item ON exam_form_items (item_id);
