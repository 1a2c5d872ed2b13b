-- Foundation: organisations, units, programmes, users, sessions, persons, access log.
-- PostgreSQL flavour. Keep in step with ../sqlite/0001_foundation.sql (a test compares them).
-- Ids are UUIDv7 (native uuid here), times are UTC instants (timestamptz), dates are calendar dates.

create table organisation (
    id uuid primary key not null,
    name text not null,
    sector text not null,
    country text not null,
    active boolean not null default true,
    created_at timestamptz not null
);
create unique index organisation_name_key on organisation (lower(name));

create table unit (
    id uuid primary key not null,
    organisation_id uuid not null references organisation (id),
    name text not null,
    active boolean not null default true,
    created_at timestamptz not null
);
create index unit_organisation_idx on unit (organisation_id);
create unique index unit_name_key on unit (organisation_id, lower(name));

create table programme (
    id uuid primary key not null,
    name text not null,
    description text not null,
    country text not null,
    starts_on date not null,
    ends_on date,
    active boolean not null default true,
    created_at timestamptz not null
);
create unique index programme_name_key on programme (lower(name));

create table programme_organisation (
    programme_id uuid not null references programme (id),
    organisation_id uuid not null references organisation (id),
    primary key (programme_id, organisation_id)
);

create table app_user (
    id uuid primary key not null,
    username text not null,
    display_name text not null,
    email text,
    password_hash text not null,
    totp_secret text,
    active boolean not null default true,
    created_at timestamptz not null,
    deactivated_at timestamptz
);
create unique index app_user_username_key on app_user (username);

create table membership (
    id uuid primary key not null,
    user_id uuid not null references app_user (id),
    unit_id uuid not null references unit (id),
    role text not null,
    created_at timestamptz not null
);
create unique index membership_key on membership (user_id, unit_id, role);

create table session (
    token_hash text primary key not null,
    user_id uuid not null references app_user (id),
    mfa_pending boolean not null,
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at timestamptz not null
);
create index session_user_idx on session (user_id);

create table login_failure (
    id uuid primary key not null,
    username_key text not null,
    client_ip text not null,
    at timestamptz not null
);
create index login_failure_username_idx on login_failure (username_key, at);
create index login_failure_ip_idx on login_failure (client_ip, at);

create table person (
    id uuid primary key not null,
    national_id text not null,
    national_id_kind text not null,
    given_name text not null,
    family_name text not null,
    search_name text not null,
    birth_date date,
    sex text,
    street text,
    postal_code text,
    city text,
    phone text,
    protected_identity boolean not null default false,
    preferred_language text,
    interpreter_needed boolean not null default false,
    synthetic boolean not null default false,
    created_at timestamptz not null,
    created_by uuid references app_user (id)
);
create unique index person_national_id_key on person (national_id);
create index person_search_name_idx on person (search_name);

create table access_log (
    id uuid primary key not null,
    at timestamptz not null,
    user_id uuid references app_user (id),
    organisation_id uuid references organisation (id),
    role text,
    action text not null,
    person_id uuid references person (id),
    what text not null,
    purpose text,
    outcome text not null
);
create index access_log_person_idx on access_log (person_id, at);
create index access_log_user_idx on access_log (user_id, at);

create table setting (
    key text primary key not null,
    value text not null
);
