-- An organization's name is unique among those of its kind under the same parent,
-- case aside: two "Ohio" states, or two schools of one name in a district, could not
-- be told apart. svc checks it inside the write transaction; this index is the
-- backstop when two requests race (a duplicate is CF_ECONFLICT on "name").
-- COALESCE: a NULL parent would make every top-level name distinct to the index.
--
-- A database written before this rule may already hold such duplicates. No row is
-- lost: the oldest of each group keeps its name and the others get their id
-- appended, "Springfield (1b4e28ba-...)", so they can be told apart and renamed.
UPDATE orgs SET name = name || ' (' || id || ')'
 WHERE EXISTS (SELECT 1 FROM orgs o
                WHERE o.kind = orgs.kind
                  AND COALESCE(o.parent_id, '') = COALESCE(orgs.parent_id, '')
                  AND lower(o.name) = lower(orgs.name)
                  AND (o.created_at < orgs.created_at
                       OR (o.created_at = orgs.created_at AND o.id < orgs.id)));

CREATE UNIQUE INDEX orgs_name ON orgs (kind, COALESCE(parent_id, ''), lower(name));
