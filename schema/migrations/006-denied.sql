-- SPDX-License-Identifier: BSD-2-Clause
-- Schema version 5 -> 6: the session policy's session.denied records.
--   sessions.n_denied  how many a session has (its totals, like n_escape);
--   events_denied      a session's denials (`sshrec tree`, `report`) and every
--                      denial (`sshrec search --denied`) without scanning the
--                      other records: a partial index, so they pay nothing
--                      for it on insert.
-- Version 5 readers ignore the new column and index.
-- sshrecd sets PRAGMA user_version after this file ran, in the same transaction.

ALTER TABLE sessions ADD COLUMN n_denied INTEGER NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS events_denied ON events (session_id, ei) WHERE event = 'session.denied';
