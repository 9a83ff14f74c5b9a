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
