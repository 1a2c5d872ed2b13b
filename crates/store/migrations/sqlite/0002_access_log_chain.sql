-- The access log becomes tamper-evident: every entry is sealed into a hash chain (core::audit).
-- SQLite flavour. Keep in step with ../postgres/0002_access_log_chain.sql.
-- Entries written inside a change's own transaction arrive unsealed (seq null) and are sealed,
-- in order, by the next batch of the log writer; reads' entries arrive sealed.
-- The log keeps no foreign keys: it is a record of what happened and must outlive the users,
-- units and persons it names (retention rules may remove those, never the log's history).
-- SQLite cannot drop a constraint, so the table is rebuilt.

create table access_log_sealed (
    id blob primary key not null,
    at text not null,
    user_id blob,
    organisation_id blob,
    unit_id blob,
    role text,
    action text not null,
    person_id blob,
    what text not null,
    purpose text,
    outcome text not null,
    seq integer,
    prev_hash text,
    hash text
);
insert into access_log_sealed (id, at, user_id, organisation_id, role, action, person_id, what, purpose, outcome)
select id, at, user_id, organisation_id, role, action, person_id, what, purpose, outcome from access_log;
drop table access_log;
alter table access_log_sealed rename to access_log;

create index access_log_person_idx on access_log (person_id, at);
create index access_log_user_idx on access_log (user_id, at);
create index access_log_organisation_idx on access_log (organisation_id, at);
create index access_log_at_idx on access_log (at);
create unique index access_log_seq_key on access_log (seq);
create index access_log_hash_idx on access_log (hash);
create index access_log_unsealed_idx on access_log (at, id) where seq is null;

-- The newest sealed position. Removing the newest entries cannot hide: the head still names them.
create table access_log_head (
    id integer primary key not null,
    seq integer not null,
    hash text not null
);
insert into access_log_head (id, seq, hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
