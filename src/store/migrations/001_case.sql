-- CASE frameworks as data: one row per CFDocument, one per item, association
-- and rubric. Each object keeps its exact JSON (body) so an export gives back,
-- field for field, what was imported; the other columns serve lookups.

CREATE TABLE case_documents (
    identifier   TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    position     INTEGER NOT NULL,
    layout       TEXT NOT NULL,
    document     TEXT NOT NULL,
    definitions  TEXT,
    imported_at  TEXT NOT NULL
);

CREATE TABLE case_objects (
    doc_identifier TEXT NOT NULL REFERENCES case_documents (identifier) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('item', 'association', 'rubric')),
    identifier     TEXT NOT NULL,
    position       INTEGER NOT NULL,
    origin         TEXT,
    destination    TEXT,
    assoc_type     TEXT,
    body           TEXT NOT NULL,
    PRIMARY KEY (doc_identifier, kind, identifier)
);

CREATE INDEX case_objects_identifier ON case_objects (identifier, kind);
CREATE INDEX case_objects_origin ON case_objects (origin);
CREATE INDEX case_objects_destination ON case_objects (destination);

-- A counter bumped by every change to framework data; caches compare it.
CREATE TABLE store_meta (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO store_meta (name, value) VALUES ('case_generation', 1);
