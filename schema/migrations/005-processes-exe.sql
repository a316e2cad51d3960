-- SPDX-License-Identifier: BSD-2-Clause
-- Schema version 4 -> 5: processes gets exe and exe_kind, the file the
-- kernel ran and what it was ('file', 'deleted', 'fileless'), so that the
-- tree, the report and search name fileless programs (memfd_create),
-- execs through /proc/self/fd/N or /dev/fd/N and deleted binaries without
-- reading every record. Rows of older sessions keep NULL there.
-- The table is copied (not ALTERed) so that the CREATE statement is the
-- one of schema/sshrec.sql word for word (tests/unit/test_migrate.c
-- compares a migrated schema with a new one); it holds one row per exec,
-- a small part of the database.
-- sshrecd sets PRAGMA user_version after this file ran, in the same transaction.

DROP INDEX IF EXISTS processes_session;
DROP INDEX IF EXISTS processes_program;
DROP INDEX IF EXISTS processes_path;
ALTER TABLE processes RENAME TO processes_v4;
CREATE TABLE IF NOT EXISTS processes (
    id             INTEGER PRIMARY KEY,   -- stable entity id
    session_id     INTEGER NOT NULL REFERENCES sessions (id),
    parent_id      INTEGER REFERENCES processes (id), -- NULL: session root
    pid            INTEGER NOT NULL,
    ppid           INTEGER NOT NULL,
    program        TEXT NOT NULL,          -- basename of path, of exe when exec'd through a fd (sanitized)
    path           TEXT NOT NULL,          -- filename as given to exec (sanitized)
    argv           TEXT NOT NULL,          -- JSON array of sanitized strings
    argv_truncated INTEGER NOT NULL DEFAULT 0,
    cwd            TEXT,
    uid            INTEGER,
    gid            INTEGER,
    return_code    INTEGER NOT NULL,       -- exec result: 0 or -errno
    start_us       INTEGER NOT NULL,
    end_us         INTEGER,                -- exit time; NULL while running or exec'd over
    exit_code      INTEGER,
    signal         INTEGER,
    duration_ms    INTEGER,
    exec_ei        INTEGER NOT NULL,       -- ei of its session.command record
    exe            TEXT,                   -- the file that ran (since 5): path, or memfd:<name>
    exe_kind       TEXT                    -- 'file', 'deleted', 'fileless'; NULL: failed exec (since 5)
);
INSERT INTO processes (id, session_id, parent_id, pid, ppid, program, path, argv,
    argv_truncated, cwd, uid, gid, return_code, start_us, end_us, exit_code, signal,
    duration_ms, exec_ei)
SELECT id, session_id, parent_id, pid, ppid, program, path, argv, argv_truncated, cwd, uid,
    gid, return_code, start_us, end_us, exit_code, signal, duration_ms, exec_ei
FROM processes_v4 ORDER BY id;
DROP TABLE processes_v4;
CREATE INDEX IF NOT EXISTS processes_session ON processes (session_id, start_us);
CREATE INDEX IF NOT EXISTS processes_program ON processes (program, start_us);
CREATE INDEX IF NOT EXISTS processes_path ON processes (path);
