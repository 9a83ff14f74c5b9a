-- Settings every process reads and a server writes: the public address the
-- running server answers at (public_url), so the command line can print links
-- to it. One row per name; the value is text.
CREATE TABLE settings (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
