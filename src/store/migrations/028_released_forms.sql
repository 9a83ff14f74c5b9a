-- A released form keeps the items as they were when it was released (issue 10 point 3): the
-- version of each item's content (bank_item_versions) is recorded at release, and the form's
-- responses are scored against that version's key whatever the bank does afterwards (a new
-- version imported, the item sent back to review or retired). NULL on a draft form: a draft
-- follows the bank.
ALTER TABLE exam_form_items ADD COLUMN item_version INTEGER;

-- Forms released before this migration are held at the version their items have now.
UPDATE exam_form_items
   SET item_version = (SELECT b.version FROM bank_items b WHERE b.id = exam_form_items.item_id)
 WHERE form_id IN (SELECT id FROM exam_forms WHERE status <> 'draft');

-- The imports of a form's responses in order: 1, 2, ... per form, given inside the import's
-- transaction with the form's row held (two imports in one second were told apart by their
-- random ids before). Sets imported before this migration are numbered by time.
ALTER TABLE exam_response_sets ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE exam_response_sets
   SET seq = (SELECT COUNT(*) FROM exam_response_sets o
               WHERE o.form_id = exam_response_sets.form_id
                 AND (o.created_at < exam_response_sets.created_at
                      OR (o.created_at = exam_response_sets.created_at
                          AND o.id <= exam_response_sets.id)));
CREATE UNIQUE INDEX exam_response_sets_seq ON exam_response_sets (form_id, seq);
