-- The people list is ordered by name, case-insensitively: an index in that order
-- lets the first page of a large list come without sorting every person.
CREATE INDEX people_name ON people (lower(name), id);
