-- Consent, blocks, team membership, emergency access and notes: the facts the access policy
-- decides over (core::consent, core::policy). SQLite flavour. Keep in step with ../postgres/0003_access_facts.sql.

create table team_member (
    id blob primary key not null,
    person_id blob not null references person (id),
    -- Null: every user of the unit is on the team.
    user_id blob references app_user (id),
    unit_id blob not null references unit (id),
    organisation_id blob not null references organisation (id),
    starts_on text not null,
    ended_at text,
    ended_by blob references app_user (id),
    added_by blob references app_user (id),
    created_at text not null
);
create index team_member_person_idx on team_member (person_id);
create index team_member_user_idx on team_member (user_id, person_id);
create index team_member_unit_idx on team_member (unit_id, person_id);

create table consent (
    id blob primary key not null,
    person_id blob not null references person (id),
    purpose text not null,
    -- Category codes joined with commas (core::consent::Category::join).
    categories text not null,
    form text not null,
    -- For a child: the guardian who gave it.
    guardian text,
    valid_from text not null,
    valid_to text,
    recorded_by blob not null references app_user (id),
    recorded_by_organisation blob not null references organisation (id),
    recorded_at text not null,
    withdrawn_at text,
    withdrawn_by blob references app_user (id)
);
create index consent_person_idx on consent (person_id);

-- Which organisations a consent lets share ('share') and receive ('receive').
create table consent_organisation (
    consent_id blob not null references consent (id),
    organisation_id blob not null references organisation (id),
    direction text not null,
    primary key (consent_id, organisation_id, direction)
);

create table person_block (
    id blob primary key not null,
    person_id blob not null references person (id),
    scope text not null,
    unit_id blob references unit (id),
    organisation_id blob references organisation (id),
    category text,
    from_date text,
    to_date text,
    recorded_by blob not null references app_user (id),
    recorded_by_organisation blob not null references organisation (id),
    recorded_at text not null,
    lifted_at text,
    lifted_by blob references app_user (id)
);
create index person_block_person_idx on person_block (person_id);

create table emergency_access (
    id blob primary key not null,
    person_id blob not null references person (id),
    user_id blob not null references app_user (id),
    organisation_id blob not null references organisation (id),
    unit_id blob not null references unit (id),
    reason text not null,
    started_at text not null,
    expires_at text not null,
    reviewed_at text,
    reviewed_by blob references app_user (id),
    review_comment text
);
create index emergency_access_person_idx on emergency_access (person_id, user_id);
create index emergency_access_review_idx on emergency_access (reviewed_at, started_at);

-- What a professional recorded about a person: belongs to their unit and organisation, in a
-- category, which is what consents and blocks speak of.
create table note (
    id blob primary key not null,
    person_id blob not null references person (id),
    organisation_id blob not null references organisation (id),
    unit_id blob not null references unit (id),
    author_id blob not null references app_user (id),
    category text not null,
    body text not null,
    recorded_on text not null,
    created_at text not null
);
create index note_person_idx on note (person_id, created_at);
