-- Notes and messages on a case, each with who may read it: the author's organisation, the
-- team, or also the person. SQLite flavour. Keep in step with ../postgres/0014_case_notes.sql.

create table case_note (
    id blob primary key not null,
    case_id blob not null references person_case (id),
    author_id blob not null references app_user (id),
    organisation_id blob not null references organisation (id),
    unit_id blob not null references unit (id),
    -- 'organisation', 'team' or 'person' (core::case::NoteVisibility).
    visibility text not null,
    body text not null,
    created_at text not null
);
create index case_note_case_idx on case_note (case_id, created_at);
