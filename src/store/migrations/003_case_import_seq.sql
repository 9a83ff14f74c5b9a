-- The order packages were last stored in: a re-import keeps its place in the
-- list (position) but becomes the newest holder of its identifiers.
ALTER TABLE case_documents ADD COLUMN import_seq INTEGER NOT NULL DEFAULT 0;
