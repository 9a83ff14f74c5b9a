-- Certificates of credentials (issue 8, exam results and credentials): the PDF a background
-- job (credential.certificate) renders once a credential is issued, kept in the database
-- so every app node serves the same bytes and a backup holds them. pdf is the PDF in
-- base64 text: the store driver binds text on both databases (no byte-string binding
-- yet), and a certificate is small (tens of kilobytes). number and rendered_for say what
-- the PDF shows, so a changed credential (a new expiry at renewal) renders again.
CREATE TABLE certificates (
    credential_id  TEXT PRIMARY KEY REFERENCES credentials (id),
    pdf            TEXT NOT NULL,
    size           INTEGER NOT NULL CHECK (size >= 0),
    rendered_for   TEXT NOT NULL,
    rendered_at    TEXT NOT NULL
);

-- The credentials list of program staff: filtered by status, in number order.
CREATE INDEX credentials_list ON credentials (status, number);
