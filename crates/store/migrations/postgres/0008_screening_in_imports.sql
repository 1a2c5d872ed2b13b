-- Imports screen the signal sets they change in the same transaction, so nothing waits for
-- screening any more: the queue goes.
drop table screening_pending;
