-- One counter that every transaction writing signal sets or worklist items raises (under the
-- signal write lock). An import reads a chunk's persons, sets and items ahead, while the previous
-- chunk is written; at the write it compares the counter with the one it expects, so a chunk read
-- before another writer (a second import, a screening) changed those rows is read again.
create table signal_write (
    id integer primary key check (id = 1),
    version bigint not null
);
insert into signal_write (id, version) values (1, 0);
