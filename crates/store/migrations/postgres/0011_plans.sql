-- Coordinated individual plans (core::plan): one row per saved version of a case's plan, and the
-- parties' agreements to a version. PostgreSQL flavour. Keep in step with ../sqlite/0011_plans.sql.

create table case_plan (
    id uuid primary key not null,
    case_id uuid not null references person_case (id),
    -- 1, 2, …: a save that finds its number taken was made on a stale page and is refused.
    version bigint not null,
    -- core::plan::PlanContent as JSON: a version never changes once saved.
    content text not null,
    created_at timestamptz not null,
    created_by uuid not null references app_user (id),
    created_by_organisation uuid not null references organisation (id)
);
create unique index case_plan_version_key on case_plan (case_id, version);

create table plan_agreement (
    plan_id uuid not null references case_plan (id),
    -- core::plan::Party::code: 'person' or an organisation's id.
    party text not null,
    recorded_at timestamptz not null,
    recorded_by uuid not null references app_user (id),
    primary key (plan_id, party)
);
