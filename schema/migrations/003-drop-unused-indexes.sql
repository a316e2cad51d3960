-- SPDX-License-Identifier: BSD-2-Clause
-- Schema version 2 -> 3: drop three secondary indexes that no query of
-- sshrec uses but every record paid for on insert (about 20 % of the
-- daemon's SQLite time in bench_daemon):
--   events_event_time  records of one type in a time range: the time-range
--                      queries use events_time and filter the type;
--   events_process     records of one process: the process tree reads a
--                      session's records by (session_id, ei);
--   processes_parent   children of a process: the tree loads a session's
--                      processes by processes_session.
-- Only indexes go: version 2 readers see the same tables.
-- sshrecd sets PRAGMA user_version after this file ran, in the same transaction.

DROP INDEX IF EXISTS events_event_time;
DROP INDEX IF EXISTS events_process;
DROP INDEX IF EXISTS processes_parent;
