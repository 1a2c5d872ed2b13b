-- Coordinated individual plans (core::plan): one row per saved version of a case's plan, and the
-- parties' agreements to a version. SQLite flavour. Keep in step with ../postgres/0011_plans.sql.

create table case_plan (
    id blob primary key not null,
    case_id blob not null references person_case (id),
    -- 1, 2, …: a save that finds its number taken was made on a stale page and is refused.
    version integer not null,
    -- core::plan::PlanContent as JSON: a version never changes once saved.
    content text not null,
    created_at text not null,
    created_by blob not null references app_user (id),
    created_by_organisation blob not null references organisation (id)
);
create unique index case_plan_version_key on case_plan (case_id, version);

create table plan_agreement (
    plan_id blob not null references case_plan (id),
    -- core::plan::Party::code: 'person' or an organisation's id.
    party text not null,
    recorded_at text not null,
    recorded_by blob not null references app_user (id),
    primary key (plan_id, party)
);
