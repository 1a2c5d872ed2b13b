-- Early identification: signal imports, signals, worklist items and what coordinators did.
-- PostgreSQL flavour. Keep in step with ../sqlite/0006_signals.sql (a test compares them).

-- Programmes choose the target groups they work with and the area they serve.
alter table programme add column target_groups text not null default '';
-- Postal-code prefixes, comma-separated; empty: everyone.
alter table programme add column catchment text not null default '';

-- One import of one signal file by one organisation. `seq` numbers imports for provenance.
create table signal_import (
    id uuid primary key not null,
    seq bigint not null,
    organisation_id uuid not null references organisation (id),
    kind text not null,
    file_name text not null,
    -- Known when the whole file has been read.
    file_sha256 text,
    bytes_total bigint,
    bytes_read bigint not null default 0,
    imported_by uuid references app_user (id),
    started_at timestamptz not null,
    finished_at timestamptz,
    status text not null,
    -- Why a stopped import stopped: a locale key (import-stopped-…).
    failure text,
    rows_total bigint not null default 0,
    rows_added bigint not null default 0,
    rows_known bigint not null default 0,
    rows_rejected bigint not null default 0,
    persons_added bigint not null default 0
);
create unique index signal_import_seq_key on signal_import (seq);
create index signal_import_organisation_idx on signal_import (organisation_id, started_at);

-- The import report: one line per rejected row (no person data: line, column, problem).
create table signal_import_error (
    import_id uuid not null references signal_import (id),
    line bigint not null,
    field text not null,
    code text not null,
    args text not null,
    message text not null,
    primary key (import_id, line)
);

-- A person's signals from one organisation, in core::signal::SignalSet's compact form: screening a
-- million persons reads a million rows, not every signal. `birth_date` is the person's, kept here
-- so that screening needs no join.
create table signal_set (
    person_id uuid not null references person (id),
    organisation_id uuid not null references organisation (id),
    birth_date date,
    data bytea not null,
    signals bigint not null,
    updated_at timestamptz not null,
    primary key (person_id, organisation_id)
);

-- Persons whose signals changed and who still wait for screening (written in the import's own
-- transaction, so a crash between import and screening loses nothing).
create table screening_pending (
    person_id uuid primary key not null references person (id)
);

-- A worklist item: derived from signals by a rule, recomputed by every screening. Its identity is
-- (person, organisation, rule, key day); what coordinators did with it is kept in flag_outcome.
create table flag (
    person_id uuid not null references person (id),
    organisation_id uuid not null references organisation (id),
    rule_id text not null,
    key_on date not null,
    target_group text not null,
    priority bigint not null,
    due_on date not null,
    unit_id uuid references unit (id),
    start_on date not null,
    other_on date,
    value bigint not null,
    code text not null,
    raised_at timestamptz not null,
    primary key (person_id, organisation_id, rule_id, key_on)
);
create index flag_organisation_due_idx on flag (organisation_id, due_on);

-- First contact or dismissal of an item. Never derived, never removed by screening.
create table flag_outcome (
    person_id uuid not null references person (id),
    organisation_id uuid not null references organisation (id),
    rule_id text not null,
    key_on date not null,
    kind text not null,
    contacted_on date,
    channel text,
    reason text,
    recorded_by uuid not null references app_user (id),
    recorded_unit uuid not null references unit (id),
    recorded_at timestamptz not null,
    primary key (person_id, organisation_id, rule_id, key_on)
);
