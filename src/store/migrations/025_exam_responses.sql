-- Response files of exam forms (issue 10 points 4 and 5): each import of a vendor's file for a
-- released form is one set, kept whole with the item analysis computed from it
-- (core/vendorcsv.h reads the file; docs/exam-responses.md describes it).
--
-- Conventions as in 022: identifiers are lowercase UUIDs (TEXT), instants UTC ISO-8601 text,
-- actors as the audit log writes them ("cli", "user:<id>").

-- One import. kind is options (cells name the options chosen: there is a distractor analysis)
-- or scored (cells are 0/1 already). analysis is the JSON of the item analysis as computed at
-- import (test statistics, per item p, point-biserials, alpha if deleted, flags, options).
CREATE TABLE exam_response_sets (
    id           TEXT PRIMARY KEY,
    form_id      TEXT NOT NULL REFERENCES exam_forms (id),
    file_name    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('options', 'scored')),
    persons      INTEGER NOT NULL,
    items        INTEGER NOT NULL,
    analysis     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL
);
CREATE INDEX exam_response_sets_form ON exam_response_sets (form_id, created_at);

-- One candidate's row of a set: their identifier as the vendor gives it, their cells as a
-- JSON object {item identifier: the cell's text} (items not presented left out) and their
-- number right.
CREATE TABLE exam_responses (
    set_id        TEXT NOT NULL REFERENCES exam_response_sets (id),
    candidate     TEXT NOT NULL,
    cells         TEXT NOT NULL,
    total         INTEGER NOT NULL,
    PRIMARY KEY (set_id, candidate)
);
