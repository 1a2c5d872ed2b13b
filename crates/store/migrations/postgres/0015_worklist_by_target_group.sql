-- A programme works with some target groups, and a person's signals often raise items in others
-- too (a sick-leave certificate with a psychiatric diagnosis raises a SAD item as well). Ordered
-- by organisation and then due date, the walk to a page passed over every item of the groups the
-- programme does not work with: at a million persons, a million SAD items due earlier than the
-- first sick-leave item (110 ms a page). With the target group second, the worklist reads each of
-- its programme's groups in due order and stops at the page, and merges the reads.
drop index flag_worklist_idx;
create index flag_worklist_idx on flag (organisation_id, target_group, due_on, priority, person_id,
                                        rule_id, key_on, unit_id, start_on, other_on, value, code);
