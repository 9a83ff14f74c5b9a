-- The public registry (issue 8 point 7) and the demo program (point 9).
--
-- State codes. A credential's state is the two-letter code of the state organization
-- above the holder's organization (the holder's own org when it is a state, else its
-- parent or grandparent). orgs.state_code holds it: filled here from the names of the
-- 50 states and the District of Columbia (us_states), and kept filled by triggers when a
-- state organization is added or renamed to one of those names. A state org whose name is
-- not one of them keeps the code it was given (the demo's "Demo Ohio" is given OH).
--
-- The registry table. One row per credential, denormalized from credentials, people and
-- orgs (registry_source says how) so a search reads one table: number, name, the holder's
-- organization and state, status and dates, visible (listed = 1 and a holder not
-- erased), a sort key and doc, the text searched. Triggers on credentials, people and
-- orgs rebuild the rows a write touches in the same statement, so every writer (each
-- svc file, the demo loader, an erasure) keeps it in step without knowing it exists.
-- registry_counts keeps the visible credentials counted by state and status (triggers on
-- registry), so the registry page's counts are one small read, not a pass over every row.
-- On SQLite, registry_fts is an FTS5 index over the doc of visible rows (external content,
-- unicode61 with remove_diacritics 2: accents and case do not matter), kept by triggers on
-- registry.
-- On PostgreSQL, a GIN index over to_tsvector('simple', cf_fold(doc)); cf_fold lowercases
-- and strips the accents of Latin letters with translate() (no extension needed: unaccent
-- is not always installed or allowed).
--
-- Demo markers. credentials.demo exists (014); the other tables the demo writes get a
-- demo column here, so `ctoframe demo --remove` deletes exactly the rows with demo = 1
-- (and the events of demo credentials and applications).

CREATE TABLE us_states (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE
);
INSERT INTO us_states (code, name) VALUES
    ('AL', 'Alabama'),
    ('AK', 'Alaska'),
    ('AZ', 'Arizona'),
    ('AR', 'Arkansas'),
    ('CA', 'California'),
    ('CO', 'Colorado'),
    ('CT', 'Connecticut'),
    ('DE', 'Delaware'),
    ('DC', 'District of Columbia'),
    ('FL', 'Florida'),
    ('GA', 'Georgia'),
    ('HI', 'Hawaii'),
    ('ID', 'Idaho'),
    ('IL', 'Illinois'),
    ('IN', 'Indiana'),
    ('IA', 'Iowa'),
    ('KS', 'Kansas'),
    ('KY', 'Kentucky'),
    ('LA', 'Louisiana'),
    ('ME', 'Maine'),
    ('MD', 'Maryland'),
    ('MA', 'Massachusetts'),
    ('MI', 'Michigan'),
    ('MN', 'Minnesota'),
    ('MS', 'Mississippi'),
    ('MO', 'Missouri'),
    ('MT', 'Montana'),
    ('NE', 'Nebraska'),
    ('NV', 'Nevada'),
    ('NH', 'New Hampshire'),
    ('NJ', 'New Jersey'),
    ('NM', 'New Mexico'),
    ('NY', 'New York'),
    ('NC', 'North Carolina'),
    ('ND', 'North Dakota'),
    ('OH', 'Ohio'),
    ('OK', 'Oklahoma'),
    ('OR', 'Oregon'),
    ('PA', 'Pennsylvania'),
    ('RI', 'Rhode Island'),
    ('SC', 'South Carolina'),
    ('SD', 'South Dakota'),
    ('TN', 'Tennessee'),
    ('TX', 'Texas'),
    ('UT', 'Utah'),
    ('VT', 'Vermont'),
    ('VA', 'Virginia'),
    ('WA', 'Washington'),
    ('WV', 'West Virginia'),
    ('WI', 'Wisconsin'),
    ('WY', 'Wyoming');

ALTER TABLE orgs ADD COLUMN state_code TEXT;
UPDATE orgs SET state_code = (SELECT s.code FROM us_states s WHERE lower(s.name) = lower(orgs.name))
 WHERE kind = 'state';

ALTER TABLE orgs ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE authorizations ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE exam_results ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ce_activities ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orgs_demo ON orgs (demo);
CREATE INDEX people_demo ON people (demo);
CREATE INDEX credentials_demo ON credentials (demo);

-- What the registry shows of each credential, computed from the tables it comes from.
CREATE VIEW registry_source AS
SELECT c.id AS cred_id, c.number AS number, p.name AS name,
       COALESCE(o.name, '') AS organization,
       COALESCE(CASE WHEN o.kind = 'state' THEN o.state_code END,
                CASE WHEN o1.kind = 'state' THEN o1.state_code END,
                CASE WHEN o2.kind = 'state' THEN o2.state_code END, '') AS state,
       c.status AS status, c.issued_on AS issued_on, c.expires_on AS expires_on,
       CASE WHEN c.listed = 1 AND p.status <> 'erased' THEN 1 ELSE 0 END AS visible,
       lower(p.name) AS sortkey, c.demo AS demo,
       c.number || ' ' || p.name || ' ' || COALESCE(o.name, '') || ' '
         || COALESCE(o1.name, '') || ' ' || COALESCE(o2.name, '') || ' '
         || COALESCE(o.state_code, o1.state_code, o2.state_code, '') AS doc
  FROM credentials c
  JOIN people p ON p.id = c.person_id
  LEFT JOIN orgs o ON o.id = p.org_id
  LEFT JOIN orgs o1 ON o1.id = o.parent_id
  LEFT JOIN orgs o2 ON o2.id = o1.parent_id;

CREATE TABLE registry (
    id            @PK@,
    cred_id       TEXT NOT NULL UNIQUE,
    number        TEXT NOT NULL,
    name          TEXT NOT NULL,
    organization  TEXT NOT NULL,
    state         TEXT NOT NULL,
    status        TEXT NOT NULL,
    issued_on     TEXT NOT NULL,
    expires_on    TEXT NOT NULL,
    visible       INTEGER NOT NULL,
    sortkey       TEXT NOT NULL,
    demo          INTEGER NOT NULL,
    doc           TEXT NOT NULL
);
CREATE INDEX registry_list ON registry (visible, sortkey, number);
CREATE INDEX registry_state ON registry (visible, state, sortkey, number);
CREATE INDEX registry_number ON registry (number);

-- A number bumped by every change to the registry (and to a program's name, which
-- verification shows): the web layer keeps finished anonymous registry answers while it
-- is unchanged (web/cache.c), as it keeps framework pages while the framework generation is.
CREATE TABLE registry_generation (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    gen  BIGINT NOT NULL
);
INSERT INTO registry_generation (id, gen) VALUES (1, 1);

-- Visible credentials counted by state and status, kept by triggers on registry, so the
-- registry page reads its counts in one small query instead of grouping every row.
CREATE TABLE registry_counts (
    state   TEXT NOT NULL,
    status  TEXT NOT NULL,
    n       BIGINT NOT NULL,
    PRIMARY KEY (state, status)
);

@SQLITE@
CREATE VIRTUAL TABLE registry_fts USING fts5 (doc, content = 'registry', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2');

-- Only visible rows are indexed: a search then counts its matches in the index alone.
CREATE TRIGGER registry_fts_ai AFTER INSERT ON registry WHEN new.visible = 1 BEGIN
    INSERT INTO registry_fts (rowid, doc) VALUES (new.id, new.doc);
END;
CREATE TRIGGER registry_fts_ad AFTER DELETE ON registry WHEN old.visible = 1 BEGIN
    INSERT INTO registry_fts (registry_fts, rowid, doc) VALUES ('delete', old.id, old.doc);
END;
CREATE TRIGGER registry_generation_ai AFTER INSERT ON registry BEGIN
    UPDATE registry_generation SET gen = gen + 1 WHERE id = 1;
END;
CREATE TRIGGER registry_generation_ad AFTER DELETE ON registry BEGIN
    UPDATE registry_generation SET gen = gen + 1 WHERE id = 1;
END;
CREATE TRIGGER registry_programs_au AFTER UPDATE OF name ON programs BEGIN
    UPDATE registry_generation SET gen = gen + 1 WHERE id = 1;
END;
CREATE TRIGGER registry_counts_ai AFTER INSERT ON registry WHEN new.visible = 1 BEGIN
    INSERT INTO registry_counts (state, status, n) VALUES (new.state, new.status, 1)
    ON CONFLICT (state, status) DO UPDATE SET n = registry_counts.n + 1;
END;
CREATE TRIGGER registry_counts_ad AFTER DELETE ON registry WHEN old.visible = 1 BEGIN
    UPDATE registry_counts SET n = n - 1 WHERE state = old.state AND status = old.status;
END;

CREATE TRIGGER orgs_state_code_ai AFTER INSERT ON orgs
WHEN new.kind = 'state' AND new.state_code IS NULL BEGIN
    UPDATE orgs SET state_code = (SELECT s.code FROM us_states s WHERE lower(s.name) = lower(new.name))
     WHERE id = new.id;
END;
CREATE TRIGGER orgs_state_code_au AFTER UPDATE OF name ON orgs
WHEN new.kind = 'state'
 AND (SELECT s.code FROM us_states s WHERE lower(s.name) = lower(new.name)) IS NOT NULL BEGIN
    UPDATE orgs SET state_code = (SELECT s.code FROM us_states s WHERE lower(s.name) = lower(new.name))
     WHERE id = new.id;
END;

CREATE TRIGGER registry_cred_ai AFTER INSERT ON credentials BEGIN
    INSERT INTO registry (cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc)
    SELECT cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc FROM registry_source WHERE cred_id = new.id;
END;
CREATE TRIGGER registry_cred_au
AFTER UPDATE OF number, person_id, status, issued_on, expires_on, listed ON credentials BEGIN
    DELETE FROM registry WHERE cred_id = old.id;
    INSERT INTO registry (cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc)
    SELECT cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc FROM registry_source WHERE cred_id = new.id;
END;
CREATE TRIGGER registry_cred_ad AFTER DELETE ON credentials BEGIN
    DELETE FROM registry WHERE cred_id = old.id;
END;
CREATE TRIGGER registry_people_au AFTER UPDATE OF name, status, org_id ON people BEGIN
    DELETE FROM registry WHERE cred_id IN (SELECT id FROM credentials WHERE person_id = new.id);
    INSERT INTO registry (cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc)
    SELECT cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc FROM registry_source
     WHERE cred_id IN (SELECT id FROM credentials WHERE person_id = new.id);
END;
CREATE TRIGGER registry_orgs_au AFTER UPDATE OF name, kind, parent_id, state_code ON orgs BEGIN
    DELETE FROM registry WHERE cred_id IN (SELECT c.id FROM credentials c JOIN people p ON p.id = c.person_id
                    WHERE p.org_id = new.id
                       OR p.org_id IN (SELECT id FROM orgs WHERE parent_id = new.id)
                       OR p.org_id IN (SELECT id FROM orgs WHERE parent_id IN
                                       (SELECT id FROM orgs WHERE parent_id = new.id)));
    INSERT INTO registry (cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc)
    SELECT cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc FROM registry_source WHERE cred_id IN (SELECT c.id FROM credentials c JOIN people p ON p.id = c.person_id
                    WHERE p.org_id = new.id
                       OR p.org_id IN (SELECT id FROM orgs WHERE parent_id = new.id)
                       OR p.org_id IN (SELECT id FROM orgs WHERE parent_id IN
                                       (SELECT id FROM orgs WHERE parent_id = new.id)));
END;
@END@

@PG@
CREATE FUNCTION cf_fold(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT lower(translate(t, U&'\00C0\00C1\00C2\00C3\00C4\00C5\00C7\00C8\00C9\00CA\00CB\00CC\00CD\00CE\00CF\00D1\00D2\00D3\00D4\00D5\00D6\00D8\00D9\00DA\00DB\00DC\00DD\00E0\00E1\00E2\00E3\00E4\00E5\00E7\00E8\00E9\00EA\00EB\00EC\00ED\00EE\00EF\00F1\00F2\00F3\00F4\00F5\00F6\00F8\00F9\00FA\00FB\00FC\00FD\00FF\0100\0101\0102\0103\0104\0105\0106\0107\0108\0109\010A\010B\010C\010D\010E\010F\0110\0111\0112\0113\0114\0115\0116\0117\0118\0119\011A\011B\011C\011D\011E\011F\0120\0121\0122\0123\0124\0125\0126\0127\0128\0129\012A\012B\012C\012D\012E\012F\0130\0131\0134\0135\0136\0137\0139\013A\013B\013C\013D\013E\0141\0142\0143\0144\0145\0146\0147\0148\014C\014D\014E\014F\0150\0151\0154\0155\0156\0157\0158\0159\015A\015B\015C\015D\015E\015F\0160\0161\0162\0163\0164\0165\0166\0167\0168\0169\016A\016B\016C\016D\016E\016F\0170\0171\0172\0173\0174\0175\0176\0177\0178\0179\017A\017B\017C\017D\017E\01A0\01A1\01AF\01B0\01CD\01CE\01CF\01D0\01D1\01D2\01D3\01D4\01D5\01D6\01D7\01D8\01D9\01DA\01DB\01DC\01DE\01DF\01E0\01E1\01E6\01E7\01E8\01E9\01EA\01EB\01EC\01ED\01F0\01F4\01F5\01F8\01F9\01FA\01FB\0200\0201\0202\0203\0204\0205\0206\0207\0208\0209\020A\020B\020C\020D\020E\020F\0210\0211\0212\0213\0214\0215\0216\0217\0218\0219\021A\021B\021E\021F\0226\0227\0228\0229\022A\022B\022C\022D\022E\022F\0230\0231\0232\0233',
        'aaaaaaceeeeiiiinoooooouuuuyaaaaaaceeeeiiiinoooooouuuuyyaaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiijjkkllllllllnnnnnnoooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzoouuaaiioouuuuuuuuuuaaaaggkkoooojggnnaaaaaaeeeeiiiioooorrrruuuusstthhaaeeooooooooyy'))
$$;
CREATE INDEX registry_doc ON registry USING gin (to_tsvector('simple', cf_fold(doc)));

CREATE FUNCTION cf_registry_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.visible = 1 THEN
        INSERT INTO registry_counts (state, status, n) VALUES (NEW.state, NEW.status, 1)
        ON CONFLICT (state, status) DO UPDATE SET n = registry_counts.n + 1;
    ELSIF TG_OP = 'DELETE' AND OLD.visible = 1 THEN
        UPDATE registry_counts SET n = n - 1 WHERE state = OLD.state AND status = OLD.status;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER registry_counts AFTER INSERT OR DELETE ON registry
    FOR EACH ROW EXECUTE FUNCTION cf_registry_counts();

CREATE FUNCTION cf_registry_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE registry_generation SET gen = gen + 1 WHERE id = 1;
    RETURN NULL;
END $$;
CREATE TRIGGER registry_generation AFTER INSERT OR DELETE ON registry
    FOR EACH STATEMENT EXECUTE FUNCTION cf_registry_generation();
CREATE TRIGGER registry_programs_au AFTER UPDATE OF name ON programs
    FOR EACH STATEMENT EXECUTE FUNCTION cf_registry_generation();

CREATE FUNCTION cf_orgs_state_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'state' AND (TG_OP = 'UPDATE' OR NEW.state_code IS NULL) THEN
        NEW.state_code := COALESCE((SELECT s.code FROM us_states s
                                     WHERE lower(s.name) = lower(NEW.name)), NEW.state_code);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER orgs_state_code BEFORE INSERT OR UPDATE OF name ON orgs
    FOR EACH ROW EXECUTE FUNCTION cf_orgs_state_code();

CREATE FUNCTION cf_registry_cred() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM registry WHERE cred_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO registry (cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc)
        SELECT cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc FROM registry_source WHERE cred_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER registry_cred_ai AFTER INSERT OR DELETE ON credentials
    FOR EACH ROW EXECUTE FUNCTION cf_registry_cred();
CREATE TRIGGER registry_cred_au
    AFTER UPDATE OF number, person_id, status, issued_on, expires_on, listed ON credentials
    FOR EACH ROW EXECUTE FUNCTION cf_registry_cred();

CREATE FUNCTION cf_registry_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM registry WHERE cred_id IN (SELECT id FROM credentials WHERE person_id = NEW.id);
    INSERT INTO registry (cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc)
    SELECT cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc FROM registry_source
     WHERE cred_id IN (SELECT id FROM credentials WHERE person_id = NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER registry_people_au AFTER UPDATE OF name, status, org_id ON people
    FOR EACH ROW EXECUTE FUNCTION cf_registry_people();

CREATE FUNCTION cf_registry_orgs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM registry WHERE cred_id IN (SELECT c.id FROM credentials c JOIN people p ON p.id = c.person_id
                    WHERE p.org_id = NEW.id
                       OR p.org_id IN (SELECT id FROM orgs WHERE parent_id = NEW.id)
                       OR p.org_id IN (SELECT id FROM orgs WHERE parent_id IN
                                       (SELECT id FROM orgs WHERE parent_id = NEW.id)));
    INSERT INTO registry (cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc)
    SELECT cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc FROM registry_source WHERE cred_id IN (SELECT c.id FROM credentials c JOIN people p ON p.id = c.person_id
                    WHERE p.org_id = NEW.id
                       OR p.org_id IN (SELECT id FROM orgs WHERE parent_id = NEW.id)
                       OR p.org_id IN (SELECT id FROM orgs WHERE parent_id IN
                                       (SELECT id FROM orgs WHERE parent_id = NEW.id)));
    RETURN NULL;
END $$;
CREATE TRIGGER registry_orgs_au AFTER UPDATE OF name, kind, parent_id, state_code ON orgs
    FOR EACH ROW EXECUTE FUNCTION cf_registry_orgs();
@END@

-- Credentials written before this migration.
INSERT INTO registry (cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc)
SELECT cred_id, number, name, organization, state, status, issued_on, expires_on, visible, sortkey, demo, doc FROM registry_source;
