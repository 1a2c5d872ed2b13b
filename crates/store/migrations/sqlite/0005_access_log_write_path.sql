-- The access log's write path: fewer index pages written per entry (docs/benchmarks.md).
-- SQLite flavour. Keep in step with ../postgres/0005_access_log_write_path.sql.
-- The index on hash served only `position_of_hash`, which `audit verify` calls once, after it has
-- found a broken link, to tell a removed entry from a moved one; a scan there costs no more than
-- the walk over the whole log that found it. Kept, the index cost every entry a write to a random
-- page of an index as large as the log.
drop index access_log_hash_idx;
