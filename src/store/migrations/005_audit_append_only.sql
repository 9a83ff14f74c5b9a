-- The audit trail is append-only in the database itself, not only by
-- convention in the code: a DELETE is always refused, and an UPDATE is
-- refused unless the transaction holds the row of audit_unlock. Only the
-- erasure of a person takes it (store_audit_unlock), rewrites the entries
-- that name them, and gives it back before committing, so the row is never
-- seen outside that transaction.

CREATE TABLE audit_unlock (
    id INTEGER PRIMARY KEY CHECK (id = 1)
);

@SQLITE@
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_unlock)
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
@END@

@PG@
CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NOT EXISTS (SELECT 1 FROM audit_unlock) THEN
        RAISE EXCEPTION 'the audit trail is append-only';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_guard_rows BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();

CREATE TRIGGER audit_log_guard_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
@END@
