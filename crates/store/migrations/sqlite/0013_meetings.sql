-- Joint meetings of a case (core::meeting) and their invitations. SQLite flavour. Keep in step
-- with ../postgres/0013_meetings.sql.

create table case_meeting (
    id blob primary key not null,
    case_id blob not null references person_case (id),
    starts_at text not null,
    ends_at text not null,
    place text not null,
    video_link text,
    agenda text not null,
    minutes text,
    created_by blob not null references app_user (id),
    created_by_organisation blob not null references organisation (id),
    created_at text not null
);
create index case_meeting_case_idx on case_meeting (case_id, starts_at);

create table meeting_invitee (
    id blob primary key not null,
    meeting_id blob not null references case_meeting (id),
    kind text not null,
    -- For a team member; others are named.
    user_id blob references app_user (id),
    name text not null,
    state text not null,
    answered_at text
);
create index meeting_invitee_meeting_idx on meeting_invitee (meeting_id);
