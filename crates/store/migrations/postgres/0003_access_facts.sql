-- Consent, blocks, team membership, emergency access and notes: the facts the access policy
-- decides over (core::consent, core::policy). PostgreSQL flavour. Keep in step with ../sqlite/0003_access_facts.sql.

create table team_member (
    id uuid primary key not null,
    person_id uuid not null references person (id),
    -- Null: every user of the unit is on the team.
    user_id uuid references app_user (id),
    unit_id uuid not null references unit (id),
    organisation_id uuid not null references organisation (id),
    starts_on date not null,
    ended_at timestamptz,
    ended_by uuid references app_user (id),
    added_by uuid references app_user (id),
    created_at timestamptz not null
);
create index team_member_person_idx on team_member (person_id);
create index team_member_user_idx on team_member (user_id, person_id);
create index team_member_unit_idx on team_member (unit_id, person_id);

create table consent (
    id uuid primary key not null,
    person_id uuid not null references person (id),
    purpose text not null,
    -- Category codes joined with commas (core::consent::Category::join).
    categories text not null,
    form text not null,
    -- For a child: the guardian who gave it.
    guardian text,
    valid_from date not null,
    valid_to date,
    recorded_by uuid not null references app_user (id),
    recorded_by_organisation uuid not null references organisation (id),
    recorded_at timestamptz not null,
    withdrawn_at timestamptz,
    withdrawn_by uuid references app_user (id)
);
create index consent_person_idx on consent (person_id);

-- Which organisations a consent lets share ('share') and receive ('receive').
create table consent_organisation (
    consent_id uuid not null references consent (id),
    organisation_id uuid not null references organisation (id),
    direction text not null,
    primary key (consent_id, organisation_id, direction)
);

create table person_block (
    id uuid primary key not null,
    person_id uuid not null references person (id),
    scope text not null,
    unit_id uuid references unit (id),
    organisation_id uuid references organisation (id),
    category text,
    from_date date,
    to_date date,
    recorded_by uuid not null references app_user (id),
    recorded_by_organisation uuid not null references organisation (id),
    recorded_at timestamptz not null,
    lifted_at timestamptz,
    lifted_by uuid references app_user (id)
);
create index person_block_person_idx on person_block (person_id);

create table emergency_access (
    id uuid primary key not null,
    person_id uuid not null references person (id),
    user_id uuid not null references app_user (id),
    organisation_id uuid not null references organisation (id),
    unit_id uuid not null references unit (id),
    reason text not null,
    started_at timestamptz not null,
    expires_at timestamptz not null,
    reviewed_at timestamptz,
    reviewed_by uuid references app_user (id),
    review_comment text
);
create index emergency_access_person_idx on emergency_access (person_id, user_id);
create index emergency_access_review_idx on emergency_access (reviewed_at, started_at);

-- What a professional recorded about a person: belongs to their unit and organisation, in a
-- category, which is what consents and blocks speak of.
create table note (
    id uuid primary key not null,
    person_id uuid not null references person (id),
    organisation_id uuid not null references organisation (id),
    unit_id uuid not null references unit (id),
    author_id uuid not null references app_user (id),
    category text not null,
    body text not null,
    recorded_on date not null,
    created_at timestamptz not null
);
create index note_person_idx on note (person_id, created_at);
