-- Certification programs and their rules (issue 8): a program is a code and a name; its
-- rules are versions, never changed in place. Every change is a new version; the current
-- rules are the highest version. rules is the canonical JSON text (keys sorted) that
-- core/program.c reads; decisions made under a version keep pointing at it.
CREATE TABLE programs (
    id          @PK@,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE program_versions (
    program_id  BIGINT NOT NULL REFERENCES programs (id),
    version     INTEGER NOT NULL CHECK (version >= 1),
    rules       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (program_id, version)
);
