-- SPDX-License-Identifier: BSD-2-Clause
-- Schema version 3 -> 4: events becomes a rowid table. Rows used to be
-- clustered by (session_id, ei) (WITHOUT ROWID), so concurrent sessions
-- inserted their ~600-byte rows into as many places of the table; with 50
-- live sessions the daemon ingested less than half as fast as now. The
-- key stays unique (INSERT OR IGNORE still rejects a repeated record).
-- The table is copied: on a large database this takes a while at the
-- daemon's first start (2 M events: 77 s on a busy 2-vCPU VM), and the file
-- grows by about the size of the events table (the old pages are reused).
-- The CREATE statements are the ones of schema/sshrec.sql, word for word
-- (tests/unit/test_migrate.c compares a migrated schema with a new one).
-- sshrecd sets PRAGMA user_version after this file ran, in the same transaction.

DROP INDEX IF EXISTS events_time;
DROP INDEX IF EXISTS events_path;
DROP INDEX IF EXISTS events_dst;
ALTER TABLE events RENAME TO events_v3;
CREATE TABLE IF NOT EXISTS events (
    session_id  INTEGER NOT NULL REFERENCES sessions (id),
    ei          INTEGER NOT NULL,
    time_us     INTEGER NOT NULL,
    event       TEXT NOT NULL,   -- session.start, session.command, …
    code        TEXT NOT NULL,   -- T2000I, …
    uid         TEXT NOT NULL,   -- record UUID
    pid         INTEGER,
    process_id  INTEGER,         -- processes.id of the image that made it
    program     TEXT,            -- comm (sanitized)
    path        TEXT,            -- command/disk: path (sanitized)
    dst_addr    TEXT,            -- network
    dst_port    INTEGER,         -- network
    return_code INTEGER,
    json        TEXT NOT NULL,   -- the full record, exactly as in the JSON-lines sink
    PRIMARY KEY (session_id, ei)
);
INSERT INTO events (session_id, ei, time_us, event, code, uid, pid, process_id, program,
                    path, dst_addr, dst_port, return_code, json)
    SELECT session_id, ei, time_us, event, code, uid, pid, process_id, program,
           path, dst_addr, dst_port, return_code, json
    FROM events_v3 ORDER BY time_us, session_id, ei;
DROP TABLE events_v3;
CREATE INDEX IF NOT EXISTS events_time ON events (time_us);
CREATE INDEX IF NOT EXISTS events_path ON events (path) WHERE path IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_dst ON events (dst_addr, dst_port) WHERE dst_addr IS NOT NULL;
