-- The worklist index carries every column of an item the worklist shows, so walking it to a page
-- reads no item rows: one random page fewer per item walked (the worklist reads its pages afresh
-- on every view, since the access log's commit after each view empties other connections' page
-- caches). The target group in it also lets the walk pass over items of other groups.
drop index flag_worklist_idx;
create index flag_worklist_idx on flag (organisation_id, due_on, priority, person_id, rule_id, key_on,
                                        target_group, unit_id, start_on, other_on, value, code);
