-- "My tasks" lists the tasks asked of the reader or requested by them: without an index on
-- either user column, the list read every task of the deployment.
create index case_task_receiving_user_idx on case_task (receiving_user, status, due_on);
create index case_task_requested_by_idx on case_task (requested_by, status, due_on);
