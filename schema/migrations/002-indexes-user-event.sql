-- SPDX-License-Identifier: BSD-2-Clause
-- Schema version 1 -> 2: indexes for "sessions of an identity (key
-- fingerprint) in a time range" and "records of one event type in a time
-- range" (sshrec search --event, SIEM-style queries). Both are plain
-- indexes: version 1 readers see the same tables.
-- sshrecd sets PRAGMA user_version after this file ran, in the same transaction.

CREATE INDEX IF NOT EXISTS sessions_user_start ON sessions (user, start_us);
CREATE INDEX IF NOT EXISTS events_event_time ON events (event, time_us);
