-- Angoff studies of exam forms (issue 10 point 7): the standard-setting record kept for
-- accreditors. A study belongs to one form; its panel rates the form's scored items over
-- rounds (core/angoff.h reads the ratings file; docs/standard-setting.md explains); the cut of
-- the round the examiners adopt becomes the form's raw cut, and the study closes.
--
-- Conventions as in 025: identifiers are lowercase UUIDs (TEXT), instants UTC ISO-8601 text,
-- actors as the audit log writes them ("cli", "user:<id>").

-- One study. At most one open study per form (the partial unique index below; the service
-- checks it too, inside the transaction that holds the form). The compromise parameters are
-- in percent: Hofstee's lowest and highest acceptable cut (percent correct) and fail rate
-- (percent of candidates); Beuk's panel mean acceptable pass rate and its SD. adopted_round
-- and adopted_cut_raw are set when a round's cut is adopted (the study then closes).
CREATE TABLE exam_studies (
    id               TEXT PRIMARY KEY,
    form_id          TEXT NOT NULL REFERENCES exam_forms (id),
    title            TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    hofstee_kmin     DOUBLE PRECISION,
    hofstee_kmax     DOUBLE PRECISION,
    hofstee_fmin     DOUBLE PRECISION,
    hofstee_fmax     DOUBLE PRECISION,
    beuk_pass        DOUBLE PRECISION,
    beuk_pass_sd     DOUBLE PRECISION,
    compromise_at    TEXT,
    compromise_by    TEXT,
    adopted_round    INTEGER,
    adopted_cut_raw  INTEGER,
    adopted_impact   TEXT,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    closed_at        TEXT,
    closed_by        TEXT
);
CREATE INDEX exam_studies_form ON exam_studies (form_id, created_at);
CREATE UNIQUE INDEX exam_studies_one_open ON exam_studies (form_id) WHERE status = 'open';

-- One round as imported: its file's name, how many panelists, who imported it and when.
CREATE TABLE exam_study_rounds (
    study_id     TEXT NOT NULL REFERENCES exam_studies (id),
    round        INTEGER NOT NULL CHECK (round >= 1),
    file_name    TEXT NOT NULL,
    panelists    INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    PRIMARY KEY (study_id, round)
);

-- The ratings of a round: per panelist (row_no: their row's place in the file, from 1) and
-- item (the bank identifier), the probability from 0 to 1 that a minimally qualified
-- candidate answers it right. A round is kept whole and never edited: a correction is a new
-- round (the triggers below refuse an UPDATE or DELETE).
CREATE TABLE exam_study_ratings (
    study_id     TEXT NOT NULL,
    round        INTEGER NOT NULL,
    row_no       INTEGER NOT NULL,
    panelist     TEXT NOT NULL,
    item         TEXT NOT NULL,
    rating       DOUBLE PRECISION NOT NULL CHECK (rating >= 0 AND rating <= 1),
    PRIMARY KEY (study_id, round, row_no, item),
    FOREIGN KEY (study_id, round) REFERENCES exam_study_rounds (study_id, round)
);

@SQLITE@
CREATE TRIGGER exam_study_ratings_no_update BEFORE UPDATE ON exam_study_ratings
BEGIN
    SELECT RAISE(ABORT, 'a round of ratings is kept as imported');
END;

CREATE TRIGGER exam_study_ratings_no_delete BEFORE DELETE ON exam_study_ratings
BEGIN
    SELECT RAISE(ABORT, 'a round of ratings is kept as imported');
END;
@END@

@PG@
CREATE FUNCTION exam_study_ratings_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a round of ratings is kept as imported';
END
$$;

CREATE TRIGGER exam_study_ratings_guard_rows BEFORE UPDATE OR DELETE ON exam_study_ratings
    FOR EACH ROW EXECUTE FUNCTION exam_study_ratings_guard();
@END@

-- The form's adopted raw cut (a candidate passes with this many scored items right or more;
-- it maps to 600 on the scaled score, core/scale.h) and the study it came from. ADD COLUMN of
-- a nullable column without a default reads the same in SQLite and PostgreSQL.
ALTER TABLE exam_forms ADD COLUMN cut_raw INTEGER;
ALTER TABLE exam_forms ADD COLUMN cut_study TEXT;
