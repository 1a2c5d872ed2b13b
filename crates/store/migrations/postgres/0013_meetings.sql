-- Joint meetings of a case (core::meeting) and their invitations. PostgreSQL flavour. Keep in step
-- with ../sqlite/0013_meetings.sql.

create table case_meeting (
    id uuid primary key not null,
    case_id uuid not null references person_case (id),
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    place text not null,
    video_link text,
    agenda text not null,
    minutes text,
    created_by uuid not null references app_user (id),
    created_by_organisation uuid not null references organisation (id),
    created_at timestamptz not null
);
create index case_meeting_case_idx on case_meeting (case_id, starts_at);

create table meeting_invitee (
    id uuid primary key not null,
    meeting_id uuid not null references case_meeting (id),
    kind text not null,
    -- For a team member; others are named.
    user_id uuid references app_user (id),
    name text not null,
    state text not null,
    answered_at timestamptz
);
create index meeting_invitee_meeting_idx on meeting_invitee (meeting_id);
