-- Tasks and referrals between organisations on a case (core::task), and every step of each.
-- SQLite flavour. Keep in step with ../postgres/0012_tasks.sql.

create table case_task (
    id blob primary key not null,
    case_id blob not null references person_case (id),
    requested_by blob not null references app_user (id),
    requesting_organisation blob not null references organisation (id),
    receiving_organisation blob not null references organisation (id),
    -- The person asked, if the requester knows whom.
    receiving_user blob references app_user (id),
    what text not null,
    due_on text not null,
    status text not null,
    -- Why it was declined.
    reason text,
    created_at text not null,
    -- Bumped by every step, so that a step taken on a stale page is refused.
    version integer not null default 1
);
create index case_task_case_idx on case_task (case_id);
create index case_task_receiving_idx on case_task (receiving_organisation, status, due_on);
create index case_task_requesting_idx on case_task (requesting_organisation, status, due_on);

create table task_event (
    id blob primary key not null,
    task_id blob not null references case_task (id),
    at text not null,
    by_user blob not null references app_user (id),
    by_organisation blob not null references organisation (id),
    from_status text,
    to_status text not null,
    reason text
);
create index task_event_task_idx on task_event (task_id, at);
