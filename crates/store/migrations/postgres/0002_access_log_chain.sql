-- The access log becomes tamper-evident: every entry is sealed into a hash chain (core::audit).
-- PostgreSQL flavour. Keep in step with ../sqlite/0002_access_log_chain.sql.
-- Entries written inside a change's own transaction arrive unsealed (seq null) and are sealed,
-- in order, by the next batch of the log writer; reads' entries arrive sealed.
-- The log keeps no foreign keys: it is a record of what happened and must outlive the users,
-- units and persons it names (retention rules may remove those, never the log's history).

alter table access_log drop constraint if exists access_log_user_id_fkey;
alter table access_log drop constraint if exists access_log_organisation_id_fkey;
alter table access_log drop constraint if exists access_log_person_id_fkey;
alter table access_log add column unit_id uuid;
alter table access_log add column seq bigint;
alter table access_log add column prev_hash text;
alter table access_log add column hash text;

create index access_log_organisation_idx on access_log (organisation_id, at);
create index access_log_at_idx on access_log (at);
create unique index access_log_seq_key on access_log (seq);
create index access_log_hash_idx on access_log (hash);
create index access_log_unsealed_idx on access_log (at, id) where seq is null;

-- The newest sealed position. Removing the newest entries cannot hide: the head still names them.
create table access_log_head (
    id integer primary key not null,
    seq bigint not null,
    hash text not null
);
insert into access_log_head (id, seq, hash)
values (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
