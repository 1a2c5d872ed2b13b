-- Tasks and referrals between organisations on a case (core::task), and every step of each.
-- PostgreSQL flavour. Keep in step with ../sqlite/0012_tasks.sql.

create table case_task (
    id uuid primary key not null,
    case_id uuid not null references person_case (id),
    requested_by uuid not null references app_user (id),
    requesting_organisation uuid not null references organisation (id),
    receiving_organisation uuid not null references organisation (id),
    -- The person asked, if the requester knows whom.
    receiving_user uuid references app_user (id),
    what text not null,
    due_on date not null,
    status text not null,
    -- Why it was declined.
    reason text,
    created_at timestamptz not null,
    -- Bumped by every step, so that a step taken on a stale page is refused.
    version bigint not null default 1
);
create index case_task_case_idx on case_task (case_id);
create index case_task_receiving_idx on case_task (receiving_organisation, status, due_on);
create index case_task_requesting_idx on case_task (requesting_organisation, status, due_on);

create table task_event (
    id uuid primary key not null,
    task_id uuid not null references case_task (id),
    at timestamptz not null,
    by_user uuid not null references app_user (id),
    by_organisation uuid not null references organisation (id),
    from_status text,
    to_status text not null,
    reason text
);
create index task_event_task_idx on task_event (task_id, at);
