-- Cases (core::case): one person in one programme, with a coordinator, a target group and a
-- status, and the dated history of its status changes. PostgreSQL flavour. Keep in step with
-- ../sqlite/0010_cases.sql.

create table person_case (
    id uuid primary key not null,
    person_id uuid not null references person (id),
    programme_id uuid not null references programme (id),
    -- The coordinator's organisation and unit: the case is theirs.
    organisation_id uuid not null references organisation (id),
    unit_id uuid not null references unit (id),
    coordinator_id uuid not null references app_user (id),
    target_group text not null,
    status text not null,
    -- The worklist item the case was opened from, if any (a flag of organisation_id).
    flag_rule_id text,
    flag_key_on date,
    -- The first contact, from the worklist item or recorded with the case.
    first_contact_on date,
    outcome text,
    income_source text,
    opened_at timestamptz not null,
    opened_by uuid not null references app_user (id),
    closed_at timestamptz,
    -- Bumped by every change, so that a change made on a stale page is refused.
    version bigint not null default 1
);
-- One open case per person and programme.
create unique index person_case_open_key on person_case (person_id, programme_id)
    where status <> 'closed';
create index person_case_coordinator_idx on person_case (coordinator_id, opened_at);
create index person_case_organisation_idx on person_case (organisation_id, opened_at);
create index person_case_person_idx on person_case (person_id);

create table case_event (
    id uuid primary key not null,
    case_id uuid not null references person_case (id),
    at timestamptz not null,
    by_user uuid not null references app_user (id),
    by_organisation uuid not null references organisation (id),
    -- Null for the opening.
    from_status text,
    to_status text not null,
    outcome text,
    income_source text
);
create index case_event_case_idx on case_event (case_id, at);
