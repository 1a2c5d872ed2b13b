-- The worklist reads one organisation's items in (due date, priority, person, rule, key day)
-- order and stops after a page: this index gives that order, so no request sorts every item.
drop index flag_organisation_due_idx;
create index flag_worklist_idx on flag (organisation_id, due_on, priority, person_id, rule_id, key_on);
