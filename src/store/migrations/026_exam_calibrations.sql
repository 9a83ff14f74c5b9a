-- Rasch calibrations of exam forms (issue 10 point 6): an examiner asks for one, a job of kind
-- "form.calibrate" runs it on the form's latest response set (core/rasch.h, CML) and the
-- result is kept here with the form. docs/exam-rasch.md describes the result.
--
-- Conventions as in 022 and 025: identifiers are lowercase UUIDs (TEXT), instants UTC
-- ISO-8601 text, actors as the audit log writes them ("cli", "user:<id>").

-- One request. state follows queued -> running -> done, or failed with error (the reason
-- rasch_cml or the job gave); job_id is the jobs row that runs it. result is the JSON of the
-- calibration (items, persons, score table), NULL until done.
CREATE TABLE exam_calibrations (
    id            TEXT PRIMARY KEY,
    form_id       TEXT NOT NULL REFERENCES exam_forms (id),
    set_id        TEXT NOT NULL REFERENCES exam_response_sets (id),
    state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    job_id        BIGINT,
    result        TEXT,
    error         TEXT,
    requested_at  TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX exam_calibrations_form ON exam_calibrations (form_id, requested_at);
-- At most one calibration of a set waits or runs at a time (svc/calibration.c checks first,
-- with the form's row held; this keeps it true whatever writes the table).
CREATE UNIQUE INDEX exam_calibrations_active ON exam_calibrations (set_id)
    WHERE state IN ('queued', 'running');
