-- API tokens made from the account page carry the form's one-time value, so
-- that reloading the page that shows a new token does not make a second one.
ALTER TABLE api_tokens ADD COLUMN form_nonce TEXT;
CREATE UNIQUE INDEX api_tokens_form_nonce ON api_tokens (person_id, form_nonce);

-- A link replaced by a newer one (a new invitation, a new reset, a restart's
-- setup link) says so, rather than "already used".
ALTER TABLE one_time_tokens ADD COLUMN replaced_at TEXT;
